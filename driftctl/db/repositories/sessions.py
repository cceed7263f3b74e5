"""SQL for login sessions. Only a SHA-256 of each token is stored, never the token itself.

Functions take a Session (or, for the per-command identity lookup, a Connection), never commit,
and are keyword-only after it. That lookup is a Core query on ``driftctl.db.tables``; the others
work on the ORM model and import it when called.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, or_, select, update

from driftctl.db import tables

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from driftctl.db.models import LoginSession


@dataclass(frozen=True)
class SessionIdentity:
    """A session row joined with its user: what identifying the caller needs."""

    session_id: uuid.UUID
    expires_at: datetime
    is_revoked: bool
    last_used_at: datetime | None
    created_at: datetime
    user_id: uuid.UUID
    email: str
    role: str
    is_active: bool


def find_identity(conn: Connection | Session, *, token_hash: str) -> SessionIdentity | None:
    """The session whose token hashes to ``token_hash``, with its user, in one query."""
    ls, users = tables.sessions, tables.users
    stmt = (
        select(
            ls.c.id,
            ls.c.expires_at,
            ls.c.is_revoked,
            ls.c.last_used_at,
            ls.c.created_at,
            users.c.id,
            users.c.email,
            users.c.role,
            users.c.is_active,
        )
        .join(users, users.c.id == ls.c.user_id)
        .where(ls.c.refresh_token == token_hash)
    )
    row = conn.execute(stmt).first()
    if row is None:
        return None
    return SessionIdentity(*row)


def add(
    session: Session,
    *,
    user_id: uuid.UUID,
    token_hash: str,
    expires_at: datetime,
    user_agent: str | None,
    created_at: datetime,
) -> LoginSession:
    """Insert a session row and flush."""
    from driftctl.db.models import LoginSession

    row = LoginSession(
        user_id=user_id,
        refresh_token=token_hash,
        expires_at=expires_at,
        user_agent=user_agent[:500] if user_agent else None,
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    return row


def revoke(session: Session, *, session_id: uuid.UUID) -> bool:
    """Compare-and-set revoke: False when already revoked (or gone)."""
    from sqlmodel import col

    from driftctl.db.models import LoginSession

    stmt = (
        update(LoginSession)
        .where(col(LoginSession.id) == session_id, col(LoginSession.is_revoked).is_(False))
        .values(is_revoked=True)
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def revoke_for_user(session: Session, *, user_id: uuid.UUID, keep: uuid.UUID | None = None) -> int:
    """Revoke every live session of a user except ``keep``; returns how many."""
    from sqlmodel import col

    from driftctl.db.models import LoginSession

    stmt = update(LoginSession).where(
        col(LoginSession.user_id) == user_id, col(LoginSession.is_revoked).is_(False)
    )
    if keep is not None:
        stmt = stmt.where(col(LoginSession.id) != keep)
    result = session.execute(
        stmt.values(is_revoked=True).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def touch(
    session: Session, *, session_id: uuid.UUID, now: datetime, stale_before: datetime
) -> bool:
    """Set last_used_at unless another process did so after ``stale_before``."""
    from sqlmodel import col

    from driftctl.db.models import LoginSession

    stmt = (
        update(LoginSession)
        .where(
            col(LoginSession.id) == session_id,
            or_(
                col(LoginSession.last_used_at).is_(None),
                col(LoginSession.last_used_at) < stale_before,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]
