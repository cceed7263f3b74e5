"""SQL for alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select, update

from driftctl.db.repositories import audit as audit_repo
from driftctl.db.tables import alerts as t
from driftctl.domain import jsonable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from driftctl.db.models import Alert


def for_drift(session: Session | Connection, drift_id: uuid.UUID) -> list[Row[Any]]:
    """A drift's alerts, oldest first (Core: ``show`` runs it)."""
    stmt = select(t).where(t.c.drift_id == drift_id).order_by(t.c.created_at)
    return list(session.execute(stmt))


def to_dict(alert: Alert | Row[Any]) -> dict[str, Any]:
    fields = (
        "id",
        "drift_id",
        "type",
        "severity",
        "title",
        "message",
        "is_read",
        "read_at",
        "read_by",
        "notified_slack",
        "notified_email",
        "notified_pagerduty",
        "created_at",
        "updated_at",
    )
    result: dict[str, Any] = jsonable({f: getattr(alert, f) for f in fields})
    return result


def mark_read_for_drift(
    session: Session,
    *,
    drift_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    actor_email: str | None,
    user_agent: str,
    now: datetime,
    reason: str,
) -> int:
    """Mark a drift's unread alerts read, auditing each; returns how many."""
    from sqlmodel import col

    from driftctl.db.models import Alert

    unread = list(
        session.execute(
            select(col(Alert.id)).where(
                col(Alert.drift_id) == drift_id, col(Alert.is_read).is_(False)
            )
        ).scalars()
    )
    if not unread:
        return 0
    session.execute(
        update(Alert)
        .where(col(Alert.id).in_(unread))
        .values(is_read=True, read_at=now, read_by=actor_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    for alert_id in unread:
        audit_repo.append(
            session,
            action="alert_read",
            drift_id=drift_id,
            actor_id=actor_id,
            actor_email=actor_email,
            new_value={"alert_id": str(alert_id), "is_read": True},
            details={"because": f"drift {reason}"},
            user_agent=user_agent,
            created_at=now,
        )
    return len(unread)
