"""SQL for the cost time series."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select

from driftctl.db.tables import cost_metrics as t
from driftctl.domain import jsonable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from driftctl.db.models import CostMetric


def for_drift(
    session: Session | Connection, drift_id: uuid.UUID, *, limit: int = 500
) -> list[Row[Any]]:
    """A drift's cost samples, oldest first (Core: ``show`` runs it)."""
    stmt = select(t).where(t.c.drift_id == drift_id).order_by(t.c.recorded_at).limit(limit)
    return list(session.execute(stmt))


def to_dict(row: CostMetric | Row[Any]) -> dict[str, Any]:
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
