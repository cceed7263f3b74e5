"""Fixtures shared by every test: isolated config, databases on both engines, the CLI runner."""

from __future__ import annotations

import io
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PG_ENV = "DRIFTCTL_TEST_POSTGRES_URL"


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the developer's config, database, keyring or AWS profile."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for var in ("DRIFTCTL_DATABASE_URL", "DRIFTCTL_CONFIG", "DRIFTCTL_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.chdir(home)
    from driftctl.config import get_settings

    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _driftctl_logger_restored() -> Iterator[None]:
    """Put the "driftctl" logger back after each test: a command run through Typer's runner
    configures it (its own handler, propagate off), which would hide later tests' records from
    caplog."""
    import logging

    logger = logging.getLogger("driftctl")
    saved = (logger.handlers[:], logger.level, logger.propagate, logger.disabled)
    yield
    logger.handlers[:], logger.level, logger.propagate, logger.disabled = saved


@pytest.fixture
def umask_000() -> Iterator[None]:
    """The most permissive umask, as on a carelessly set-up machine: modes must not follow it."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV)


def _create_pg_database() -> tuple[str, str]:
    """A fresh, empty PostgreSQL database; returns (url, name)."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = _pg_admin_url()
    assert admin is not None
    name = f"driftctl_test_{uuid.uuid4().hex[:12]}"
    base = make_url(admin.replace("postgresql+psycopg://", "postgresql://"))
    with psycopg.connect(
        base.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False), name


def _drop_pg_database(name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = _pg_admin_url()
    assert admin is not None
    base = make_url(admin.replace("postgresql+psycopg://", "postgresql://"))
    with psycopg.connect(
        base.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'driftctl.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not _pg_admin_url():
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
    url, name = _create_pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database on each engine (the same tests run on both)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'driftctl.db'}"
        _migrate(url)
        yield url
        return
    if not _pg_admin_url():
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
    url, name = _create_pg_database()
    try:
        _migrate(url)
        yield url
    finally:
        _drop_pg_database(name)


def _migrate(url: str) -> None:
    from driftctl.db import migrate
    from driftctl.db.engine import create_engine

    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


@pytest.fixture
def ctx(db_url: str) -> Iterator[Any]:
    """A service context on a fresh database, acting as the local admin."""
    from driftctl.config import load_settings
    from driftctl.services.context import open_context

    context = open_context(load_settings(database_url=db_url), command="pytest")
    yield context
    context.dispose()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        import json

        return json.loads(self.stdout)


def run_cli(args: list[str], *, stdin: str = "") -> CliResult:
    """Run driftctl's real entry point in-process, capturing stdout and stderr separately."""
    import logging

    from driftctl.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    # main() configures the "driftctl" logger for this run; put it back afterwards so caplog in
    # later tests still sees records.
    logger = logging.getLogger("driftctl")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdin = old_stdin
        logger.handlers[:], logger.level, logger.propagate = saved
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> Any:
    return run_cli
