"""Resources no resource type compares are reported, counted, and refused on request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftctl.errors import ValidationError
from driftctl.services.scanning import not_compared_line, run_scan
from tests.conftest import run_cli
from tests.scan.estate import World

# The Terraform types _with_unsupported adds, which no resource type reads.
SKIPPED = {"aws_ec2_serial_console_access": 1, "aws_placement_group": 2}
NOT_COMPARED = (
    "not compared: 3 resources of 2 Terraform types "
    "(aws_placement_group 2, aws_ec2_serial_console_access 1)"
)


def _with_unsupported(world: World) -> Path:
    """The estate's state plus two placement groups, a serial console setting and a data
    source."""
    doc = json.loads(world.state.read_text())
    extra = [
        _resource("aws_placement_group", "batch", [{"id": "batch-1"}, {"id": "batch-2"}]),
        _resource("aws_ec2_serial_console_access", "this", [{"id": "123456789012"}]),
        {**_resource("aws_ami", "base", [{"id": "ami-1"}]), "mode": "data"},
    ]
    doc["resources"].extend(extra)
    path = world.root / "with-unsupported.tfstate"
    path.write_text(json.dumps(doc))
    return path


def _resource(rtype: str, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"schema_version": 0, "attributes": a} for a in instances],
    }


def _managed_instances(path: Path) -> int:
    doc = json.loads(path.read_text())
    return sum(len(r["instances"]) for r in doc["resources"] if r.get("mode") == "managed")


def test_the_scan_counts_what_it_does_not_compare(world: World) -> None:
    state = _with_unsupported(world)
    outcome = run_scan(None, world.options(sources=[str(state)], store=False))
    result = outcome.result
    assert result["scan"]["skipped_types"] == SKIPPED
    summary = result["summary"]
    total = _managed_instances(state)
    assert summary["iac_resources"] == total
    assert summary["compared"] == total - 3
    assert summary["compared_share"] == round((total - 3) / total, 4)
    assert outcome.exit_code == 0


def test_a_fully_compared_state_has_a_share_of_one(world: World) -> None:
    outcome = run_scan(None, world.options(store=False))
    summary = outcome.result["summary"]
    assert outcome.result["scan"]["skipped_types"] == {}
    assert summary["compared"] == summary["iac_resources"] > 0
    assert summary["compared_share"] == 1.0


def test_fail_on_unsupported_refuses_before_anything_is_read(world: World) -> None:
    state = _with_unsupported(world)
    with pytest.raises(ValidationError) as info:
        run_scan(None, world.options(sources=[str(state)], store=False, fail_on_unsupported=True))
    assert info.value.message == f"{NOT_COMPARED}; --fail-on-unsupported refuses them"
    assert info.value.details == {"skipped_types": SKIPPED}


def test_fail_on_unsupported_passes_a_fully_compared_state(world: World) -> None:
    outcome = run_scan(None, world.options(store=False, fail_on_unsupported=True))
    assert outcome.exit_code == 0


def test_a_table_scan_ends_with_one_not_compared_line(world: World) -> None:
    state = _with_unsupported(world)
    args = [
        "scan",
        "--from",
        str(state),
        "--region",
        "us-east-1",
        "--no-store",
        "--fail-on",
        "never",
    ]
    table = run_cli(args)
    assert table.exit_code == 0, table.stderr
    lines = [line for line in table.stderr.splitlines() if line.startswith("not compared:")]
    assert lines == [NOT_COMPARED]
    assert "not compared" not in table.stdout

    as_json = run_cli([*args, "-o", "json"])
    assert as_json.exit_code == 0, as_json.stderr
    assert "not compared" not in as_json.stderr
    assert as_json.json()["scan"]["skipped_types"] == SKIPPED

    quiet = run_cli([*args, "-q"])
    assert "not compared" not in quiet.stderr

    refused = run_cli([*args, "--fail-on-unsupported"])
    assert refused.exit_code == 2
    assert refused.stderr.strip().startswith("error: not compared: 3 resources")


def test_types_are_accepted_as_terraform_types(world: World) -> None:
    outcome = run_scan(
        None, world.options(store=False, resource_types=["aws_instance", "S3", "aws_s3_bucket"])
    )
    assert outcome.result["scan"]["resource_types"] == ["EC2", "S3"]
    assert {d["resource_type"] for d in outcome.result["drifts"]} <= {"EC2", "S3"}


def test_an_unknown_type_names_the_closest_one(world: World) -> None:
    with pytest.raises(ValidationError, match="did you mean aws_s3_bucket"):
        run_scan(None, world.options(store=False, resource_types=["aws_s3_buckets"]))


@pytest.mark.parametrize(
    ("skipped", "line"),
    [
        ({}, None),
        ({"aws_subnet": 1}, "not compared: 1 resource of 1 Terraform type (aws_subnet 1)"),
        (
            {f"aws_t{i}": i for i in range(1, 8)},
            "not compared: 28 resources of 7 Terraform types "
            "(aws_t7 7, aws_t6 6, aws_t5 5, aws_t4 4, aws_t3 3, …)",
        ),
    ],
)
def test_not_compared_line(skipped: dict[str, int], line: str | None) -> None:
    assert not_compared_line(skipped) == line
