"""``driftctl summary --timeline``: detections, approvals, rejections and resolutions per day.

Aggregated by the database (GROUP BY) like the summary; days are UTC calendar days ending today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from driftctl.db.models import AuditLog, Drift
from driftctl.db.types import utcnow
from driftctl.domain import AuditAction
from driftctl.services.context import Context, timed
from driftctl.services.summary import DEFAULT_DAYS, check_days, day_sql, iso_day, per_day, window

# Timeline column -> the audit action counted in it (detections come from drifts.detected_at).
TIMELINE_ACTIONS = {
    "approved": AuditAction.DRIFT_APPROVED.value,
    "rejected": AuditAction.DRIFT_REJECTED.value,
    "resolved": AuditAction.DRIFT_RESOLVED.value,
}


@dataclass(frozen=True)
class TimelineDay:
    """What happened to drifts on one UTC day."""

    day: date
    detected: int
    approved: int
    rejected: int
    resolved: int

    @property
    def total(self) -> int:
        """Every event of the day."""
        return self.detected + self.approved + self.rejected + self.resolved


@dataclass(frozen=True)
class Timeline:
    """Detections, approvals, rejections and resolutions per day."""

    generated_at: datetime
    days: int
    points: tuple[TimelineDay, ...]

    def totals(self) -> dict[str, int]:
        """Each kind of event summed over the window."""
        return {
            "detected": sum(p.detected for p in self.points),
            "approved": sum(p.approved for p in self.points),
            "rejected": sum(p.rejected for p in self.points),
            "resolved": sum(p.resolved for p in self.points),
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``summary --timeline -o json`` object."""
        return {
            "generated_at": self.generated_at.isoformat(),
            "days": self.days,
            "from": iso_day(self.points[0].day) if self.points else None,
            "to": iso_day(self.points[-1].day) if self.points else None,
            "totals": self.totals(),
            "points": [
                {
                    "date": iso_day(p.day),
                    "detected": p.detected,
                    "approved": p.approved,
                    "rejected": p.rejected,
                    "resolved": p.resolved,
                }
                for p in self.points
            ],
        }


@timed
def build_timeline(
    ctx: Context, *, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> Timeline:
    """Detections, approvals, rejections and resolutions per day for the last ``days`` days;
    raises ValidationError for bad days."""
    check_days(days)
    now = now or utcnow()
    calendar, start = window(days, now)
    with ctx.read() as session:
        detected_day = day_sql(session, col(Drift.detected_at))
        detected = per_day(
            session.execute(
                select(detected_day, func.count())
                .where(col(Drift.detected_at) >= start)
                .group_by(detected_day)
            ).all()
        )
        audit_day = day_sql(session, col(AuditLog.created_at))
        events: dict[tuple[str, str], int] = {}
        for day, action, count in session.execute(
            select(audit_day, col(AuditLog.action), func.count())
            .where(
                col(AuditLog.created_at) >= start,
                col(AuditLog.action).in_(list(TIMELINE_ACTIONS.values())),
            )
            .group_by(audit_day, col(AuditLog.action))
        ).all():
            events[(str(day), str(action))] = int(count)

    def on(day: str, kind: str) -> int:
        return events.get((day, TIMELINE_ACTIONS[kind]), 0)

    points = tuple(
        TimelineDay(
            day=day,
            detected=detected.get(iso_day(day), 0),
            approved=on(iso_day(day), "approved"),
            rejected=on(iso_day(day), "rejected"),
            resolved=on(iso_day(day), "resolved"),
        )
        for day in calendar
    )
    return Timeline(generated_at=now, days=days, points=points)
