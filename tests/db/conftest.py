"""Fixtures for schema tests: empty, fresh and shared databases on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.cli.databases import fast_db_url, shared_pg_url

__all__ = ["fast_db_url", "shared_pg_url"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest) -> str:
    """A database with no schema at all, on each engine."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(fixture)
    return url


def _engine(url: str) -> Iterator[Any]:
    from driftctl.db.engine import create_engine

    eng = create_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def empty_engine(empty_url: str) -> Iterator[Any]:
    yield from _engine(empty_url)


@pytest.fixture
def fresh_engine(db_url: str) -> Iterator[Any]:
    """A database of its own, migrated: for tests that downgrade or otherwise alter the schema."""
    yield from _engine(db_url)


@pytest.fixture
def engine(fast_db_url: str) -> Iterator[Any]:
    """A migrated database with empty tables (shared schema on PostgreSQL): for data tests."""
    yield from _engine(fast_db_url)
