"""End-to-end fixtures: the real ``python -m driftctl`` process, on both database engines."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.databases import fast_db_url, shared_pg_url
from tests.cli.probe import DbProbe

__all__ = ["fast_db_url", "shared_pg_url"]


@dataclass
class Proc:
    exit_code: int
    stdout: str
    stderr: str


def driftctl_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "driftctl", *args]


def process_env(**changes: str | None) -> dict[str, str]:
    """The test's environment (isolated HOME etc.) with ``changes``; None removes a variable."""
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 60
) -> Proc:
    """Run driftctl as its own process with pipes for stdin, stdout and stderr."""
    done = subprocess.run(
        driftctl_command(*args),
        input=stdin,
        capture_output=True,
        text=True,
        env=env if env is not None else process_env(),
        timeout=timeout,
        check=False,
    )
    return Proc(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def db_url(fast_db_url: str) -> str:
    return fast_db_url


@pytest.fixture
def db(db_url: str, ctx: Any) -> DbProbe:
    return DbProbe(url=db_url, ctx=ctx)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[DbProbe]:
    """A migrated SQLite database and a probe into it, for process behaviour that does not
    depend on the engine (pipes, exit codes, stderr)."""
    from driftctl.config import load_settings
    from driftctl.services.context import open_context

    url = f"sqlite:///{tmp_path / 'driftctl.db'}"
    context = open_context(load_settings(database_url=url), command="pytest")
    yield DbProbe(url=url, ctx=context)
    context.dispose()
