"""``baseline capture`` and ``scan --from baseline://NAME``: what changed since a snapshot."""

from __future__ import annotations

from typing import Any

import pytest

from driftctl.services.baselines import capture_baseline
from driftctl.services.scanning import run_scan
from tests.scan.estate import World, drift_keys, expected_drift_keys


def capture(cli: Any, db_url: str, name: str) -> Any:
    return cli(["--db", db_url, "baseline", "capture", name, "--region", "us-east-1", "-o", "json"])


def test_a_change_after_the_snapshot_is_reported(
    world: World, ctx: Any, cli: Any, db_url: str
) -> None:
    info = capture_baseline(ctx, "before-change", world.options(regions=["us-east-1"]))
    # the estate's five resources plus the state bucket; the default security group is not kept
    assert (info["name"], info["resource_count"]) == ("before-change", 6)
    assert info["regions"] == ["us-east-1"]
    from_baseline = world.options(sources=["baseline://before-change"])

    unchanged = run_scan(ctx, from_baseline)
    assert (unchanged.exit_code, unchanged.result["drifts"]) == (0, [])

    world.estate.drift()
    changed = run_scan(ctx, from_baseline)

    assert changed.exit_code == 1
    assert changed.result["scan"]["iac_sources"] == ["baseline://before-change"]
    assert drift_keys(changed.result["drifts"]) == expected_drift_keys(world.estate)
    listed = cli(["--db", db_url, "baseline", "list", "-o", "json"])
    assert [b["name"] for b in listed.json()["items"]] == ["before-change"]


@pytest.mark.usefixtures("aws")
def test_an_unknown_baseline_exits_2(cli: Any, db_url: str) -> None:
    result = cli(["--db", db_url, "scan", "--from", "baseline://never-taken", "-o", "json"])

    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "no baseline named 'never-taken'" in line


def test_a_baseline_name_is_taken_once(world: World, cli: Any, db_url: str) -> None:
    first = capture(cli, db_url, "weekly")
    assert first.exit_code == 0, first.stderr
    assert first.json()["resource_count"] == 6

    again = cli(["--db", db_url, "baseline", "capture", "weekly", "--region", "us-east-1"])

    assert again.exit_code == 4
    assert again.stderr.splitlines() == ["error: a baseline named 'weekly' already exists"]
