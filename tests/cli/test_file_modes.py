"""Files only their owner may read, whatever the umask: the data directory 0700, the SQLite
database with its -wal/-shm files, the login token file and the price cache 0600."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import Stubber
from sqlalchemy import text

from driftctl.config import user_cache_dir, user_data_dir
from driftctl.services.costs import refresh_prices
from tests.files import file_mode
from tests.pricing.test_refresh import TODAY, answer_us_east_1


def test_default_database_is_private(cli: Any, umask_000: None) -> None:
    from driftctl.config import load_settings
    from driftctl.services.context import open_context

    assert cli(["list"]).exit_code == 0
    data_dir = user_data_dir()
    db = data_dir / "driftctl.db"
    assert file_mode(data_dir) == 0o700
    assert file_mode(data_dir.parent) == 0o700  # XDG_DATA_HOME did not exist either
    assert file_mode(db) == 0o600

    # While a connection is open the -wal and -shm files exist: they follow the database's mode.
    ctx = open_context(load_settings(), command="pytest")
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
            conn.execute(text("INSERT INTO probe VALUES (1)"))
            conn.commit()
            wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
            assert wal.exists() and shm.exists()
            assert (file_mode(wal), file_mode(shm)) == (0o600, 0o600)
    finally:
        ctx.dispose()


def test_explicit_database_file_is_created_private(
    cli: Any, tmp_path: Path, umask_000: None
) -> None:
    path = tmp_path / "team.db"
    assert cli(["--db", f"sqlite:///{path}", "list"]).exit_code == 0
    assert file_mode(path) == 0o600


def test_an_old_world_readable_default_database_is_tightened(cli: Any) -> None:
    assert cli(["list"]).exit_code == 0
    data_dir, db = user_data_dir(), user_data_dir() / "driftctl.db"
    os.chmod(data_dir, 0o755)
    os.chmod(db, 0o644)

    assert cli(["list"]).exit_code == 0

    assert (file_mode(data_dir), file_mode(db)) == (0o700, 0o600)


def test_price_cache_is_private(umask_000: None) -> None:
    """The Price List API answered by the pricing tests' Stubber responses."""
    session = boto3.session.Session()
    client = session.client("pricing", region_name="us-east-1")
    session.client = lambda *args, **kwargs: client  # type: ignore[method-assign,assignment]
    with Stubber(client) as stubber:
        answer_us_east_1(stubber)
        summary = refresh_prices(["us-east-1"], session_factory=lambda: session, today=TODAY)
    cache = user_cache_dir()
    assert summary.path.parent == cache
    assert file_mode(cache) == 0o700
    assert file_mode(summary.path) == 0o600
