"""``-q``: nothing on stdout unless ``-o`` (or a flag naming stdout) asks for it; only errors on
stderr. Applied centrally, so every command is checked here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.probe import DbProbe

REASON = "intended change for the launch"
PASSWORD = "a-long-enough-password"

# Each case: argv after "--db URL -q" ({id} is an open drift, {id2} another, {alert} an alert),
# and whether the command also takes -o json.
COMMANDS: list[tuple[list[str], bool]] = [
    (["list"], True),
    (["list", "--all", "-o", "csv"], False),  # -o csv asks for stdout: checked separately
    (["show", "{id}"], True),
    (["triage", "{id}", "--note", "looking"], True),
    (["approve", "{id}", "--reason", REASON], True),
    (["reject", "{id2}", "--reason", REASON], True),
    (["resolve", "{id2}", "--how", "acknowledged"], True),
    (["summary"], True),
    (["summary", "--timeline"], True),
    (["audit"], True),
    (["audit", "verify"], True),
    (["audit", "anchor"], True),
    (["alerts"], True),
    (["alerts", "read", "{alert}"], True),
    (["alerts", "send"], True),
    (["alerts", "send", "--dry-run"], True),
    (["db", "current"], True),
    (["db", "upgrade"], False),
    (["baseline", "list"], True),
    (["pricing", "show", "t3.large", "--region", "us-east-1"], True),
    (["secret", "list"], True),
    (["whoami"], True),
    (["user", "list"], True),
    (["report", "--html", "report.html"], False),
]


def _argv(args: list[str], ids: dict[str, str]) -> list[str]:
    return [ids.get(a, a) for a in args]


@pytest.fixture
def ids(db: DbProbe) -> dict[str, str]:
    from driftctl.services import drifts

    first, second = db.add(), db.add(severity="critical")
    drifts.triage(db.ctx, [db.add()])  # an audit trail to anchor
    return {"{id}": first, "{id2}": second, "{alert}": db.add_alert(first)}


@pytest.mark.parametrize(
    ("args", "has_json"),
    [c for c in COMMANDS if "-o" not in c[0]],
    ids=lambda c: " ".join(c) if isinstance(c, list) else "",
)
def test_quiet_prints_nothing(
    cli: Any, db: DbProbe, ids: dict[str, str], args: list[str], has_json: bool
) -> None:
    loud = cli(["--db", db.url, *_argv(args, ids)]) if " ".join(args) in _PRINTING else None

    result = cli(["--db", db.url, "-q", *_argv(args, ids)])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""
    if loud is not None:  # the same command without -q does print: -q is what silenced it
        assert loud.exit_code == 0 and loud.stdout


# Read-only commands that print data on stdout without -q.
_PRINTING = {
    "list",
    "show {id}",
    "summary",
    "audit",
    "audit verify",
    "audit anchor",
    "alerts",
    "db current",
    "pricing show t3.large --region us-east-1",
    "secret list",
    "whoami",
}


@pytest.mark.parametrize(
    ("args", "has_json"),
    [c for c in COMMANDS if c[1]],
    ids=lambda c: " ".join(c) if isinstance(c, list) else "",
)
def test_quiet_with_json_output_prints_the_json(
    cli: Any, db: DbProbe, ids: dict[str, str], args: list[str], has_json: bool
) -> None:
    result = cli(["--db", db.url, "-q", "-o", "json", *_argv(args, ids)])

    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)
    assert result.stderr == ""


def test_quiet_with_csv_output_prints_the_csv(cli: Any, db: DbProbe) -> None:
    db.add_many([{} for _ in range(3)])
    result = cli(["--db", db.url, "list", "--all", "-o", "csv", "-q"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 4


def test_quiet_still_reports_errors(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "-q", "show", "ffffffff"])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: no drift")


def test_quiet_usage_error_is_still_reported(cli: Any, db: DbProbe) -> None:
    result = cli(["--db", db.url, "list", "--bogus", "-q"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no such option")


def test_quiet_report_to_stdout_is_asked_for_by_name(cli: Any, db: DbProbe) -> None:
    db.add()
    result = cli(["--db", db.url, "-q", "report", "--html", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.lstrip().lower().startswith("<!doctype html")
    written = cli(["--db", db.url, "-q", "report", "--html", "r.html"])
    assert written.stdout == "" and written.stderr == ""
    assert Path("r.html").read_text().lstrip().lower().startswith("<!doctype html")


def test_quiet_team_commands(cli: Any, db: DbProbe) -> None:
    """user add, login, whoami, logout: silent with -q; --print-token still prints the token."""
    base = ["--db", db.url, "-q"]
    added = cli([*base, "user", "add", "ada@example.com", "--role", "admin"], stdin=PASSWORD)
    assert (added.exit_code, added.stdout, added.stderr) == (0, "", "")

    printed = cli(
        [*base, "login", "--email", "ada@example.com", "--print-token"], stdin=PASSWORD + "\n"
    )
    assert printed.exit_code == 0, printed.stderr
    assert len(printed.stdout.strip()) > 30 and printed.stderr == ""

    kept = cli([*base, "login", "--email", "ada@example.com"], stdin=PASSWORD + "\n")
    assert (kept.exit_code, kept.stdout, kept.stderr) == (0, "", "")
    for args in (["whoami"], ["list"], ["logout"]):
        result = cli([*base, *args])
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), args


def test_version_and_help_are_printed_even_with_quiet(cli: Any) -> None:
    assert cli(["-q", "--version"]).stdout.startswith("driftctl ")
    assert cli(["-q", "list", "--help"]).stdout.startswith("Usage:")
