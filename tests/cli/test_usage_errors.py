"""Typer/Click usage errors: one line like every other error, the hint in that line, exit 2."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.probe import DbProbe

# argv after "--db URL", the command whose --help the hint names, text in the message.
USAGE_ERRORS: list[tuple[list[str], str, str]] = [
    (["list", "--limit", "abc"], "driftctl list", "--limit"),
    (["list", "--no-such-flag"], "driftctl list", "no such option: --no-such-flag"),
    (["approve"], "driftctl approve", "missing argument"),
    (["frobnicate"], "driftctl", "no such command 'frobnicate'"),
    (["list", "--page", "0"], "driftctl list", "--page"),
    (["db", "upgrade", "a", "b"], "driftctl db upgrade", "unexpected extra argument"),
    (["alerts", "send", "--workers"], "driftctl alerts send", "--workers"),
]


@pytest.mark.parametrize(
    ("args", "command", "text"), USAGE_ERRORS, ids=[" ".join(c[0]) for c in USAGE_ERRORS]
)
def test_usage_error_is_one_line_with_the_hint(
    cli: Any, db: DbProbe, args: list[str], command: str, text: str
) -> None:
    before = db.snapshot()

    result = cli(["--db", db.url, *args])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    line = result.stderr.rstrip("\n")
    assert line.startswith("error: ") and text in line
    assert line.endswith(f"(try '{command} --help')")
    assert "Usage:" not in line and "Traceback" not in line
    assert db.snapshot() == before


@pytest.mark.parametrize(
    ("args", "command", "text"), USAGE_ERRORS, ids=[" ".join(c[0]) for c in USAGE_ERRORS]
)
def test_usage_error_with_json_output_is_one_json_line(
    cli: Any, db: DbProbe, args: list[str], command: str, text: str
) -> None:
    result = cli(["--db", db.url, "-o", "json", *args])

    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    error = json.loads(line)["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert text in error["message"] and f"(try '{command} --help')" in error["message"]
    assert error["details"]["hint"] == f"{command} --help"
    assert error["details"]["usage"].startswith(f"Usage: {command}")


def test_option_after_the_command_with_json_is_still_json(cli: Any) -> None:
    result = cli(["--db", "sqlite:///unused.db", "list", "--limit", "abc", "-o", "json"])
    assert result.exit_code == 2
    assert json.loads(result.stderr)["error"]["code"] == "VALIDATION_ERROR"


def test_no_arguments_still_prints_the_help(cli: Any) -> None:
    """``driftctl`` alone is a request for help, not an error message."""
    result = cli([])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage: driftctl" in result.stderr and "Commands" in result.stderr


def test_help_is_not_an_error(cli: Any) -> None:
    result = cli(["list", "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: driftctl list")
    assert result.stderr == ""


@pytest.mark.parametrize("output", [["-ojson"], ["--output=json"], ["-o", "json"]])
def test_hint_names_the_command_whatever_the_global_option_spelling(
    cli: Any, db: DbProbe, output: list[str]
) -> None:
    """A parser error without Click context: the command is found from argv."""
    result = cli([f"--db={db.url}", *output, "alerts", "send", "--workers"])
    assert result.exit_code == 2
    error = json.loads(result.stderr)["error"]
    assert error["details"]["hint"] == "driftctl alerts send --help"
