"""The small things a new user meets: reason prompts, audit as CSV, empty lists, plurals."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from driftctl.cli import console
from tests.cli.probe import DbProbe


def test_approve_asks_for_the_reason_on_a_terminal(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    drift_id = db.add()
    monkeypatch.setattr(console, "stdin_is_tty", lambda: True)

    result = cli(["--db", db.url, "approve", drift_id], stdin="resized on purpose for launch\n")

    assert result.exit_code == 0, result.stderr
    assert "Why approve (at least 10 characters)" in result.stderr
    shown = cli(["--db", db.url, "show", drift_id, "-o", "json"]).json()
    assert (shown["status"], shown["approval_reason"]) == (
        "approved",
        "resized on purpose for launch",
    )


def test_reject_without_a_terminal_still_requires_the_flag(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()

    result = cli(["--db", db.url, "reject", drift_id])

    assert result.exit_code == 2
    assert "Why reject" not in result.stderr
    assert "reason" in result.stderr


def test_a_short_prompted_reason_is_refused(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    drift_id = db.add()
    monkeypatch.setattr(console, "stdin_is_tty", lambda: True)

    result = cli(["--db", db.url, "reject", drift_id], stdin="nope\n")

    assert result.exit_code == 2
    assert cli(["--db", db.url, "show", drift_id, "-o", "json"]).json()["status"] == "detected"


def test_audit_as_csv(cli: Any, db: DbProbe) -> None:
    drift_id = db.add()
    assert cli(["--db", db.url, "triage", drift_id, "--note", "looking"]).exit_code == 0

    result = cli(["--db", db.url, "audit", "-o", "csv"])

    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["action"] for r in rows] == ["drift_triaged"]
    assert rows[0]["drift_id"] == drift_id
    assert '"status":"triaged"' in rows[0]["new_value"]


def test_an_empty_list_says_so_instead_of_an_empty_frame(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    from driftctl.cli import runtime

    monkeypatch.setattr(runtime, "tty", lambda: True)
    result = cli(["--db", db.url, "list"])

    assert result.exit_code == 0
    assert (result.stdout, result.stderr) == ("", "No drifts match.\n")


def test_an_empty_list_piped_keeps_its_header_line(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "list"])

    assert result.exit_code == 0
    assert result.stdout.split()[:3] == ["id", "severity", "status"]
    assert "No drifts match" not in result.stderr


def test_at_60_columns_nothing_breaks_mid_word(
    cli: Any, db: DbProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    from driftctl.cli import runtime

    ids = [db.add(severity="critical"), db.add(resource_id="i-0123456789abcdef0")]
    monkeypatch.setattr(runtime, "tty", lambda: True)
    monkeypatch.setenv("COLUMNS", "60")

    result = cli(["--db", db.url, "list"])

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 60
    text = result.stdout
    assert all(i[:8] in text for i in ids)  # ids whole, never wrapped
    assert "Severity" in text and "critical" in text and "cost_impact" not in text
    assert "i-0123456789abcdef0" in text
    assert "page 1 of 1 (2 drifts)" in result.stderr
