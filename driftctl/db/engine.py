"""Database URL -> SQLAlchemy engine, with SQLite set up for several processes at once.

SQLite: WAL, a busy timeout, foreign keys on, and write transactions that start with
``BEGIN IMMEDIATE`` (a plain ``BEGIN`` whose snapshot went stale fails at once with "database is
locked", ignoring the busy timeout). Read-only work uses ``read_only=True`` and a plain BEGIN.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftctl.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Accept the URL spellings people paste: postgres://, postgresql://, a bare file path."""
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    return url


def redact_url(url: str) -> str:
    """The URL with any password replaced, safe to print."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def create_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for ``url``; raises DatabaseError for a URL SQLAlchemy cannot use."""
    from sqlalchemy import create_engine as sa_create_engine
    from sqlalchemy import event
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    url = normalize_url(url)
    try:
        if url.startswith("sqlite"):
            _ensure_sqlite_dir(url)
            engine = sa_create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(engine, event, read_only=read_only)
        else:
            engine = sa_create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise DatabaseError(f"invalid database URL {redact_url(url)}: {exc}") from None
    return engine


def _ensure_sqlite_dir(url: str) -> None:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine, event: Any, *, read_only: bool) -> None:
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module so BEGIN IMMEDIATE is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
