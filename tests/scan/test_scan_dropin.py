"""What users of the Go driftctl tool bring along: `.driftignore` idioms, --filter, its flags."""

from __future__ import annotations

import json
from typing import Any

from driftctl import __version__
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


def test_filter_keeps_the_drifts_the_expression_selects(world: World) -> None:
    world.estate.drift()

    result = _scan_cli(world, "--filter", "Type=='aws_instance' && Id!='nope'", "-o", "json")

    assert result.exit_code == 1, result.stderr
    assert {d["resource_type"] for d in result.json()["drifts"]} == {"EC2"}
    assert "note: --filter selects the drifts" in result.stderr
    by_field = _scan_cli(world, "--filter", "severity=='critical'", "-o", "json")
    assert {d["severity"] for d in by_field.json()["drifts"]} == {"critical"}


def test_filter_reads_attributes_like_the_go_tool(world: World) -> None:
    world.estate.drift()

    outcome = run_scan(None, world.options(store=False, filter_expr="Attr.versioning=='Suspended'"))

    assert {d["resource_type"] for d in outcome.result["drifts"]} == {"S3"}


def test_a_bad_filter_is_one_line_and_exit_2_before_aws(world: World) -> None:
    result = _scan_cli(world, "--filter", "Type==", "-o", "json")

    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert "--filter: not a valid JMESPath expression" in line
    assert result.stdout == ""


def test_go_outputs_each_to_its_own_destination(world: World, tmp_path: Any) -> None:
    world.estate.drift()
    report, sarif, junit = tmp_path / "r.json", tmp_path / "r.sarif", tmp_path / "r.xml"

    result = _scan_cli(
        world,
        "--output",
        f"json://{report}",
        f"--output=sarif://{sarif}",
        "-o",
        f"junit://{junit}",
        "-o",
        "console://",
    )

    assert result.exit_code == 1, result.stderr
    assert json.loads(report.read_text())["drifts"]
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith("<?xml")
    assert "drift" in result.stdout and "Scan " in result.stdout  # console:// is the table
    assert "note: json:// writes driftctl's JSON" in result.stderr


def test_json_to_stdout_and_unknown_output_schemes(world: World) -> None:
    world.estate.drift()

    to_stdout = _scan_cli(world, "-o", "json://stdout")
    assert to_stdout.exit_code == 1
    assert to_stdout.json()["drifts"]

    unknown = _scan_cli(world, "-o", "plan://x.json")
    assert unknown.exit_code == 2
    assert "unknown output; use one of console://, json://" in unknown.stderr


def test_the_go_tools_other_flags(world: World) -> None:
    world.estate.drift()

    accepted = _scan_cli(
        world, "--to", "aws+tf", "--type", "aws_instance", "--tf-provider-version", "5.0.0"
    )
    assert accepted.exit_code == 1, accepted.stderr
    assert "note: --tf-provider-version is accepted and ignored" in accepted.stderr
    assert "EC2" in accepted.stdout and "SECURITY_GROUP" not in accepted.stdout

    refused = _scan_cli(world, "--to", "gcp+tf")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "error: --to gcp+tf: only aws+tf (AWS against Terraform) is supported"
    )

    version = run_cli(["version"])
    assert (version.exit_code, version.stdout) == (0, f"driftctl {__version__}\n")


def test_strict_reports_what_aws_created_itself(world: World) -> None:
    plain = run_scan(None, world.options(store=False, resource_types=["SECURITY_GROUP"]))
    strict = run_scan(
        None, world.options(store=False, resource_types=["SECURITY_GROUP"], strict=True)
    )

    def unmanaged(outcome: Any) -> set[str]:
        return {
            d["resource_id"] for d in outcome.result["drifts"] if d["drift_type"] == "unmanaged"
        }

    assert unmanaged(plain) < unmanaged(strict)  # the default security groups
