"""State files that used to end as "internal error": each is one line naming the resource."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.errors import ValidationError
from driftctl.iac.terraform_state import read_state_file
from tests.conftest import run_cli

_SG = (
    '{"resources": [{"mode": "managed", "type": "aws_security_group", "name": "web", '
    '"instances": [{"attributes": {"id": "sg-1", "name": "web", "ingress": '
    '[{"protocol": "tcp", "from_port": FROM, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}}]}], '
    '"version": 4}'
)
_DB = (
    '{"version": 4, "resources": [{"mode": "managed", "type": "aws_db_instance", "name": "main", '
    '"instances": [{"attributes": {"identifier": "orders", "allocated_storage": SIZE}}]}]}'
)
_BUCKET = (
    '{"version": 4, "resources": [{"mode": "managed", "type": "aws_s3_bucket", "name": "b", '
    '"instances": [{"attributes": {"bucket": "NAME"}}]}]}'
)
_ROLE = (
    '{"version": 4, "resources": [{"mode": "managed", "type": "aws_iam_role", "name": "r", '
    '"instances": [{"attributes": {"name": "r", "assume_role_policy": POLICY}}]}]}'
)


def _deep_policy(depth: int) -> str:
    import json

    return json.dumps("[" * depth + "]" * depth)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"version": 4, "serial": ' + "9" * 5000 + "}", "not a usable Terraform state"),
        ('{"version": ' + "4" * 4401 + "}", "not a usable Terraform state"),
        (_BUCKET.replace("NAME", "logs\\ud800"), "aws_s3_bucket.b: 'logs\\\\ud800'"),
        (_DB.replace("SIZE", "1e400"), "aws_db_instance.main: "),
        (_DB.replace("SIZE", "-1e400"), "aws_db_instance.main: "),
        (_SG.replace("FROM", "NaN"), "aws_security_group.web: cannot read a value"),
        (_SG.replace("FROM", "1e400"), "aws_security_group.web: cannot read a value"),
        (_ROLE.replace("POLICY", _deep_policy(50_000)), "aws_iam_role.r: "),
    ],
    ids=["5000-digits", "4401-digit-version", "surrogate", "huge", "-huge", "nan", "inf", "deep"],
)
def test_hostile_values_are_one_line_naming_the_resource(
    tmp_path: Path, text: str, says: str
) -> None:
    path = tmp_path / "hostile.tfstate"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_state_file(path)
    message = info.value.message
    assert "\n" not in message and len(message) < 400
    assert message.startswith(str(path))
    assert says in message

    result = run_cli(["scan", "--from", str(path), "--no-store", "--region", "us-east-1"])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and "internal error" not in line


def test_a_valid_surrogate_pair_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "emoji.tfstate"
    path.write_text(_BUCKET.replace("NAME", "logs-\\ud83d\\ude00"), encoding="utf-8")
    [bucket] = read_state_file(path).resources
    assert bucket.resource_id == "logs-\U0001f600"
