"""Fixtures for remediation: the scan estate in an in-process moto, recorded in a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.databases import fast_db_url, shared_pg_url
from tests.scan.estate import Estate, World
from tests.scanner.conftest import aws, aws_env, fast_retries

__all__ = ["aws", "aws_env", "fast_db_url", "fast_retries", "shared_pg_url"]


@pytest.fixture
def db_url(fast_db_url: str) -> str:
    """A migrated, empty database on each engine."""
    return fast_db_url


@pytest.fixture
def world(aws: None, tmp_path: Path) -> World:
    """The estate built in moto, in sync with its states written under tmp_path."""
    estate = Estate().build()
    estate.write_states(tmp_path)
    return World(estate=estate, root=tmp_path)
