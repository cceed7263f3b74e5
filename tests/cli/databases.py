"""``fast_db_url``: a cheaper ``db_url`` for tests that need empty tables, not a new database.

Creating and migrating a PostgreSQL database costs ~0.4 s per test; this migrates one database
per session and empties its tables before each test instead (``empty_all_tables``, which also
empties the append-only audit_logs). SQLite files are cheap to migrate and stay one per test.
Schema tests that downgrade or alter the schema must keep using the root ``db_url``, which
gives every test its own database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

PG_ENV = "DRIFTCTL_TEST_POSTGRES_URL"


def _admin_dsn() -> str:
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


@pytest.fixture(scope="session")
def shared_pg_url() -> Iterator[str]:
    """One migrated PostgreSQL database for the whole session (skips without PostgreSQL)."""
    if not os.environ.get(PG_ENV):
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
    import psycopg

    name = f"driftctl_test_shared_{uuid.uuid4().hex[:12]}"
    admin = _admin_dsn()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(drivername="postgresql+psycopg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        _migrate(rendered)
        yield rendered
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_all_tables(url: str) -> None:
    """Delete every row of every driftctl table; the schema and its triggers stay.

    As a superuser: DELETE with triggers switched off for this transaction only
    (``session_replication_role = replica``), child tables first; well under a millisecond
    for a test's few rows. Otherwise TRUNCATE, which does not fire row triggers either but
    costs ~30 ms (new files for every table and index).
    """
    import psycopg

    from driftctl.db.models import metadata

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        try:
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")
                for table in reversed(metadata.sorted_tables):
                    conn.execute(f'DELETE FROM "{table.name}"')
        except psycopg.errors.InsufficientPrivilege:
            conn.execute(f"TRUNCATE {', '.join(metadata.tables)} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fast_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database with empty tables, on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'driftctl.db'}"
        _migrate(url)
        return url
    shared: str = request.getfixturevalue("shared_pg_url")
    empty_all_tables(shared)
    return shared
