"""Database URL -> SQLAlchemy engine, with SQLite set up for several processes at once.

SQLite: WAL, a busy timeout, foreign keys on, and write transactions that start with
``BEGIN IMMEDIATE`` (a plain ``BEGIN`` whose snapshot went stale fails at once with "database is
locked", ignoring the busy timeout). Read-only work uses ``read_only=True`` and a plain BEGIN.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftctl.errors import DatabaseError, ValidationError

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


# The drivers driftctl ships with, after normalize_url.
SUPPORTED_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
SCHEMES_HELP = (
    "use sqlite:///PATH (or a plain file path) or postgresql://USER@HOST/DATABASE "
    "(postgres:// and postgresql+psycopg:// work too)"
)


def check_url(url: str) -> str:
    """The normalised URL; ValidationError naming the schemes that work for any other scheme."""
    url = normalize_url(url)
    scheme = url.split("://", 1)[0].lower()
    if scheme not in SUPPORTED_SCHEMES:
        raise ValidationError(f"unsupported database URL scheme {scheme[:40]!r}: {SCHEMES_HELP}")
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

    url = check_url(url)
    try:
        if url.startswith("sqlite"):
            prepare_sqlite_file(url)
            engine = sa_create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(engine, event, read_only=read_only)
        else:
            engine = sa_create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise DatabaseError(f"invalid database URL {redact_url(url)}: {exc}") from None
    return engine


def prepare_sqlite_file(url: str) -> None:
    """Check a SQLite URL's file before SQLite opens it, and create it 0600 if it is new.

    Only the default database creates its directory (0700); an explicit path in a directory
    that does not exist, or a directory, is a ValidationError (exit 2). The default database
    and its -wal/-shm files are also tightened to 0600 when an older driftctl left them
    readable by others.
    """
    from sqlalchemy.engine import make_url

    from driftctl.files import PRIVATE_DIR, PRIVATE_FILE, create_private_file, private_dir, tighten

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).expanduser()
    default = _is_default_database(path)
    if default:
        private_dir(path.parent)
        tighten(path.parent, PRIVATE_DIR)
    elif not path.parent.is_dir():
        raise ValidationError(
            f"cannot create the database {path}: directory {path.parent} does not exist "
            "(create it first; only the default database creates its own directory)"
        )
    if path.is_dir():
        raise ValidationError(f"database {path} is a directory, not a SQLite database file")
    if not path.exists():
        create_private_file(path)
        return
    # The header is not checked here: opening and closing the file outside SQLite would drop
    # the POSIX locks this process's own connections hold on it. SQLite's "file is not a
    # database" is translated where database errors are (services.context.db_errors).
    if default:
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            tighten(name, PRIVATE_FILE)


def _is_default_database(path: Path) -> bool:
    from driftctl.config import default_database_url

    default = Path(default_database_url().removeprefix("sqlite:///"))
    return path.absolute() == default.absolute()


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
