"""SQL for the cost time series."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from driftctl.db.models import CostMetric
from driftctl.domain import jsonable


def for_drift(session: Session, drift_id: uuid.UUID, *, limit: int = 500) -> list[CostMetric]:
    stmt = (
        select(CostMetric)
        .where(col(CostMetric.drift_id) == drift_id)
        .order_by(col(CostMetric.recorded_at))
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def to_dict(row: CostMetric) -> dict[str, Any]:
    out: dict[str, Any] = jsonable(
        {
            "id": row.id,
            "drift_id": row.drift_id,
            "scan_id": row.scan_id,
            "cost_usd": round(float(row.cost_usd), 2),
            "cost_projected_monthly": None
            if row.cost_projected_monthly is None
            else round(float(row.cost_projected_monthly), 2),
            "recorded_at": row.recorded_at,
            "period_start": row.period_start,
            "period_end": row.period_end,
        }
    )
    return out
