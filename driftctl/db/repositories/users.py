"""SQL for users. Functions take a Session, never commit, and are keyword-only after it.

``any_exist``, which every command's identity check runs, is a Core query on
``driftctl.db.tables``; the others work on the ORM model and import it when called.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update

from driftctl.db.tables import users as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from driftctl.db.models import User


def any_exist(conn: Session | Connection) -> bool:
    """Tell whether the database has at least one user (team mode), active or not."""
    return bool(conn.execute(select(select(t.c.id).exists())).scalar())


def get(session: Session, user_id: uuid.UUID) -> User | None:
    from driftctl.db.models import User

    return session.get(User, user_id)


def get_by_email(session: Session, email: str) -> User | None:
    """The user with this (already normalised, lower-case) e-mail, or None."""
    from sqlmodel import col

    from driftctl.db.models import User

    stmt = select(User).where(col(User.email) == email)
    return session.execute(stmt).scalars().first()


def add(
    session: Session,
    *,
    email: str,
    password_hash: str,
    role: str,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Insert a user and flush; a duplicate e-mail raises IntegrityError from the flush."""
    from driftctl.db.models import User

    user = User(
        email=email,
        password_hash=password_hash,
        role=role,
        first_name=first_name,
        last_name=last_name,
    )
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, *, user_id: uuid.UUID, values: dict[str, Any]) -> bool:
    """Update one user's columns; False when no such user."""
    from sqlmodel import col

    from driftctl.db.models import User

    stmt = (
        update(User)
        .where(col(User.id) == user_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def lock_active_admin_ids(session: Session) -> list[uuid.UUID]:
    """Ids of the active admins, row-locked until commit on PostgreSQL (FOR UPDATE)."""
    from sqlmodel import col

    from driftctl.db.models import User

    stmt = (
        select(col(User.id))
        .where(col(User.role) == "admin", col(User.is_active).is_(True))
        .order_by(col(User.id))
        .with_for_update()
    )
    return list(session.execute(stmt).scalars())


def count(session: Session) -> int:
    from driftctl.db.models import User

    return int(session.execute(select(func.count()).select_from(User)).scalar_one())


def list_page(session: Session, *, offset: int, limit: int) -> list[User]:
    """Users ordered by e-mail, one page."""
    from sqlmodel import col

    from driftctl.db.models import User

    stmt = select(User).order_by(col(User.email)).offset(offset).limit(limit)
    return list(session.execute(stmt).scalars())
