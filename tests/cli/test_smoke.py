"""The basic contract of the command line: help, version, exit codes, stdout vs stderr."""

from __future__ import annotations

from typing import Any

from tests.factories import insert_drifts, make_drift


def test_version(cli: Any) -> None:
    result = cli(["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("driftctl ")


def test_list_json_has_spec_keys_and_pagination(cli: Any, ctx: Any, db_url: str) -> None:
    insert_drifts(ctx, make_drift(), make_drift(severity="critical"))
    result = cli(["list", "--db", db_url, "-o", "json", "--limit", "20"])
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["pagination"] == {
        "total": 2,
        "page": 1,
        "page_size": 20,
        "total_pages": 1,
        "has_more": False,
    }
    item = data["items"][0]
    for key in ("id", "resource_id", "severity", "status", "difference", "detected_at"):
        assert key in item
    assert "\x1b" not in result.stdout


def test_global_options_after_the_subcommand(cli: Any, ctx: Any, db_url: str) -> None:
    insert_drifts(ctx, make_drift())
    before = cli(["--db", db_url, "-o", "json", "list"])
    after = cli(["list", "-o", "json", "--db", db_url, "-v"])
    assert before.exit_code == after.exit_code == 0
    assert before.json()["items"] == after.json()["items"]
