"""SQL for alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from driftctl.db.models import Alert
from driftctl.db.repositories import audit as audit_repo
from driftctl.domain import jsonable


def for_drift(session: Session, drift_id: uuid.UUID) -> list[Alert]:
    stmt = select(Alert).where(col(Alert.drift_id) == drift_id).order_by(col(Alert.created_at))
    return list(session.execute(stmt).scalars())


def to_dict(alert: Alert) -> dict[str, Any]:
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
