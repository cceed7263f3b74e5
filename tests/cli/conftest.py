"""Fixtures for CLI tests: a migrated database on each engine with a probe into it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.databases import fast_db_url, shared_pg_url
from tests.cli.probe import DbProbe

__all__ = ["fast_db_url", "shared_pg_url"]


@pytest.fixture
def db_url(fast_db_url: str) -> str:
    """Overrides the root fixture: same contract (migrated, empty), cheaper on PostgreSQL."""
    return fast_db_url


@pytest.fixture
def db(db_url: str, ctx: Any) -> DbProbe:
    """The test's database (SQLite and PostgreSQL) and helpers to fill and inspect it."""
    return DbProbe(url=db_url, ctx=ctx)
