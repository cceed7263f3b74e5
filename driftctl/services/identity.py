"""Who is acting: the implicit local admin, or (team mode) the logged-in user.

Local mode: the database has no users. Every command runs as the OS user acting as admin, so a
single engineer never meets a login prompt.

Team mode: the database has at least one user. The caller proves who they are with a session
token, looked up in this order:

1. the environment variable ``DRIFTCTL_TOKEN`` (CI jobs: ``driftctl login --print-token``);
2. the system keyring, service ``driftctl``, under an entry derived from the database URL, so
   that two databases keep two separate logins (``driftctl login`` stores it there).

The database keeps only a SHA-256 of each token. ``keyring`` is imported lazily, and only in team
mode: finding its backend is slow, and local mode never needs it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar

from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import sessions as sessions_repo
from driftctl.db.repositories import users as users_repo
from driftctl.db.repositories.sessions import SessionIdentity
from driftctl.db.types import utcnow
from driftctl.domain import AuditAction, Role
from driftctl.errors import (
    DatabaseError,
    DriftctlError,
    ExternalServiceError,
    ForbiddenError,
    ValidationError,
)
from driftctl.passwords import hash_password, verify_password
from driftctl.services.context import Actor, Context, db_errors, local_actor, timed
from driftctl.services.users import normalize_email

if TYPE_CHECKING:
    from collections.abc import Callable

    from keyring.backend import KeyringBackend
    from sqlalchemy import Connection
    from sqlmodel import Session

log = logging.getLogger(__name__)

TOKEN_ENV = "DRIFTCTL_TOKEN"
KEYRING_SERVICE = "driftctl"
DEFAULT_TTL = timedelta(hours=12)
MAX_TTL = timedelta(days=30)
MIN_TTL = timedelta(minutes=1)
# last_used_at is a hint for admins, not an access log: one write a minute is plenty.
TOUCH_INTERVAL = timedelta(minutes=1)
NOT_LOGGED_IN = (
    f"not logged in: run `driftctl login --email EMAIL` or set {TOKEN_ENV} "
    "(this database has users, so commands need a login)"
)
INVALID_LOGIN = "invalid e-mail or password"
# Commands that must work in team mode without a valid login: the way in, the way out, and a
# look at the schema revision.
NO_LOGIN_COMMANDS = frozenset({"driftctl login", "driftctl logout", "driftctl db current"})
ANONYMOUS = Actor(email="(not logged in)", role=Role.VIEWER)

TokenOrigin = Literal["env", "keyring"]
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


@dataclass(frozen=True)
class LoginResult:
    """A new session. ``token`` is set only when the caller asked for it to be printed."""

    email: str
    role: str
    session_id: str
    expires_at: datetime
    stored_in_keyring: bool
    token: str | None = None

    def __repr__(self) -> str:
        return f"LoginResult(email={self.email!r}, session_id={self.session_id!r})"

    def to_dict(self) -> dict[str, Any]:
        """Session facts for ``-o json`` (never the token)."""
        return {
            "email": self.email,
            "role": self.role,
            "session_id": self.session_id,
            "expires_at": self.expires_at.isoformat(),
            "stored_in": "keyring" if self.stored_in_keyring else "printed",
        }


@dataclass(frozen=True)
class LogoutResult:
    email: str | None
    revoked: bool
    removed_from_keyring: bool


@dataclass(frozen=True)
class WhoAmI:
    mode: Literal["local", "team"]
    email: str
    role: str
    user_id: str | None
    database: str
    session_id: str | None = None
    session_expires_at: datetime | None = None
    token_origin: TokenOrigin | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "email": self.email,
            "role": self.role,
            "user_id": self.user_id,
            "database": self.database,
            "session_id": self.session_id,
            "session_expires_at": (
                self.session_expires_at.isoformat() if self.session_expires_at else None
            ),
            "token_source": self.token_origin,
        }


# --- tokens and the keyring -------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token's session is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyring_entry(database_url: str) -> str:
    """The keyring user name holding the token for this database (no password in it)."""
    from sqlalchemy.engine import make_url

    from driftctl.db.engine import normalize_url, redact_url

    url = normalize_url(database_url)
    try:
        parsed = make_url(url)
        if parsed.drivername.startswith("sqlite") and parsed.database not in (None, ":memory:"):
            # One file reached by two relative paths is one database.
            url = parsed.set(database=str(Path(parsed.database or "").resolve())).render_as_string()
    except Exception:
        pass
    digest = hashlib.sha256(redact_url(url).encode()).hexdigest()[:32]
    return f"session-token:{digest}"


def _keyring_backend() -> KeyringBackend | None:
    from driftctl.secrets import usable_backend

    return usable_backend()


def _keyring_call(fn: Callable[[], T], what: str) -> tuple[bool, T | None]:
    """Run one keyring operation: (True, result), or (False, None) when the keyring failed."""
    from keyring.errors import KeyringError

    try:
        return True, fn()
    except (KeyringError, RuntimeError, OSError) as exc:
        log.debug("keyring %s failed: %s", what, type(exc).__name__)
        return False, None


def _keyring_token(ctx: Context) -> str | None:
    backend = _keyring_backend()
    if backend is None:
        return None
    entry = keyring_entry(ctx.settings.database_url)
    return _keyring_call(lambda: backend.get_password(KEYRING_SERVICE, entry), "read")[1] or None


def _env_token() -> str | None:
    return (os.environ.get(TOKEN_ENV) or "").strip() or None


def find_token(ctx: Context) -> FoundToken | None:
    """The caller's token: DRIFTCTL_TOKEN, else the keyring entry for this database."""
    env = _env_token()
    if env:
        return FoundToken(env, "env")
    stored = _keyring_token(ctx)
    return FoundToken(stored, "keyring") if stored else None


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
            stored = _keyring_token(ctx)
            if stored is None:
                raise ForbiddenError(NOT_LOGGED_IN)
            found = FoundToken(stored, "keyring")
            ident = _query(
                ctx, lambda c: sessions_repo.find_identity(c, token_hash=hash_token(stored))
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


# --- login, logout, whoami --------------------------------------------------------------------


def parse_ttl(text: str) -> timedelta:
    """``--ttl``: 90m, 12h, 7d, 2w (1 minute to 30 days); ValidationError otherwise."""
    match = re.fullmatch(r"(\d+)\s*([mhdw])", text.strip().lower())
    if not match:
        raise ValidationError(f"invalid --ttl {text!r}: use minutes, hours or days (90m, 12h, 7d)")
    amount, unit = int(match.group(1)), match.group(2)
    ttl = {
        "m": timedelta(minutes=amount),
        "h": timedelta(hours=amount),
        "d": timedelta(days=amount),
        "w": timedelta(weeks=amount),
    }[unit]
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise ValidationError(f"--ttl {text} is out of range: from 1m to {MAX_TTL.days}d")
    return ttl


def check_token_storage(*, print_token: bool) -> None:
    """Before asking for a password: ValidationError if the token would have nowhere to go."""
    if not print_token and _keyring_backend() is None:
        raise ValidationError(
            "no system keyring is available to keep the login: run `driftctl login --email EMAIL "
            f"--print-token` and pass the printed token in {TOKEN_ENV}"
        )


@functools.cache
def _decoy_hash() -> str:
    # Verifying against a real hash makes "no such user" cost as much as "wrong password".
    return hash_password(secrets.token_urlsafe(16))


@timed
def login(
    ctx: Context,
    email: str,
    password: str,
    *,
    ttl: timedelta = DEFAULT_TTL,
    print_token: bool = False,
) -> LoginResult:
    """Check the password and open a session; keep its token in the keyring or return it.

    Raises ForbiddenError ("invalid e-mail or password": unknown e-mail, wrong password or
    deactivated user alike), ValidationError (bad e-mail or ttl, no keyring and no
    print_token), ExternalServiceError (the keyring refused the token).
    """
    address = normalize_email(email)
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise ValidationError(f"session lifetime must be between 1m and {MAX_TTL.days}d")
    check_token_storage(print_token=print_token)
    backend = None if print_token else _keyring_backend()
    with ctx.read() as session:
        user = users_repo.get_by_email(session, address)
        stored_hash = user.password_hash if user is not None else _decoy_hash()
        user_id = user.id if user is not None else None
    if not verify_password(password, stored_hash) or user is None or not user.is_active:
        _deny(address)

    entry = keyring_entry(ctx.settings.database_url)
    previous = (
        _keyring_call(lambda: backend.get_password(KEYRING_SERVICE, entry), "read")[1]
        if backend is not None
        else None
    )
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + ttl
    with ctx.write() as session:
        current = users_repo.get(session, user_id) if user_id else None
        if current is None or not current.is_active:
            _deny(address)
        row = sessions_repo.add(
            session,
            user_id=current.id,
            token_hash=hash_token(token),
            expires_at=expires_at,
            user_agent=ctx.user_agent,
            created_at=now,
        )
        users_repo.update_user(session, user_id=current.id, values={"last_login_at": now})
        audit_repo.append(
            session,
            action=AuditAction.SESSION_CREATED.value,
            actor_id=current.id,
            actor_email=current.email,
            new_value={"session_id": str(row.id), "expires_at": expires_at.isoformat()},
            details={
                "ttl_seconds": int(ttl.total_seconds()),
                "stored_in": "printed" if print_token else "keyring",
            },
            user_agent=ctx.user_agent,
            created_at=now,
        )
        replaced = (
            sessions_repo.find_identity(session, token_hash=hash_token(previous))
            if previous
            else None
        )
        if replaced is not None:
            # This machine's older login to the same database is replaced, not left running.
            _revoke(ctx, session, replaced, reason="replaced by a new login", now=now)
        result = LoginResult(
            email=current.email,
            role=current.role,
            session_id=str(row.id),
            expires_at=expires_at,
            stored_in_keyring=backend is not None,
            token=token if print_token else None,
        )
    if backend is not None:
        saved, _ = _keyring_call(
            lambda: backend.set_password(KEYRING_SERVICE, entry, token), "write"
        )
        if not saved:
            with ctx.write() as session:
                unsaved = sessions_repo.find_identity(session, token_hash=hash_token(token))
                if unsaved is not None:
                    _revoke(ctx, session, unsaved, reason="the keyring refused it", now=utcnow())
            raise ExternalServiceError(
                "the system keyring refused to store the login token: use --print-token and "
                f"pass the token in {TOKEN_ENV}"
            )
    return result


def _deny(email: str) -> NoReturn:
    log.warning("login failed", extra={"email": email})
    raise ForbiddenError(INVALID_LOGIN)


def _revoke(
    ctx: Context, session: Session, ident: SessionIdentity, *, reason: str, now: datetime
) -> bool:
    """Revoke a session if it is still live, with its audit row; False if it already was."""
    if not sessions_repo.revoke(session, session_id=ident.session_id):
        return False
    audit_repo.append(
        session,
        action=AuditAction.SESSION_REVOKED.value,
        actor_id=ident.user_id,
        actor_email=ident.email,
        old_value={"is_revoked": False},
        new_value={"is_revoked": True},
        details={"session_id": str(ident.session_id), "reason": reason},
        user_agent=ctx.user_agent,
        created_at=now,
    )
    return True


@timed
def logout(ctx: Context) -> LogoutResult:
    """Revoke the caller's session and forget its token; ForbiddenError when not logged in."""
    found = find_token(ctx)
    if found is None:
        raise ForbiddenError(f"not logged in: there is no token in {TOKEN_ENV} or the keyring")
    now = utcnow()
    with ctx.write() as session:
        ident = sessions_repo.find_identity(session, token_hash=hash_token(found.token))
        revoked = ident is not None and _revoke(ctx, session, ident, reason="logout", now=now)
    removed = False
    if found.origin == "keyring":
        backend = _keyring_backend()
        entry = keyring_entry(ctx.settings.database_url)
        if backend is not None:
            removed, _ = _keyring_call(
                lambda: backend.delete_password(KEYRING_SERVICE, entry), "delete"
            )
    return LogoutResult(
        email=ident.email if ident else None, revoked=revoked, removed_from_keyring=removed
    )


@timed
def whoami(ctx: Context) -> WhoAmI:
    """Who this command runs as, on which database; ForbiddenError without a valid login."""
    from driftctl.db.engine import redact_url

    ident = resolve_identity(ctx)
    database = redact_url(ctx.settings.database_url)
    actor = ident.actor
    if ident.session is None:
        return WhoAmI("local", actor.email, actor.role.value, None, database)
    return WhoAmI(
        "team",
        actor.email,
        actor.role.value,
        str(actor.id),
        database,
        session_id=str(ident.session.session_id),
        session_expires_at=ident.session.expires_at,
        token_origin=ident.token_origin,
    )
