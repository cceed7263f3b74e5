"""``driftctl summary``: open drift counts, open cost impact and a daily trend.

The timeline (``summary --timeline``) is ``services.timeline``.

Every figure is aggregated by the database (GROUP BY); Python only lays the per-day groups out
on the calendar. Days are UTC calendar days, the last one being today.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, literal_column, or_, select
from sqlmodel import Session, col

from driftctl.db.models import CostMetric, Drift, Scan
from driftctl.db.types import utcnow
from driftctl.domain import (
    OPEN_STATUSES,
    UNDECIDED_STATUSES,
    DriftStatus,
    DriftType,
    Severity,
)
from driftctl.errors import ValidationError
from driftctl.services.context import Context, timed
from driftctl.types import registry

DEFAULT_DAYS = 30
MAX_DAYS = 366
# The per-scan series keeps the most recent scans of the window.
MAX_SCANS = 200
_CENT = Decimal("0.01")
_RESOLVED = DriftStatus.RESOLVED.value


def _money(value: Any) -> Decimal:
    """A database sum (Decimal, float or None) as USD with cents."""
    return Decimal(str(value or 0)).quantize(_CENT, rounding=ROUND_HALF_UP)


def iso_day(value: date) -> str:
    return value.isoformat()


@dataclass(frozen=True)
class TrendDay:
    """One UTC day of the trend."""

    day: date
    detected: int
    resolved: int
    # Drifts open at the end of the day.
    open: int
    # Sum over drifts of the last monthly cost impact a scan recorded for each that day; None on
    # days without a scan.
    cost_impact_monthly: Decimal | None


@dataclass(frozen=True)
class ScanPoint:
    """One recorded scan: how many drifts it saw and their total monthly cost impact."""

    scan_id: uuid.UUID
    started_at: datetime
    status: str
    drifts: int
    cost_impact_monthly: Decimal


@dataclass(frozen=True)
class Summary:
    """Open drifts by status, severity, type and region, their cost, and how both evolved."""

    generated_at: datetime
    days: int
    open_total: int
    undecided_total: int
    resolved_total: int
    open_cost_impact_monthly: Decimal
    by_status: dict[str, int]
    by_severity: dict[str, int]
    by_type: dict[str, int]
    by_drift_type: dict[str, int]
    by_region: dict[str, int]
    cost_by_type: dict[str, Decimal]
    cost_by_severity: dict[str, Decimal]
    trend: tuple[TrendDay, ...]
    scans: tuple[ScanPoint, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``summary -o json`` object: stable keys, money as numbers with 2 decimals."""
        first = self.trend[0].day if self.trend else None
        last = self.trend[-1].day if self.trend else None
        return {
            "generated_at": self.generated_at.isoformat(),
            "open_total": self.open_total,
            "undecided_total": self.undecided_total,
            "resolved_total": self.resolved_total,
            "open_cost_impact_monthly": float(self.open_cost_impact_monthly),
            "by_status": dict(self.by_status),
            "by_severity": dict(self.by_severity),
            "by_type": dict(self.by_type),
            "by_drift_type": dict(self.by_drift_type),
            "by_region": dict(self.by_region),
            "cost_by_type": {k: float(v) for k, v in self.cost_by_type.items()},
            "cost_by_severity": {k: float(v) for k, v in self.cost_by_severity.items()},
            "trend": {
                "days": self.days,
                "from": iso_day(first) if first else None,
                "to": iso_day(last) if last else None,
                "points": [
                    {
                        "date": iso_day(p.day),
                        "detected": p.detected,
                        "resolved": p.resolved,
                        "open": p.open,
                        "cost_impact_monthly": None
                        if p.cost_impact_monthly is None
                        else float(p.cost_impact_monthly),
                    }
                    for p in self.trend
                ],
            },
            "scans": [
                {
                    "id": str(s.scan_id),
                    "started_at": s.started_at.isoformat(),
                    "status": s.status,
                    "drifts": s.drifts,
                    "cost_impact_monthly": float(s.cost_impact_monthly),
                }
                for s in self.scans
            ],
        }


def check_days(days: int) -> int:
    """Return days unchanged; raises ValidationError outside 1..366."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"--days must be between 1 and {MAX_DAYS}, got {days}")
    return days


def window(days: int, now: datetime) -> tuple[list[date], datetime]:
    """The calendar days of the window (oldest first) and the instant the first one starts."""
    today = now.astimezone(UTC).date()
    calendar = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    start = datetime(calendar[0].year, calendar[0].month, calendar[0].day, tzinfo=UTC)
    return calendar, start


def day_sql(session: Session, column: Any) -> ColumnElement[str]:
    """``YYYY-MM-DD`` of a timestamp column in UTC, as SQL the database groups by.

    The constants are literal SQL, not bound parameters: PostgreSQL only matches a GROUP BY
    expression to the select list when both are textually the same, and two bound parameters
    with equal values are not.
    """
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column),
            literal_column("'YYYY-MM-DD'"),
            type_=String,
        )
    # SQLite stores UTC timestamps as "YYYY-MM-DD HH:MM:SS.ffffff".
    return func.substr(column, literal_column("1"), literal_column("10"), type_=String)


def per_day(rows: Iterable[Any]) -> dict[str, int]:
    return {str(day): int(count) for day, count in rows if day is not None}


@timed
def build_summary(
    ctx: Context, *, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> Summary:
    """Aggregate open drifts and the last ``days`` days; raises ValidationError for bad days."""
    check_days(days)
    now = now or utcnow()
    calendar, start = window(days, now)
    with ctx.read() as session:
        groups = _open_groups(session)
        resolved_total = int(
            session.execute(
                select(func.count()).select_from(Drift).where(col(Drift.status) == _RESOLVED)
            ).scalar_one()
        )
        trend = _trend(session, calendar, start)
        scans = _scans(session, start)

    by_status = {s.value: 0 for s in OPEN_STATUSES}
    by_severity = {s.value: 0 for s in Severity}
    by_type = dict.fromkeys(registry.names(), 0)
    by_drift_type = {t.value: 0 for t in DriftType}
    by_region: dict[str, int] = {}
    cost_by_type = dict.fromkeys(registry.names(), Decimal(0))
    cost_by_severity = {s.value: Decimal(0) for s in Severity}
    total_cost = Decimal(0)
    for status, severity, rtype, region, dtype, count, cost in groups:
        n = int(count)
        amount = Decimal(str(cost or 0))
        by_status[status] = by_status.get(status, 0) + n
        by_severity[severity] = by_severity.get(severity, 0) + n
        by_type[rtype] = by_type.get(rtype, 0) + n
        by_drift_type[dtype] = by_drift_type.get(dtype, 0) + n
        by_region[region] = by_region.get(region, 0) + n
        cost_by_type[rtype] = cost_by_type.get(rtype, Decimal(0)) + amount
        cost_by_severity[severity] = cost_by_severity.get(severity, Decimal(0)) + amount
        total_cost += amount
    undecided = {s.value for s in UNDECIDED_STATUSES}
    return Summary(
        generated_at=now,
        days=days,
        open_total=sum(by_status.values()),
        undecided_total=sum(n for s, n in by_status.items() if s in undecided),
        resolved_total=resolved_total,
        open_cost_impact_monthly=_money(total_cost),
        by_status=by_status,
        by_severity=by_severity,
        by_type=by_type,
        by_drift_type=by_drift_type,
        by_region=dict(sorted(by_region.items())),
        cost_by_type={k: _money(v) for k, v in cost_by_type.items()},
        cost_by_severity={k: _money(v) for k, v in cost_by_severity.items()},
        trend=trend,
        scans=scans,
    )


def _open_groups(session: Session) -> list[Any]:
    """Open drifts grouped by every dimension the summary reports (a few rows per region)."""
    dims = (
        col(Drift.status),
        col(Drift.severity),
        col(Drift.resource_type),
        col(Drift.region),
        col(Drift.drift_type),
    )
    stmt = (
        select(*dims, func.count(), func.sum(col(Drift.cost_impact_monthly)))
        .where(col(Drift.status) != _RESOLVED)
        .group_by(*dims)
    )
    return list(session.execute(stmt).all())


def _trend(session: Session, calendar: list[date], start: datetime) -> tuple[TrendDay, ...]:
    detected_day = day_sql(session, col(Drift.detected_at))
    detected = per_day(
        session.execute(
            select(detected_day, func.count())
            .where(col(Drift.detected_at) >= start)
            .group_by(detected_day)
        ).all()
    )
    resolved_day = day_sql(session, col(Drift.resolved_at))
    resolved = per_day(
        session.execute(
            select(resolved_day, func.count())
            .where(col(Drift.status) == _RESOLVED, col(Drift.resolved_at) >= start)
            .group_by(resolved_day)
        ).all()
    )
    open_at_start = int(
        session.execute(
            select(func.count())
            .select_from(Drift)
            .where(
                col(Drift.detected_at) < start,
                or_(col(Drift.status) != _RESOLVED, col(Drift.resolved_at) >= start),
            )
        ).scalar_one()
    )
    costs = _daily_costs(session, start)

    points: list[TrendDay] = []
    open_now = open_at_start
    for day in calendar:
        key = iso_day(day)
        open_now += detected.get(key, 0) - resolved.get(key, 0)
        points.append(
            TrendDay(
                day=day,
                detected=detected.get(key, 0),
                resolved=resolved.get(key, 0),
                open=open_now,
                cost_impact_monthly=costs.get(key),
            )
        )
    return tuple(points)


def _daily_costs(session: Session, start: datetime) -> dict[str, Decimal]:
    """Per day: the sum over drifts of the last cost a scan recorded for each that day."""
    metric_day = day_sql(session, col(CostMetric.recorded_at))
    latest = (
        select(
            col(CostMetric.drift_id).label("drift_id"),
            metric_day.label("day"),
            func.max(col(CostMetric.recorded_at)).label("recorded_at"),
        )
        .where(col(CostMetric.recorded_at) >= start)
        .group_by(col(CostMetric.drift_id), metric_day)
        .subquery()
    )
    stmt = (
        select(latest.c.day, func.sum(col(CostMetric.cost_usd)))
        .select_from(CostMetric)
        .join(
            latest,
            and_(
                col(CostMetric.drift_id) == latest.c.drift_id,
                col(CostMetric.recorded_at) == latest.c.recorded_at,
            ),
        )
        .group_by(latest.c.day)
    )
    return {str(day): _money(total) for day, total in session.execute(stmt).all()}


def _scans(session: Session, start: datetime) -> tuple[ScanPoint, ...]:
    """Completed and partial scans of the window, oldest first, with what they recorded."""
    stmt = (
        select(
            col(Scan.id),
            col(Scan.started_at),
            col(Scan.status),
            func.count(col(CostMetric.id)),
            func.sum(col(CostMetric.cost_usd)),
        )
        .select_from(Scan)
        .outerjoin(CostMetric, col(CostMetric.scan_id) == col(Scan.id))
        .where(col(Scan.started_at) >= start, col(Scan.status).in_(["completed", "partial"]))
        .group_by(col(Scan.id), col(Scan.started_at), col(Scan.status))
        .order_by(col(Scan.started_at).desc(), col(Scan.id).desc())
        .limit(MAX_SCANS)
    )
    rows = list(session.execute(stmt).all())
    rows.reverse()
    return tuple(
        ScanPoint(
            scan_id=scan_id,
            started_at=started_at,
            status=status,
            drifts=int(count),
            cost_impact_monthly=_money(total),
        )
        for scan_id, started_at, status, count, total in rows
    )


@timed
def scan_costs(
    ctx: Context, *, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> list[ScanPoint]:
    """The cost time series per recorded scan of the last ``days`` days, oldest first; raises
    ValidationError for bad days."""
    check_days(days)
    _, start = window(days, now or utcnow())
    with ctx.read() as session:
        return list(_scans(session, start))
