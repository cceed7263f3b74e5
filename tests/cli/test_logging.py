"""Logs go to stderr: debug with -v, one JSON object per line with --log-format json, redacted."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.cli.probe import DbProbe

SECRET = "hunter2hunter2"


def test_verbose_shows_debug_logs_with_service_duration(cli: Any, db: DbProbe) -> None:
    db.add()
    result = cli(["--db", db.url, "list", "-o", "json", "-v"])
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)  # logs never reach stdout
    lines = result.stderr.splitlines()
    duration = [ln for ln in lines if "service call finished" in ln and "drifts.list_drifts" in ln]
    assert len(duration) == 1, result.stderr
    assert duration[0].startswith("debug: ")
    assert "duration_ms=" in duration[0]


def test_without_verbose_no_debug_logs(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "list", "-o", "json"])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_debug_flag_implies_verbose(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "--debug", "list", "-o", "json"])
    assert result.exit_code == 0
    assert "service call finished" in result.stderr


def test_log_format_json_is_one_object_per_line(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    result = cli(
        [
            "--db",
            db.url,
            "--log-format",
            "json",
            "-v",
            "-o",
            "json",
            "approve",
            drift_id,
            "--reason",
            "intended change for the launch",
        ]
    )
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records
    for record in records:
        assert {"ts", "level", "logger", "message"} <= set(record)
    timing = [r for r in records if r.get("service") == "drifts.approve"]
    assert len(timing) == 1
    assert isinstance(timing[0]["duration_ms"], int | float)
    assert timing[0]["level"] == "debug"


def test_log_format_from_environment(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFTCTL_LOG_FORMAT", "json")
    result = cli(["--db", db.url, "-v", "-o", "json", "list"])
    assert result.exit_code == 0
    assert all(json.loads(line) for line in result.stderr.splitlines())


def test_quiet_hides_warnings(cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch) -> None:
    _log_from_service(monkeypatch, logging.WARNING, {})
    loud = cli(["--db", db.url, "list", "-o", "json"])
    quiet = cli(["--db", db.url, "-q", "list", "-o", "json"])
    assert "a service said something" in loud.stderr
    assert quiet.stderr == ""


def _log_from_service(monkeypatch: pytest.MonkeyPatch, level: int, extra: dict[str, Any]) -> None:
    """Make list_drifts log one record with ``extra`` before doing its work."""
    from driftctl.services import drifts

    real = drifts.list_drifts

    def chatty(*args: Any, **kwargs: Any) -> Any:
        logging.getLogger("driftctl.services.drifts").log(
            level, "a service said something", extra=extra
        )
        return real(*args, **kwargs)

    monkeypatch.setattr(drifts, "list_drifts", chatty)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secret_looking_extras_are_redacted(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch, log_format: str
) -> None:
    _log_from_service(
        monkeypatch,
        logging.DEBUG,
        {
            "password": SECRET,
            "webhook_url": f"https://hooks.example.com/{SECRET}",
            "config": {"smtp": {"api_key": SECRET, "host": "smtp.example.com"}},
            "region": "us-east-1",
        },
    )
    result = cli(["--db", db.url, "--log-format", log_format, "-v", "list", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    assert SECRET not in result.stderr
    line = next(ln for ln in result.stderr.splitlines() if "a service said something" in ln)
    if log_format == "json":
        record = json.loads(line)
        assert record["password"] == "***"
        assert record["webhook_url"] == "***"
        assert record["config"]["smtp"] == {"api_key": "***", "host": "smtp.example.com"}
        assert record["region"] == "us-east-1"
    else:
        assert "password=***" in line
        assert "us-east-1" in line and "smtp.example.com" in line
