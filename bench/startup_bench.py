"""How long ``driftctl`` takes to start, next to the least any Typer + SQLAlchemy CLI could take.

Whole processes, run side by side in one go (the two commands of a pair alternate, so a busy
machine slows both alike), N times each after one warm-up run:

- ``driftctl --help``  vs  the ``--help`` of a one-command Typer app;
- ``driftctl list`` on an empty (already migrated) SQLite database  vs  a script that only
  imports typer and SQLAlchemy, opens the same database and runs ``SELECT 1``;
- ``driftctl show ID`` of the one drift of another database  vs  the same script on it.

Both sides run with compiled bytecode, as an installed driftctl has it (pip compiles on
install): the warm-up run writes the ``.pyc`` files of a source checkout, so an inherited
``PYTHONDONTWRITEBYTECODE`` is cleared (with it, every run would compile driftctl's ~50 modules
while the site-packages it is compared with stay compiled).

It prints median and p95 wall times and their ratios, then the ten slowest imports of
``python -X importtime -m driftctl --help`` (cumulative and self) and the heavy packages that
``--help``, ``list`` and ``show`` import. Nothing is asserted.

    .venv/bin/python bench/startup_bench.py
    .venv/bin/python bench/startup_bench.py -n 50
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Packages that cost 100+ ms to import (FIELD_NOTES); --help should need none of them, and the
# read commands (list, show) only SQLAlchemy itself.
HEAVY = frozenset(
    {
        "sqlalchemy",
        "sqlmodel",
        "alembic",
        "boto3",
        "botocore",
        "pydantic",
        "pydantic_settings",
        "psycopg",
        "keyring",
        "rich",
    }
)

TYPER_APP = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str = typer.Option("world", help="Who to greet.")) -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()
'''

SQL_SCRIPT = """
import sys

import typer  # noqa: F401  (the import is the point)
from sqlalchemy import create_engine, text

engine = create_engine(sys.argv[1])
with engine.connect() as conn:
    conn.execute(text("SELECT 1")).scalar_one()
"""


@dataclass
class Case:
    name: str
    argv: list[str]
    samples_ms: list[float] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.samples_ms)

    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def run_once(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed


def race(pair: tuple[Case, Case], n: int, env: dict[str, str]) -> None:
    for case in pair:
        run_once(case.argv, env)  # warm-up: page cache, .pyc files, a first-use migration
    for _ in range(n):
        for case in pair:
            case.samples_ms.append(run_once(case.argv, env))


def driftctl_argv() -> list[str]:
    script = Path(sys.executable).with_name("driftctl")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "driftctl"]


def one_drift_database(url: str, env: dict[str, str]) -> str:
    """Migrate the database at ``url``, give it one drift and no users; returns the drift's id."""
    script = f"""
import uuid
from sqlmodel import Session
from driftctl.db import migrate
from driftctl.db.engine import create_engine
from driftctl.db.models import Drift
engine = create_engine({url!r})
migrate.upgrade(engine)
drift = Drift(resource_id="i-0abc", resource_type="EC2", region="eu-west-1", drift_type="modified",
    fingerprint="f" * 64, expected_state={{"instance_type": "t3.micro"}},
    actual_state={{"instance_type": "t3.large"}}, difference_hash="d" * 64, detected_by="manual",
    difference={{"instance_type": {{"change": "changed", "expected": "t3.micro",
    "actual": "t3.large"}}}})
with Session(engine) as session:
    session.add(drift)
    session.commit()
    print(drift.id)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def importtime(
    env: dict[str, str], args: Sequence[str] = ("--help",)
) -> list[tuple[str, int, int]]:
    """(module, self µs, cumulative µs) for every import of ``driftctl ARGS``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "driftctl", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative, name = line[len("import time:") :].split("|")
        rows.append((name.strip(), int(self_us), int(cumulative)))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=20, help="runs per command (default 20)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="driftctl-startup-"))
    env = dict(os.environ)
    # No user config, database or keyring from this machine; plain output.
    env.update(
        HOME=str(work),
        XDG_CONFIG_HOME=str(work / "config"),
        XDG_DATA_HOME=str(work / "data"),
        XDG_CACHE_HOME=str(work / "cache"),
        NO_COLOR="1",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    for var in ("DRIFTCTL_DATABASE_URL", "DRIFTCTL_CONFIG", "DRIFTCTL_TOKEN"):
        env.pop(var, None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    (work / "typer_app.py").write_text(TYPER_APP)
    (work / "sql_only.py").write_text(SQL_SCRIPT)
    db_url = f"sqlite:///{work / 'empty.db'}"
    one_url = f"sqlite:///{work / 'one.db'}"
    drift_id = one_drift_database(one_url, env)
    py = sys.executable

    help_pair = (
        Case("driftctl --help", [*driftctl_argv(), "--help"]),
        Case("one-command Typer app --help", [py, str(work / "typer_app.py"), "--help"]),
    )
    list_pair = (
        Case("driftctl list (empty SQLite)", [*driftctl_argv(), "--db", db_url, "list"]),
        Case("import typer+SQLAlchemy, SELECT 1", [py, str(work / "sql_only.py"), db_url]),
    )
    show_pair = (
        Case("driftctl show ID (one drift)", [*driftctl_argv(), "--db", one_url, "show", drift_id]),
        Case("import typer+SQLAlchemy, SELECT 1", [py, str(work / "sql_only.py"), one_url]),
    )
    pairs = (help_pair, list_pair, show_pair)
    print(
        f"driftctl start-up: {args.n} runs each, python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    for pair in pairs:
        race(pair, args.n, env)

    print(f"\n{'command':40} {'median ms':>10} {'p95 ms':>10}")
    for pair in pairs:
        for case in pair:
            print(f"{case.name:40} {case.median():10.1f} {case.p95():10.1f}")
        ours, floor = pair
        print(
            f"{'  ratio (driftctl / baseline)':40} {ours.median() / floor.median():10.2f} "
            f"{ours.p95() / floor.p95():10.2f}"
        )

    rows = importtime(env)
    print("\npython -X importtime -m driftctl --help: top 10 by cumulative time")
    for name, self_us, cumulative in sorted(rows, key=lambda r: -r[2])[:10]:
        print(f"  {cumulative / 1000:8.1f} ms cumulative {self_us / 1000:7.1f} ms self  {name}")
    print("top 10 by self time")
    for name, self_us, cumulative in sorted(rows, key=lambda r: -r[1])[:10]:
        print(f"  {self_us / 1000:8.1f} ms self {cumulative / 1000:8.1f} ms cumulative  {name}")
    for label, argv_ in (
        ("--help", ["--help"]),
        ("list", ["--db", db_url, "list"]),
        ("show", ["--db", one_url, "show", drift_id]),
    ):
        rows = importtime(env, argv_)
        heavy = sorted({r[0].split(".")[0] for r in rows} & HEAVY)
        print(f"heavy packages imported by {label}: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
