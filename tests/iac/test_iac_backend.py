"""Without --from, the state is found the way Terraform finds it: the backend block of ./*.tf."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from driftctl.errors import ValidationError
from driftctl.iac.backend import find_state

S3_BACKEND = """
terraform {
  required_version = ">= 1.5"
  backend "s3" {
    bucket = "acme-tf-state"
    key    = "prod/network.tfstate"
    region = "us-east-1"
    %s
  }
}
"""


def _tf(tmp_path: Path, text: str, name: str = "versions.tf") -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "web" {\n  ami = var.ami\n}\n')
    (tmp_path / name).write_text(text)


def test_an_s3_backend_names_the_state(tmp_path: Path) -> None:
    _tf(tmp_path, S3_BACKEND % "")

    found = find_state(tmp_path, env={})

    assert found.sources == ["tfstate+s3://acme-tf-state/prod/network.tfstate"]
    assert found.note == (
        'no --from: reading tfstate+s3://acme-tf-state/prod/network.tfstate (backend "s3" in '
        "versions.tf)"
    )


@pytest.mark.parametrize(
    ("extra", "env", "environment_file", "key"),
    [
        ("", {"TF_WORKSPACE": "staging"}, None, "env:/staging/prod/network.tfstate"),
        ('workspace_key_prefix = "envs"', {}, "qa\n", "envs/qa/prod/network.tfstate"),
        ("", {}, "default\n", "prod/network.tfstate"),
    ],
)
def test_a_workspace_other_than_default_is_under_its_prefix(
    tmp_path: Path, extra: str, env: dict[str, str], environment_file: str | None, key: str
) -> None:
    _tf(tmp_path, S3_BACKEND % extra)
    if environment_file is not None:
        (tmp_path / ".terraform").mkdir()
        (tmp_path / ".terraform" / "environment").write_text(environment_file)

    assert find_state(tmp_path, env=env).sources == [f"tfstate+s3://acme-tf-state/{key}"]


def test_a_local_backend_names_its_path(tmp_path: Path) -> None:
    _tf(tmp_path, 'terraform {\n  backend "local" {\n    path = "state/prod.tfstate"\n  }\n}\n')
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "prod.tfstate").write_text("{}")

    found = find_state(tmp_path, env={})

    assert found.sources == [str(tmp_path / "state" / "prod.tfstate")]


def test_no_backend_reads_the_local_state(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    (tmp_path / "terraform.tfstate").write_text("{}")

    found = find_state(tmp_path, env={})

    assert found.note == "no --from: reading ./terraform.tfstate"
    assert len(found.sources) == 1 and found.sources[0].endswith("terraform.tfstate")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (S3_BACKEND.replace('"acme-tf-state"', "var.bucket") % "", 'backend "s3" needs a literal'),
        ('terraform {\n  backend "gcs" {\n    bucket = "x"\n  }\n}\n', 'backend "gcs" is not read'),
        (
            'terraform {\n  cloud {\n    organization = "acme"\n  }\n}\n',
            "tfstate+tfcloud://WORKSPACE_ID",
        ),
        ('terraform {\n  backend "s3" {\n', "versions.tf: not valid HCL"),
    ],
)
def test_backends_that_cannot_be_read_say_what_to_pass(
    tmp_path: Path, text: str, message: str
) -> None:
    _tf(tmp_path, text)

    with pytest.raises(ValidationError) as raised:
        find_state(tmp_path, env={})

    assert message in raised.value.message
    assert "\n" not in raised.value.message


def test_nothing_to_read_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no --from given, no backend"):
        find_state(tmp_path, env={})


def test_scan_without_from_reads_the_s3_backend_and_says_so(
    s3_session: boto3.session.Session,
    tmp_path: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.conftest import run_cli

    s3: Any = s3_session.client("s3")
    s3.create_bucket(Bucket="acme-tf-state")
    s3.put_object(
        Bucket="acme-tf-state",
        Key="prod/network.tfstate",
        Body=(data_dir / "aws_ec2_instance.tfstate").read_bytes(),
    )
    _tf(tmp_path, S3_BACKEND % "")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TF_WORKSPACE", raising=False)

    result = run_cli(["scan", "--no-store", "--region", "us-east-1", "-o", "json"])

    assert result.exit_code in (0, 1), result.stderr
    assert (
        'note: no --from: reading tfstate+s3://acme-tf-state/prod/network.tfstate (backend "s3" '
        "in versions.tf)"
    ) in result.stderr
    scan = result.json()["scan"]
    assert scan["iac_sources"] == ["s3://acme-tf-state/prod/network.tfstate"]
    assert scan["notes"] == [
        'no --from: reading tfstate+s3://acme-tf-state/prod/network.tfstate (backend "s3" in '
        "versions.tf)"
    ]
