"""Fixtures for team-mode tests: a database with a first admin, logins, an in-memory keyring."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from driftctl.domain import Role
from driftctl.services.context import Actor, Context
from tests.fakes import MemoryKeyring
from tests.team.helpers import ADMIN_EMAIL, PASSWORD, Team


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at 1/16 of its cost: these tests check who may log in, not the hash's strength."""
    monkeypatch.setattr("driftctl.passwords._N", 2**10)


PG_ENV = "DRIFTCTL_TEST_POSTGRES_URL"


def _admin_dsn() -> str:
    from sqlalchemy.engine import make_url

    admin = os.environ[PG_ENV].replace("postgresql+psycopg://", "postgresql://")
    return make_url(admin).set(drivername="postgresql").render_as_string(hide_password=False)


def _migrate(url: str) -> None:
    from driftctl.db import migrate
    from driftctl.db.engine import create_engine

    engine = create_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


@contextmanager
def fresh_pg_database(*, migrated: bool = True) -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards; skips the test without PostgreSQL."""
    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    import psycopg
    from sqlalchemy.engine import make_url

    admin = _admin_dsn()
    name = f"driftctl_team_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(drivername="postgresql+psycopg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        if migrated:
            _migrate(rendered)
        yield rendered
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def team_pg_url() -> Iterator[str]:
    """One migrated PostgreSQL database shared by this folder's tests, emptied before each."""
    with fresh_pg_database() as url:
        yield url


def _truncate_all(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from driftctl.db.models import metadata

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # TRUNCATE fires no row-level DELETE trigger, so it empties audit_logs too.
        conn.execute(f"TRUNCATE {', '.join(metadata.tables)} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Overrides the root fixture with the same contract (migrated, empty), cheaper on
    PostgreSQL: one database per session, truncated before each test. Tests that alter the
    schema (drop triggers) use ``fresh_db_url`` instead."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'driftctl.db'}"
        _migrate(url)
        return url
    shared: str = request.getfixturevalue("team_pg_url")
    _truncate_all(shared)
    return shared


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, migrated, on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'driftctl.db'}"
        _migrate(url)
        yield url
        return
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def team(ctx: Context, db_url: str, cli: Any, monkeypatch: pytest.MonkeyPatch) -> Team:
    """The database's first user is an admin; ``ctx`` then acts as that admin."""
    from driftctl.services import users

    info = users.add_user(ctx, ADMIN_EMAIL, role="admin", password=PASSWORD)
    admin = Actor(email=info.email, role=Role.ADMIN, id=info.id)
    ctx.actor = admin
    return Team(ctx=ctx, db_url=db_url, cli=cli, monkeypatch=monkeypatch, admin=admin)
