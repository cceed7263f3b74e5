"""Team members: adding users, changing roles, deactivating, resetting passwords.

Every change writes its audit row in the same transaction. Audit rows name the user by id and
e-mail; passwords and their hashes never leave this module except as the stored hash.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from driftctl.db.models import User
from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import sessions as sessions_repo
from driftctl.db.repositories import users as users_repo
from driftctl.db.types import utcnow
from driftctl.domain import AuditAction, Role, jsonable
from driftctl.errors import ConflictError, NotFoundError, ValidationError
from driftctl.passwords import hash_password
from driftctl.services.context import Context, timed
from driftctl.services.listing import Page, check_page

MIN_PASSWORD = 12
# scrypt hashes whatever it is given; a cap keeps a pasted file from costing seconds.
MAX_PASSWORD = 1024
MAX_EMAIL = 255
# The CHECK constraint on users.email, as a regex: one "@", no spaces, a dot inside the domain.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class UserInfo:
    """A user as shown to people and scripts: never the password hash."""

    id: uuid.UUID
    email: str
    role: str
    first_name: str | None
    last_name: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            id=user.id,
            email=user.email,
            role=user.role,
            first_name=user.first_name,
            last_name=user.last_name,
            is_active=user.is_active,
            created_at=user.created_at,
            updated_at=user.updated_at,
            last_login_at=user.last_login_at,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, snake_case keys matching the users columns."""
        result: dict[str, Any] = jsonable(
            {
                "id": self.id,
                "email": self.email,
                "role": self.role,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "is_active": self.is_active,
                "created_at": self.created_at,
                "updated_at": self.updated_at,
                "last_login_at": self.last_login_at,
            }
        )
        return result


def normalize_email(raw: str) -> str:
    """The e-mail trimmed and lower-cased; ValidationError unless it passes the users CHECK."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL or not _EMAIL_RE.match(email):
        shown = raw.strip()[:60]
        raise ValidationError(
            f"invalid e-mail {shown!r}: expected one address like name@example.com, no spaces"
        )
    return email


def validate_password(password: str) -> str:
    """Return the password if long enough; ValidationError (without echoing it) otherwise."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"the password must be at least {MIN_PASSWORD} characters long")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"the password must be at most {MAX_PASSWORD} characters long")
    return password


def parse_role(raw: str) -> Role:
    """admin, engineer or viewer; ValidationError otherwise."""
    try:
        return Role(raw.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValidationError(f"invalid role {raw!r}: choose {choices}") from None


def _subject(user: User) -> dict[str, Any]:
    return {"user_id": str(user.id), "email": user.email}


def _get_user(session: Session, email: str) -> User:
    user = users_repo.get_by_email(session, email)
    if user is None:
        raise NotFoundError(f"no user with e-mail {email}")
    return user


def _audit(
    ctx: Context,
    session: Session,
    action: AuditAction,
    *,
    now: datetime,
    old_value: dict[str, Any] | None = None,
    new_value: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    audit_repo.append(
        session,
        action=action.value,
        actor_id=ctx.actor.id,
        actor_email=ctx.actor.email,
        old_value=old_value,
        new_value=new_value,
        details=details,
        user_agent=ctx.user_agent,
        created_at=now,
    )


def _check_not_last_admin(session: Session, user: User, doing: str) -> None:
    if user.role != Role.ADMIN.value or not user.is_active:
        return
    # Locks the admin rows on PostgreSQL so two admins cannot demote each other at once.
    if users_repo.lock_active_admin_ids(session) == [user.id]:
        raise ConflictError(
            f"cannot {doing} {user.email}: it is the last active admin "
            "(make another user admin first)"
        )


@timed
def add_user(
    ctx: Context,
    email: str,
    *,
    role: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
) -> UserInfo:
    """Create a user. The first user of a database must be an admin; later ones need an admin.

    Raises ValidationError (bad e-mail, role or password; first user not admin), ForbiddenError,
    ConflictError (e-mail taken).
    """
    address = normalize_email(email)
    wanted = parse_role(role)
    validate_password(password)
    ctx.actor.require(Role.ADMIN, "add users")
    with ctx.read() as session:
        first = not users_repo.any_exist(session)
    if first and wanted is not Role.ADMIN:
        raise _first_user_error(wanted)
    # Hashing is slow on purpose: do it before taking the write lock.
    password_hash = hash_password(password)
    now = utcnow()
    try:
        with ctx.write() as session:
            # Re-checked under the write lock: another process may have added the first user.
            first = not users_repo.any_exist(session)
            if first and wanted is not Role.ADMIN:
                raise _first_user_error(wanted)
            if users_repo.get_by_email(session, address) is not None:
                raise _duplicate(address)
            user = users_repo.add(
                session,
                email=address,
                password_hash=password_hash,
                role=wanted.value,
                first_name=first_name,
                last_name=last_name,
            )
            _audit(
                ctx,
                session,
                AuditAction.USER_CREATED,
                now=now,
                new_value={"email": address, "role": wanted.value, "is_active": True},
                details={**_subject(user), "first_user": first},
            )
            return UserInfo.of(user)
    except IntegrityError:
        # Lost a race with another process adding the same e-mail.
        raise _duplicate(address) from None


def _first_user_error(role: Role) -> ValidationError:
    return ValidationError(
        f"the first user of a database must be an admin (got --role {role.value}): "
        "add yourself with --role admin, then add the others"
    )


def _duplicate(email: str) -> ConflictError:
    return ConflictError(f"a user with e-mail {email} already exists", details={"email": email})


@timed
def list_users(ctx: Context, *, page: int = 1, limit: int = 20) -> Page:
    """One page of users ordered by e-mail; ValidationError for a bad page or limit."""
    offset = check_page(page, limit)
    with ctx.read() as session:
        total = users_repo.count(session)
        rows = users_repo.list_page(session, offset=offset, limit=limit)
        items = [UserInfo.of(u).to_dict() for u in rows]
    return Page(items=items, total=total, page=page, page_size=limit)


@timed
def set_role(ctx: Context, email: str, role: str) -> UserInfo:
    """Change a user's role (admin only). NotFoundError, ConflictError for the last admin."""
    address = normalize_email(email)
    wanted = parse_role(role)
    ctx.actor.require(Role.ADMIN, "change roles")
    now = utcnow()
    with ctx.write() as session:
        user = _get_user(session, address)
        old = user.role
        if old == wanted.value:
            return UserInfo.of(user)
        if wanted is not Role.ADMIN:
            _check_not_last_admin(session, user, f"make {wanted.value}")
        users_repo.update_user(
            session, user_id=user.id, values={"role": wanted.value, "updated_at": now}
        )
        _audit(
            ctx,
            session,
            AuditAction.USER_ROLE_CHANGED,
            now=now,
            old_value={"role": old},
            new_value={"role": wanted.value},
            details=_subject(user),
        )
        return _reload(session, user)


@timed
def deactivate(ctx: Context, email: str) -> UserInfo:
    """Deactivate a user and end their sessions (admin only).

    Raises NotFoundError, ConflictError (the last active admin).
    """
    address = normalize_email(email)
    ctx.actor.require(Role.ADMIN, "deactivate users")
    now = utcnow()
    with ctx.write() as session:
        user = _get_user(session, address)
        if not user.is_active:
            return UserInfo.of(user)
        _check_not_last_admin(session, user, "deactivate")
        users_repo.update_user(
            session, user_id=user.id, values={"is_active": False, "updated_at": now}
        )
        ended = sessions_repo.revoke_for_user(session, user_id=user.id)
        _audit(
            ctx,
            session,
            AuditAction.USER_DEACTIVATED,
            now=now,
            old_value={"is_active": True},
            new_value={"is_active": False},
            details={**_subject(user), "sessions_revoked": ended},
        )
        return _reload(session, user)


@timed
def reset_password(ctx: Context, email: str, password: str) -> UserInfo:
    """Set a new password (admin only) and end the user's sessions.

    Raises ValidationError (short password), ForbiddenError, NotFoundError.
    """
    address = normalize_email(email)
    validate_password(password)
    ctx.actor.require(Role.ADMIN, "reset passwords")
    password_hash = hash_password(password)
    now = utcnow()
    with ctx.write() as session:
        user = _get_user(session, address)
        users_repo.update_user(
            session, user_id=user.id, values={"password_hash": password_hash, "updated_at": now}
        )
        # Whoever held the old password may hold a session too: end them all.
        ended = sessions_repo.revoke_for_user(session, user_id=user.id)
        _audit(
            ctx,
            session,
            AuditAction.USER_PASSWORD_RESET,
            now=now,
            details={**_subject(user), "sessions_revoked": ended},
        )
        return _reload(session, user)


def _reload(session: Session, user: User) -> UserInfo:
    session.expire(user)
    fresh = users_repo.get(session, user.id)
    assert fresh is not None
    return UserInfo.of(fresh)
