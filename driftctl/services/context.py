"""What every service call needs: the database, who is acting, and how to open a transaction."""

from __future__ import annotations

import functools
import getpass
import logging
import platform
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from driftctl import __version__
from driftctl.domain import Role
from driftctl.errors import DatabaseError, DriftctlError, ForbiddenError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

    from driftctl.config import Settings

log = logging.getLogger("driftctl.services")

# SQLite's words for a file that is something else (or encrypted): bad input, not an outage.
NOT_A_DATABASE = ("file is not a database", "file is encrypted or is not a database")

P = ParamSpec("P")
R = TypeVar("R")


def timed(fn: Callable[P, R]) -> Callable[P, R]:
    """Log the call's duration at debug level (every service entry point uses this)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            log.debug(
                "service call finished",
                extra={
                    "service": f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}",
                    "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                },
            )

    return wrapper


@dataclass(frozen=True)
class Actor:
    """Who performs an action. Local mode: the OS user, acting as admin, without an id."""

    email: str
    role: Role
    id: uuid.UUID | None = None
    is_local: bool = False

    def require(self, minimum: Role, action: str) -> None:
        """Raise ForbiddenError (exit 5) if this actor's role is below ``minimum``."""
        order = {Role.VIEWER: 1, Role.ENGINEER: 2, Role.ADMIN: 3}
        if order[self.role] < order[minimum]:
            log.warning("permission denied", extra={"actor": self.email, "action": action})
            raise ForbiddenError(
                f"{self.email} ({self.role.value}) may not {action}: needs {minimum.value}"
            )


def local_actor() -> Actor:
    try:
        user = getpass.getuser()
    except Exception:
        user = "local"
    return Actor(email=f"{user}@{platform.node() or 'localhost'}", role=Role.ADMIN, is_local=True)


def user_agent(command: str | None = None) -> str:
    cmd = command if command is not None else " ".join(["driftctl", *sys.argv[1:2]])
    return f"driftctl/{__version__} ({platform.node()}; {cmd})"[:500]


@dataclass
class Context:
    """A database plus an actor. Build with ``open_context``; pass to every service call."""

    settings: Settings
    engine: Engine
    read_engine: Engine
    actor: Actor = field(default_factory=local_actor)
    command: str | None = None

    @property
    def user_agent(self) -> str:
        return user_agent(self.command)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE on SQLite); commits on success."""
        from sqlmodel import Session

        with (
            db_errors(self),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (plain BEGIN on SQLite)."""
        from sqlmodel import Session

        with (
            db_errors(self),
            Session(self.read_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def query(self) -> Iterator[Connection]:
        """A read-only transaction on a plain connection, for Core queries on
        ``driftctl.db.tables``: read commands use it, so they never import the ORM."""
        with db_errors(self), self.read_engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


@contextmanager
def db_errors(ctx: Context) -> Iterator[None]:
    """Operational database failures become DatabaseError (exit 6), one line, no password."""
    from sqlalchemy.exc import DatabaseError as SADatabaseError
    from sqlalchemy.exc import IntegrityError, OperationalError

    from driftctl.db.engine import redact_url

    try:
        yield
    except DriftctlError:
        raise
    except IntegrityError:
        raise
    except SADatabaseError as exc:
        # OperationalError, or SQLite's plain DatabaseError for a damaged file ("database disk
        # image is malformed"); anything else (a bad statement) is a bug, not the database.
        if not isinstance(exc, OperationalError) and type(exc.orig).__name__ != "DatabaseError":
            raise
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if reason in NOT_A_DATABASE:
            raise ValidationError(
                f"{redact_url(ctx.settings.database_url)} is not a SQLite database ({reason})"
            ) from None
        raise DatabaseError(
            f"database {redact_url(ctx.settings.database_url)} failed: {reason}"
        ) from None


def open_context(
    settings: Settings, *, command: str | None = None, migrate: bool = True
) -> Context:
    """Connect, bring a SQLite database up to date (a PostgreSQL one must be upgraded by hand).

    Raises DatabaseError (exit 6) when the database cannot be reached or is behind.
    """
    from driftctl.db.engine import create_engine

    url = settings.database_url
    engine = create_engine(url)
    read_engine = create_engine(url, read_only=True) if url.startswith("sqlite") else engine
    ctx = Context(settings=settings, engine=engine, read_engine=read_engine, command=command)
    if migrate:
        ensure_schema(ctx)
    return ctx


def open_existing(settings: Settings, *, command: str | None = None) -> Context | None:
    """A context on the configured database only if it already exists and is up to date.

    For reads that must write nothing (``scan --no-store``): no SQLite file is created and no
    schema migrated; None when there is no database, it is behind, or it cannot be reached.
    """
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from driftctl.db import SCHEMA_HEAD
    from driftctl.db.engine import normalize_url

    url = normalize_url(settings.database_url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if not database or database == ":memory:" or not Path(database).expanduser().is_file():
            return None
    try:
        ctx = open_context(settings, command=command, migrate=False)
    except DriftctlError:
        return None
    try:
        current = schema_revision(ctx)
    except DriftctlError:
        current = None
    if current != SCHEMA_HEAD:
        log.info("not reading the database: it is not at schema %s", SCHEMA_HEAD)
        ctx.dispose()
        return None
    return ctx


def ensure_schema(ctx: Context) -> None:
    """SQLite: create/upgrade on first use. PostgreSQL: refuse to run against an old schema."""
    from driftctl.db import SCHEMA_HEAD

    current = schema_revision(ctx)
    if current == SCHEMA_HEAD:
        return
    if ctx.engine.dialect.name == "sqlite":
        from driftctl.db import migrate

        log.info("migrating database", extra={"from": current, "to": SCHEMA_HEAD})
        with db_errors(ctx):
            migrate.upgrade(ctx.engine)
        return
    from driftctl.db.engine import redact_url

    where = redact_url(ctx.settings.database_url)
    if current is None:
        raise DatabaseError(f"database {where} has no driftctl schema: run `driftctl db upgrade`")
    raise DatabaseError(
        f"database {where} is at schema {current}, driftctl needs {SCHEMA_HEAD}: "
        "run `driftctl db upgrade`"
    )


def schema_revision(ctx: Context) -> str | None:
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError as SADatabaseError

    with db_errors(ctx), ctx.read_engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except SADatabaseError:
            return None
        return None if row is None else str(row[0])


__all__ = ["Actor", "Context", "open_context", "timed"]
