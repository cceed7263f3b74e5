"""A secret-named tag set in AWS reaches no table, no output format, no log line."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from driftctl.services.scanning import run_scan
from tests.conftest import run_cli
from tests.scan.estate import World

SECRET = "hunter2-s3cr3t-value"


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "secrets.db"


def test_secret_tags_from_aws_are_never_stored_or_printed(world: World, sqlite_file: Path) -> None:
    world.estate.client("ec2").create_tags(
        Resources=[world.estate.instance_id], Tags=[{"Key": "DbPassword", "Value": SECRET}]
    )
    url = f"sqlite:///{sqlite_file}"
    args = [
        "--db",
        url,
        "scan",
        "--from",
        str(world.state),
        "--region",
        "us-east-1",
        "--driftignore",
        str(world.root / ".driftignore"),
    ]
    scanned = run_cli([*args, "-o", "json", "-v"])
    assert scanned.exit_code == 1, scanned.stderr
    outputs = [scanned.stdout, scanned.stderr]
    # Every other format renders the same result.
    from driftctl.cli.scan_output import render

    result = scanned.json()
    outputs += [render(result, fmt) for fmt in ("sarif", "junit", "markdown", "html")]
    drift_id = run_cli(["--db", url, "list", "-o", "json"]).json()["items"][0]["id"]
    outputs.append(run_cli(["--db", url, "show", drift_id, "-o", "json"]).stdout)

    # stderr of the -v runs holds driftctl's debug log lines.
    assert all(SECRET not in text for text in outputs)
    assert "DbPassword" in outputs[0]  # the added tag is reported, its value masked
    with sqlite3.connect(sqlite_file) as conn:
        dump = "\n".join(conn.iterdump())
    assert "DbPassword" in dump  # the key is kept, the value is not
    assert SECRET not in dump


def test_no_store_output_masks_them_too(world: World) -> None:
    world.estate.client("ec2").create_tags(
        Resources=[world.estate.instance_id], Tags=[{"Key": "api_token", "Value": SECRET}]
    )
    outcome: Any = run_scan(None, world.options(store=False))
    assert SECRET not in repr(outcome.result)
