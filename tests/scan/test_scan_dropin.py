"""What users of the Go driftctl tool bring along: `.driftignore` idioms, --filter, its flags."""

from __future__ import annotations

from typing import Any

from driftctl.services.scanning import run_scan
from tests.conftest import run_cli
from tests.scan.estate import World


def _scan_cli(world: World, *args: str) -> Any:
    return run_cli(
        ["scan", "--from", str(world.state), "--region", "us-east-1", "--no-store", *args]
    )


def test_star_then_a_negated_type_scans_and_reports_only_that_type(world: World) -> None:
    world.estate.drift()
    (world.root / ".driftignore").write_text("*\n!aws_instance\n", encoding="utf-8")

    outcome = run_scan(None, world.options(store=False))

    assert {d["resource_type"] for d in outcome.result["drifts"]} == {"EC2"}
    # The other types were not even read.
    assert outcome.result["scan"]["resource_types"] == ["EC2"]
    assert outcome.result["scan"]["warnings"] == []


def test_a_line_the_go_tool_would_skip_is_one_warning_not_a_refusal(world: World) -> None:
    world.estate.drift()
    ignore = world.root / "ci.driftignore"
    ignore.write_text("foobar\naws_s3_bucket\n.id\n", encoding="utf-8")

    result = _scan_cli(world, "--driftignore", str(ignore), "-o", "json")

    assert result.exit_code == 1, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: ci.driftignore line 1: 'foobar' matches no resource type driftctl reads "
        "(`driftctl types` lists them); the line has no effect",
        "warning: ci.driftignore line 3: '.id' matches no resource type driftctl reads "
        "(`driftctl types` lists them); the line has no effect",
    ]
    assert "S3" not in {d["resource_type"] for d in result.json()["drifts"]}
    assert len(result.json()["scan"]["warnings"]) == 2


def test_an_attribute_brought_back_by_a_negated_line_is_reported(world: World) -> None:
    world.estate.drift()
    (world.root / ".driftignore").write_text(
        "aws_instance\n!aws_instance.*.instance_type\n", encoding="utf-8"
    )

    outcome = run_scan(None, world.options(store=False))

    (instance,) = [d for d in outcome.result["drifts"] if d["resource_type"] == "EC2"]
    assert list(instance["difference"]) == ["instance_type"]
