"""Listing alerts and marking them read."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from driftctl.db.models import Alert, Drift
from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import outbox as repo
from driftctl.db.types import utcnow
from driftctl.domain import (
    AlertType,
    AuditAction,
    Role,
    Severity,
    jsonable,
)
from driftctl.errors import ValidationError
from driftctl.services.context import Context, timed
from driftctl.services.drifts import MAX_LIMIT, Page

if TYPE_CHECKING:
    from sqlmodel import Session


log = logging.getLogger("driftctl.services.alerts")


# --- listing and reading ---------------------------------------------------------------------


def alert_to_dict(
    alert: Alert, drift: Drift | None = None, delivered: Sequence[str] | None = None
) -> dict[str, Any]:
    """An alert as JSON (columns of the alerts table, plus its drift's resource when given and
    ``notified_channels``, the channels its delivered outbox rows name, when DELIVERED is)."""
    from driftctl.db.repositories.alerts import to_dict

    out = to_dict(alert)
    if delivered is not None:
        out["notified_channels"] = list(delivered)
    if drift is not None:
        out.update(
            resource_type=drift.resource_type,
            resource_id=drift.resource_id,
            region=drift.region,
            drift_status=drift.status,
        )
    result: dict[str, Any] = jsonable(out)
    return result


def _check_values(name: str, values: Sequence[str], allowed: Sequence[str]) -> list[str]:
    for value in values:
        if value not in allowed:
            raise ValidationError(f"invalid {name} {value!r}: choose from {', '.join(allowed)}")
    return list(values)


@timed
def list_alerts(
    ctx: Context,
    *,
    unread: bool = False,
    severities: Sequence[str] = (),
    types: Sequence[str] = (),
    page: int = 1,
    limit: int = 20,
) -> Page:
    """One page of alerts, newest first; raises ValidationError for bad filters or paging."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"--limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if page < 1:
        raise ValidationError(f"--page must be 1 or more, got {page}")
    filters = repo.AlertFilter(
        unread=unread,
        severities=_check_values("--severity", severities, [s.value for s in Severity]),
        types=_check_values("--type", types, [t.value for t in AlertType]),
    )
    with ctx.read() as session:
        total = repo.count_alerts(session, filters=filters)
        rows = repo.list_alerts(session, filters=filters, offset=(page - 1) * limit, limit=limit)
        sent = repo.delivered_channels(session, [a.id for a, _ in rows])
        items = [alert_to_dict(a, d, sent.get(a.id, [])) for a, d in rows]
    return Page(items=items, total=total, page=page, page_size=limit)


def resolve_alert_id(session: Session, raw: str) -> uuid.UUID:
    """An alert id or unique prefix of 6+ characters -> the id; see ``drifts.resolve_prefix``."""
    from driftctl.services.drifts import resolve_prefix

    return resolve_prefix(
        raw,
        noun="alert",
        exists=lambda full: repo.get_alert(session, full) is not None,
        with_prefix=lambda text: repo.alert_ids_with_prefix(session, text, limit=6),
    )


@dataclass
class ReadResult:
    """What ``alerts read`` changed."""

    marked: list[str]
    already_read: list[str]


@timed
def mark_read(ctx: Context, raw_ids: Sequence[str], *, all_unread: bool = False) -> ReadResult:
    """Mark alerts read (each audited as alert_read), all or nothing.

    Raises ValidationError (no ids, bad ids), NotFoundError, ForbiddenError (below engineer).
    """
    if all_unread and raw_ids:
        raise ValidationError("give alert ids or --all, not both")
    if not all_unread and not raw_ids:
        raise ValidationError("give at least one alert id, or --all")
    ctx.actor.require(Role.ENGINEER, "mark alerts read")
    now = utcnow()
    with ctx.write() as session:
        if all_unread:
            ids = repo.unread_alert_ids(session)
        else:
            ids = list(dict.fromkeys(resolve_alert_id(session, raw) for raw in raw_ids))
        changed = sorted(repo.mark_alerts_read(session, ids, actor_id=ctx.actor.id, now=now))
        audit_repo.append_many(
            session,
            [
                audit_repo.AuditEntry(
                    AuditAction.ALERT_READ.value,
                    drift_id,
                    new_value={"alert_id": str(alert_id), "is_read": True},
                )
                for alert_id, drift_id in changed
            ],
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            user_agent=ctx.user_agent,
            created_at=now,
        )
    marked = {str(a) for a, _ in changed}
    return ReadResult(
        marked=sorted(marked), already_read=sorted(str(i) for i in ids if str(i) not in marked)
    )
