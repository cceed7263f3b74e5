"""gen-driftignore: from our scan JSON, the Go tool's JSON, or the database's open drifts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftctl.diff.driftignore import DriftIgnore
from tests.conftest import run_cli
from tests.factories import insert_drifts, make_drift
from tests.render.conftest import make_drift as make_json_drift
from tests.render.conftest import make_result

# The Go tool's own test input (pkg/cmd/testdata/input_stdin_valid.json), trimmed.
GO_SCAN = {
    "summary": {"total_resources": 5},
    "managed": [{"id": "test-2021", "type": "aws_s3_bucket"}],
    "unmanaged": [
        {"id": "driftctl", "type": "aws_iam_user"},
        {"id": "driftctl_assume_role:driftctl_policy.10", "type": "aws_iam_role_policy"},
        {"id": "driftctl_assume\\_role", "type": "aws_iam_role"},
    ],
    "missing": [{"id": "testrole1", "type": "aws_iam_role"}],
    "differences": [
        {
            "res": {"id": "test-2021", "type": "aws_s3_bucket"},
            "changelog": [
                {"type": "update", "path": ["BucketPrefix"], "from": "test-", "to": None},
                {"type": "create", "path": ["Tags", "tag2"], "from": None, "to": "value"},
            ],
        }
    ],
    "coverage": 8,
}


def test_the_go_tools_json_gives_its_lines(tmp_path: Path) -> None:
    source = tmp_path / "go.json"
    source.write_text(json.dumps(GO_SCAN), encoding="utf-8")

    result = run_cli(["gen-driftignore", "-i", str(source)])

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "# Resources not covered by IaC",
        "aws_iam_role.driftctl_assume\\\\_role",
        "aws_iam_role_policy.driftctl_assume_role:driftctl_policy\\.10",
        "aws_iam_user.driftctl",
        "# Missing resources",
        "aws_iam_role.testrole1",
        "# Changed resources",
        "aws_s3_bucket.test-2021.BucketPrefix",
        "aws_s3_bucket.test-2021.Tags.tag2",
    ]


@pytest.mark.parametrize(
    ("flag", "gone"),
    [
        ("--exclude-unmanaged", "# Resources not covered by IaC"),
        ("--exclude-missing", "# Missing resources"),
        ("--exclude-changed", "# Changed resources"),
    ],
)
def test_exclude_flags_leave_a_section_out(flag: str, gone: str) -> None:
    result = run_cli(["gen-driftignore", "-i", "-", flag], stdin=json.dumps(GO_SCAN))

    assert result.exit_code == 0
    headings = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert gone not in headings and len(headings) == 2


def test_our_scan_json_round_trips_every_drift_is_ignored() -> None:
    drifts = [
        make_json_drift(),
        make_json_drift(resource_id="logs.example.com", resource_type="S3", drift_type="missing"),
        make_json_drift(
            resource_id="sg-1",
            resource_type="SECURITY_GROUP",
            difference={"ingress[tcp:22:0.0.0.0/0]": {"change": "added", "actual": {}}},
        ),
        make_json_drift(resource_id="weird*[id]?", drift_type="unmanaged", difference={}),
    ]

    result = run_cli(["gen-driftignore", "-i", "-"], stdin=json.dumps(make_result(drifts)))

    ignore = DriftIgnore.parse(result.stdout)
    assert ignore.warnings == ()
    assert "aws_s3_bucket.logs\\.example\\.com" in result.stdout.splitlines()
    assert "aws_instance.weird\\*\\[id\\]\\?" in result.stdout.splitlines()
    for drift in drifts:
        if drift["drift_type"] == "modified":
            for path in drift["difference"]:
                assert ignore.ignores_path(drift["resource_type"], drift["resource_id"], path)
            # Only the paths: a different change on the resource is still reported.
            assert not ignore.ignores_path(drift["resource_type"], drift["resource_id"], "ami")
        else:
            assert ignore.ignores_resource(drift["resource_type"], drift["resource_id"])
    assert not ignore.ignores_resource("EC2", "weirdXid")


def test_from_the_database_only_open_drifts(ctx: Any, db_url: str) -> None:
    insert_drifts(
        ctx,
        make_drift(resource_id="i-open", drift_type="unmanaged", difference={}),
        make_drift(resource_id="i-approved", status="approved", drift_type="missing"),
        make_drift(resource_id="i-done", status="resolved", drift_type="unmanaged"),
    )

    result = run_cli(["--db", db_url, "gen-driftignore"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "# Resources not covered by IaC",
        "aws_instance.i-open",
        "# Missing resources",
        "aws_instance.i-approved",
    ]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [("not json", "the input is not JSON"), ('{"x": 1}', "expected the JSON of")],
)
def test_bad_input_is_one_line_and_exit_2(stdin: str, message: str) -> None:
    result = run_cli(["gen-driftignore", "-i", "-"], stdin=stdin)

    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert message in line


def test_a_missing_input_file(tmp_path: Path) -> None:
    result = run_cli(["gen-driftignore", "-i", str(tmp_path / "nope.json")])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot read --input ")
