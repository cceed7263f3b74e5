"""Fixtures for the cost, pricing and summary tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from tests.cli.databases import fast_db_url, shared_pg_url
from tests.pricing.test_refresh import StubbedPricing
from tests.scanner.conftest import aws_env

__all__ = ["aws_env", "fast_db_url", "shared_pg_url"]


@pytest.fixture
def db_url(fast_db_url: str) -> str:
    """A migrated, empty database on each engine (one shared PostgreSQL database, truncated)."""
    return fast_db_url


@pytest.fixture(autouse=True)
def _aws_env(aws_env: None) -> None:
    """Every cost test runs with the scanner tests' fake, isolated AWS environment."""


@pytest.fixture
def stubbed() -> Iterator[StubbedPricing]:
    """A real boto3 pricing client answered by botocore's Stubber (moto has no Price List API)."""
    session = boto3.session.Session()
    client = session.client("pricing", region_name="us-east-1")
    session.client = lambda *args, **kwargs: client  # type: ignore[method-assign,assignment]
    with Stubber(client) as stubber:
        yield StubbedPricing(stubber=stubber, session_factory=lambda: session)
        stubber.assert_no_pending_responses()


@pytest.fixture
def cache_dir() -> Path:
    """Where driftctl keeps the refreshed price table (XDG_CACHE_HOME is a temp dir)."""
    from driftctl.config import user_cache_dir

    return user_cache_dir()
