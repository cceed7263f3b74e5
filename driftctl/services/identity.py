"""Who is acting: the implicit local admin, or (team mode) the logged-in user.

Local mode: the database has no users. Every command runs as the OS user acting as admin, so a
single engineer never meets a login prompt.

Team mode: the database has at least one user. The caller proves who they are with a session
token, looked up in this order:

1. the environment variable ``DRIFTCTL_TOKEN`` (CI jobs: ``driftctl login --print-token``);
2. the system keyring, service ``driftctl``, under an entry derived from the database URL, so
   that two databases keep two separate logins (``driftctl login`` stores it there);
3. on a machine without a keyring, the 0600 token file ``session-tokens.json`` in the user
   config directory (see ``driftctl.services.tokens``).

The database keeps only a SHA-256 of each token. Logging in and out is in
``driftctl.services.login``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal, TypeVar

from driftctl.db.repositories import sessions as sessions_repo
from driftctl.db.repositories import users as users_repo
from driftctl.db.repositories.sessions import SessionIdentity
from driftctl.db.types import utcnow
from driftctl.domain import Role
from driftctl.errors import DatabaseError, DriftctlError, ForbiddenError
from driftctl.services import tokens
from driftctl.services.context import Actor, Context, db_errors, local_actor

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection

log = logging.getLogger(__name__)

TOKEN_ENV = "DRIFTCTL_TOKEN"
# last_used_at is a hint for admins, not an access log: one write a minute is plenty.
TOUCH_INTERVAL = timedelta(minutes=1)
NOT_LOGGED_IN = (
    f"not logged in: run `driftctl login --email EMAIL` or set {TOKEN_ENV} "
    "(this database has users, so commands need a login)"
)
# Commands that must work in team mode without a valid login: the way in, the way out, a look
# at the schema revision, and demo data (which refuses any database that has users itself).
NO_LOGIN_COMMANDS = frozenset(
    {"driftctl login", "driftctl logout", "driftctl db current", "driftctl db seed"}
)
ANONYMOUS = Actor(email="(not logged in)", role=Role.VIEWER)

TokenOrigin = Literal["env", "keyring", "file"]
T = TypeVar("T")


@dataclass(frozen=True)
class FoundToken:
    """A session token and where it came from (never logged, never printed)."""

    token: str
    origin: TokenOrigin

    def __repr__(self) -> str:
        return f"FoundToken(origin={self.origin!r})"

    @property
    def described(self) -> str:
        return f"the token in {TOKEN_ENV}" if self.origin == "env" else "your saved login"


@dataclass(frozen=True)
class Identity:
    """The resolved caller: local mode, or a user with a live session."""

    actor: Actor
    mode: Literal["local", "team"]
    session: SessionIdentity | None = None
    token_origin: TokenOrigin | None = None


# --- tokens -----------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token's session is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _env_token() -> str | None:
    return (os.environ.get(TOKEN_ENV) or "").strip() or None


def find_token(ctx: Context) -> FoundToken | None:
    """The caller's token: DRIFTCTL_TOKEN, else this machine's saved login for this database."""
    env = _env_token()
    if env:
        return FoundToken(env, "env")
    stored = tokens.load(ctx.settings.database_url)
    return FoundToken(stored[0], stored[1]) if stored else None


# --- who is acting ----------------------------------------------------------------------------


class _SessionRejected(ForbiddenError):
    """A token that names no usable session; remembers whose it was, for the log only."""

    def __init__(self, message: str, *, actor_email: str | None) -> None:
        super().__init__(message)
        self.actor_email = actor_email


class _NoSchema(Exception):
    """The database has no driftctl tables yet (before the first ``db upgrade``)."""


def _query(ctx: Context, fn: Callable[[Connection], T]) -> T:
    """Run a read on its own connection; _NoSchema when the users table does not exist."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from driftctl.db.engine import redact_url

    with db_errors(ctx):
        try:
            with ctx.read_engine.connect() as conn:
                return fn(conn)
        except (OperationalError, ProgrammingError) as exc:
            # Tell "no schema yet" apart from a failing database: the latter must never fall
            # back to the local admin.
            with ctx.read_engine.connect() as conn:
                if not inspect(conn).has_table("users"):
                    raise _NoSchema() from None
            if isinstance(exc, OperationalError):
                raise
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise DatabaseError(
                f"database {redact_url(ctx.settings.database_url)} refused to identify the "
                f"caller: {reason}"
            ) from None


def _local() -> Identity:
    return Identity(actor=local_actor(), mode="local")


def resolve_identity(ctx: Context) -> Identity:
    """Local mode, or the user behind the caller's token.

    Raises ForbiddenError (exit 5) in team mode without a token, or with an unknown, expired or
    revoked one, or for a deactivated user.
    """
    env = _env_token()
    try:
        if env:
            # CI's path: one query answers both "which user" and (by a hit) "team mode".
            found = FoundToken(env, "env")
            ident = _query(
                ctx, lambda c: sessions_repo.find_identity(c, token_hash=hash_token(env))
            )
            if ident is None and not _query(ctx, users_repo.any_exist):
                return _local()
        else:
            if not _query(ctx, users_repo.any_exist):
                return _local()
            saved = find_token(ctx)
            if saved is None:
                raise ForbiddenError(NOT_LOGGED_IN)
            found = saved
            ident = _query(
                ctx, lambda c: sessions_repo.find_identity(c, token_hash=hash_token(saved.token))
            )
    except _NoSchema:
        return _local()
    _check_session(ident, found)
    assert ident is not None
    _touch(ctx, ident)
    actor = Actor(email=ident.email, role=Role(ident.role), id=ident.user_id)
    return Identity(actor=actor, mode="team", session=ident, token_origin=found.origin)


def _check_session(ident: SessionIdentity | None, found: FoundToken) -> None:
    login_again = "run `driftctl login --email EMAIL`"
    if found.origin == "env":
        login_again += f" and put the new token in {TOKEN_ENV}"
    problem = None
    if ident is None:
        problem = f"{found.described} is not a known session: {login_again}"
    elif ident.is_revoked:
        problem = (
            f"{found.described} was revoked (by a logout, a newer login on this machine, or an "
            f"admin): {login_again}"
        )
    elif ident.expires_at <= utcnow():
        when = ident.expires_at.isoformat(timespec="seconds")
        problem = f"{found.described} expired at {when}: {login_again}"
    elif not ident.is_active:
        problem = f"user {ident.email} is deactivated: ask an admin"
    if problem is not None:
        raise _SessionRejected(problem, actor_email=ident.email if ident else None)


def _touch(ctx: Context, ident: SessionIdentity) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    now = utcnow()
    if ident.last_used_at is not None and ident.last_used_at > now - TOUCH_INTERVAL:
        return
    try:
        with ctx.write() as session:
            sessions_repo.touch(
                session,
                session_id=ident.session_id,
                now=now,
                stale_before=now - TOUCH_INTERVAL,
            )
    except (DriftctlError, SQLAlchemyError) as exc:
        # A read-only database user can still run read commands.
        log.debug("could not record session use: %s", type(exc).__name__)


def current_actor(ctx: Context) -> Actor:
    """The actor for this command: local admin, the logged-in user, or ForbiddenError (exit 5).

    ``login``, ``logout`` and ``db current`` run without a valid login in team mode.
    """
    if ctx.command == "driftctl login":
        return ANONYMOUS
    try:
        return resolve_identity(ctx).actor
    except ForbiddenError as exc:
        if ctx.command in NO_LOGIN_COMMANDS:
            return ANONYMOUS
        log.warning(
            "permission denied: no valid login",
            extra={"command": ctx.command, "actor": getattr(exc, "actor_email", None)},
        )
        raise
