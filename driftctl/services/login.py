"""login, logout, whoami: opening and ending team-mode sessions on this machine.

A login's token is kept in the system keyring or, without one, in a 0600 token file
(``driftctl.services.tokens``); ``--print-token`` hands it to the caller instead (CI).
"""

from __future__ import annotations

import functools
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import sessions as sessions_repo
from driftctl.db.repositories import users as users_repo
from driftctl.db.repositories.sessions import SessionIdentity
from driftctl.db.types import utcnow
from driftctl.domain import AuditAction
from driftctl.errors import DriftctlError, ForbiddenError, ValidationError
from driftctl.passwords import hash_password, verify_password
from driftctl.services import tokens
from driftctl.services.context import Context, timed
from driftctl.services.identity import (
    TOKEN_ENV,
    TokenOrigin,
    find_token,
    hash_token,
    resolve_identity,
)
from driftctl.services.listing import parse_age
from driftctl.services.users import normalize_email

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(hours=12)
MAX_TTL = timedelta(days=30)
MIN_TTL = timedelta(minutes=1)
INVALID_LOGIN = "invalid e-mail or password"
StoredIn = Literal["keyring", "file", "printed"]


@dataclass(frozen=True)
class LoginResult:
    """A new session. ``token`` is set only when the caller asked for it to be printed."""

    email: str
    role: str
    session_id: str
    expires_at: datetime
    stored_in: StoredIn
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
            "stored_in": self.stored_in,
            "token_file": str(tokens.token_file()) if self.stored_in == "file" else None,
        }


@dataclass(frozen=True)
class LogoutResult:
    email: str | None
    revoked: bool
    removed_saved_token: bool


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


def parse_ttl(text: str) -> timedelta:
    """``--ttl``: 90m, 12h, 7d, 2w (1 minute to 30 days); ValidationError otherwise."""
    try:
        ttl = parse_age(text)
    except OverflowError:
        ttl = MAX_TTL * 2
    if ttl is None:
        raise ValidationError(
            f"invalid --ttl {text[:40]!r}: use minutes, hours or days (90m, 12h, 7d)"
        )
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise ValidationError(f"--ttl {text[:40]} is out of range: from 1m to {MAX_TTL.days}d")
    return ttl


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
    """Check the password and open a session; keep its token on this machine or return it.

    Raises ForbiddenError ("invalid e-mail or password": unknown e-mail, wrong password or
    deactivated user alike), ValidationError (bad e-mail or ttl, token file not writable),
    ExternalServiceError (the keyring refused the token).
    """
    address = normalize_email(email)
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise ValidationError(f"session lifetime must be between 1m and {MAX_TTL.days}d")
    with ctx.read() as session:
        user = users_repo.get_by_email(session, address)
        stored_hash = user.password_hash if user is not None else _decoy_hash()
        user_id = user.id if user is not None else None
    if not verify_password(password, stored_hash) or user is None or not user.is_active:
        _deny(address)

    database = ctx.settings.database_url
    previous = None if print_token else tokens.load(database)
    stored_in: StoredIn = "printed" if print_token else tokens.store_for_new_token()
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
            details={"ttl_seconds": int(ttl.total_seconds()), "stored_in": stored_in},
            user_agent=ctx.user_agent,
            created_at=now,
        )
        replaced = (
            sessions_repo.find_identity(session, token_hash=hash_token(previous[0]))
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
            stored_in=stored_in,
            token=token if print_token else None,
        )
    if not print_token:
        try:
            tokens.save(database, token)
        except DriftctlError:
            with ctx.write() as session:
                unsaved = sessions_repo.find_identity(session, token_hash=hash_token(token))
                if unsaved is not None:
                    _revoke(ctx, session, unsaved, reason="the token was not saved", now=utcnow())
            raise
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
    """Revoke the caller's session and forget its saved token; ForbiddenError when not logged
    in."""
    found = find_token(ctx)
    if found is None:
        raise ForbiddenError(
            f"not logged in: there is no token in {TOKEN_ENV}, the keyring or the token file"
        )
    now = utcnow()
    with ctx.write() as session:
        ident = sessions_repo.find_identity(session, token_hash=hash_token(found.token))
        revoked = ident is not None and _revoke(ctx, session, ident, reason="logout", now=now)
    removed = found.origin != "env" and tokens.delete(ctx.settings.database_url)
    return LogoutResult(
        email=ident.email if ident else None, revoked=revoked, removed_saved_token=removed
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
