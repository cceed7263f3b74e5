"""Read commands start fast because they never load the slow layers (bench/startup_bench.py times
it; these tests pin the structure, not the time): no SQLModel or ORM models, no Alembic, no
pydantic (not even for option values: plain_values), no Rich when piped, no keyring in local mode,
and SQLAlchemy's PostgreSQL dialect only for PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.cli.probe import DbProbe

# Never needed to read a database in local mode, on a pipe.
SLOW = (
    "sqlmodel",
    "alembic",
    "driftctl.db.models",
    "sqlalchemy.orm",
    "rich",
    "keyring",
    "boto3",
    "botocore",
    "pydantic",
    "driftctl.types.registry",  # all ~50 resource types; show needs its drift's one
)
PG_DIALECT = "sqlalchemy.dialects.postgresql"

# Run ``driftctl ARGS`` in this interpreter, then print which of the given modules it loaded.
RUN = """
import json, sys
from driftctl.cli.app import main
try:
    main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
wanted = json.loads(sys.argv[1])
loaded = sorted(m for m in sys.modules if any(m == w or m.startswith(w + ".") for w in wanted))
sys.stderr.write(json.dumps({"code": code, "loaded": loaded}) + "\\n")
"""


def _run(args: list[str], modules: tuple[str, ...]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(modules), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stderr.strip().splitlines()[-1])
    return result


def test_importing_what_list_needs_loads_no_slow_package() -> None:
    code = (
        "import sys\n"
        "import driftctl.cli.app, driftctl.cli.drifts_cmd, driftctl.services.drifts\n"
        "import driftctl.services.identity, driftctl.services.audit, driftctl.db.engine\n"
        "slow = ('pydantic', 'pydantic_settings', *sys.argv[1:])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in slow}))\n"
        "print(sorted(m for m in sys.modules if m in sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *SLOW, PG_DIALECT],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.splitlines() == ["[]", "[]"]


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "-o", "json", "--severity", "warning"],
        ["list", "-o", "csv"],
        ["show", "{id}"],
        ["audit", "-o", "json"],
    ],
    ids=lambda a: " ".join(a),
)
def test_read_commands_load_no_slow_package(db: DbProbe, args: list[str]) -> None:
    drift_id = db.add(severity="warning")
    on_sqlite = db.url.startswith("sqlite")
    modules = (*SLOW, PG_DIALECT) if on_sqlite else SLOW
    result = _run(["--db", db.url, *(a.format(id=drift_id) for a in args)], modules)
    assert result == {"code": 0, "loaded": []}


def test_the_guard_sees_a_slow_package(db: DbProbe) -> None:
    """The same run on a command that needs the ORM does report it (the check can fail)."""
    drift_id = db.add()
    result = _run(
        ["--db", db.url, "triage", drift_id],
        ("sqlmodel", "driftctl.db.models"),
    )
    assert result["code"] == 0
    assert {"driftctl.db.models", "sqlmodel"} <= set(result["loaded"])


def test_a_command_imports_only_its_own_module(db: DbProbe) -> None:
    """main() builds only the command it runs, so `list` never imports scan's or alerts' code."""
    result = _run(["--db", db.url, "list"], ("driftctl.cli",))
    commands = [m for m in result["loaded"] if m.endswith("_cmd")]

    assert result["code"] == 0
    assert commands == ["driftctl.cli.drifts_cmd"]
