"""Fixtures for the cost, pricing and summary tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from tests.cli.databases import fast_db_url, shared_pg_url
from tests.pricing.test_refresh import StubbedPricing

__all__ = ["fast_db_url", "shared_pg_url"]


@pytest.fixture
def db_url(fast_db_url: str) -> str:
    """A migrated, empty database on each engine (one shared PostgreSQL database, truncated)."""
    return fast_db_url


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials only; nothing from this machine's AWS config can leak in."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


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
