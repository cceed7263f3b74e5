"""The real process: pipes, exit codes and stderr as a shell script or CI job sees them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.probe import DbProbe
from tests.e2e.conftest import driftctl_command, process_env, run

pytestmark = pytest.mark.e2e

ANSI = re.compile(r"\x1b[\[\]()#;?]*[0-9;]*[A-Za-z@-~]?")
# What a colour terminal user has in the environment; stdout is still a pipe.
COLOUR_ENV = {"NO_COLOR": None, "TERM": "xterm-256color", "COLORTERM": "truecolor"}


def test_piped_output_has_no_ansi_escapes(sqlite_db: DbProbe) -> None:
    drift_id = sqlite_db.add(severity="critical", resource_id="i-[bold]x[/]\x1b[31mred")
    env = process_env(**COLOUR_ENV)
    approve = run(
        "--db", sqlite_db.url, "approve", drift_id, "--reason", "intended for the launch", env=env
    )
    assert approve.exit_code == 0, approve.stderr
    outputs = [
        run("--db", sqlite_db.url, "list", env=env),
        run("--db", sqlite_db.url, "show", drift_id, env=env),
        run("--db", sqlite_db.url, "audit", env=env),
        run("--help", env=env),
        run("--db", sqlite_db.url, "list", "--status", "bogus", env=env),
    ]
    for proc in outputs:
        assert not ANSI.search(proc.stdout), proc.stdout
        assert not ANSI.search(proc.stderr), proc.stderr
    listing = outputs[0]
    assert listing.exit_code == 0
    assert "i-[bold]x[/]\\x1b[31mred" in listing.stdout
    assert listing.stdout.splitlines()[0].split()[:3] == ["id", "severity", "status"]
    assert outputs[4].exit_code == 2 and outputs[4].stdout == ""


def test_fresh_sqlite_file_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    proc = run("--db", f"sqlite:///{path}", "list")
    assert proc.exit_code == 0, proc.stderr
    assert path.is_file()
    assert proc.stdout.split() == [
        "id",
        "severity",
        "status",
        "drift_type",
        "resource_type",
        "resource_id",
        "region",
        "cost_impact_monthly",
        "detected_at",
    ]


def test_unreachable_database_one_line_no_traceback_no_password() -> None:
    proc = run("--db", "postgresql://x:Sup3rS3cret@127.0.0.1:1/x", "list")
    assert proc.exit_code == 6
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1
    assert "Traceback" not in proc.stderr and "Sup3rS3cret" not in proc.stderr

    as_json = run("--db", "postgresql://x@127.0.0.1:1/x", "list", "-o", "json")
    assert as_json.exit_code == 6
    assert json.loads(as_json.stderr)["error"]["code"] == "DATABASE_ERROR"


def test_output_into_a_closed_pipe_is_not_an_error(sqlite_db: DbProbe) -> None:
    """``driftctl list --all | head -1``: the reader goes away early."""
    sqlite_db.add_many([{} for _ in range(250)])
    proc = subprocess.Popen(
        driftctl_command("--db", sqlite_db.url, "list", "--all", "-o", "csv"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=process_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    code = proc.wait(timeout=60)
    assert first.startswith(b"id,")
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err
    assert code == 0


# An internal error, raised inside the real process by replacing a service function before
# the entry point runs (the same code path as ``python -m driftctl``).
_EXPLODING_MAIN = """
import sys
import driftctl.services.drifts as drifts

def explode(*args, **kwargs):
    raise RuntimeError("kaboom")

drifts.list_drifts = explode
from driftctl.cli.app import main
main(sys.argv[1:])
"""


def _run_exploding(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _EXPLODING_MAIN, *args],
        capture_output=True,
        text=True,
        env=process_env(),
        timeout=60,
        check=False,
    )


def test_internal_error_in_the_real_process_exits_2(sqlite_db: DbProbe) -> None:
    proc = _run_exploding("--db", sqlite_db.url, "list")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "error: internal error: RuntimeError: kaboom (run with --debug for a traceback)"
    ]


def test_debug_shows_the_traceback(sqlite_db: DbProbe) -> None:
    proc = _run_exploding("--db", sqlite_db.url, "list", "--debug")
    assert "Traceback (most recent call last)" in proc.stderr
    assert "RuntimeError: kaboom" in proc.stderr
    assert proc.stdout == ""


def test_debug_internal_error_still_exits_2(sqlite_db: DbProbe) -> None:
    proc = _run_exploding("--db", sqlite_db.url, "list", "--debug")
    assert proc.returncode == 2
