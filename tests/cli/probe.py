"""Looking into the database behind a command: what it changed, and what it left alone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from driftctl.db.models import Alert, AuditLog, Drift
from tests.factories import insert_drifts, make_drift


@dataclass
class DbProbe:
    """A database URL plus a service context on it, with helpers to build and inspect rows."""

    url: str
    ctx: Any

    def add(self, **overrides: Any) -> str:
        """Insert one drift (tests.factories.make_drift defaults); returns its id."""
        return insert_drifts(self.ctx, make_drift(**overrides))[0]

    def add_many(self, drifts: list[dict[str, Any]]) -> list[str]:
        return insert_drifts(self.ctx, *(make_drift(**d) for d in drifts))

    def drift(self, drift_id: str) -> Drift:
        with self.ctx.read() as session:
            row: Drift | None = session.get(Drift, uuid.UUID(drift_id))
            assert row is not None, drift_id
            return row

    def status(self, drift_id: str) -> str:
        return self.drift(drift_id).status

    def statuses(self) -> dict[str, str]:
        with self.ctx.read() as session:
            rows = session.execute(select(col(Drift.id), col(Drift.status))).all()
        return {str(i): s for i, s in rows}

    def audit(self, drift_id: str | None = None, action: str | None = None) -> list[AuditLog]:
        """Audit rows in chain order, optionally for one drift and/or one action."""
        stmt = select(AuditLog).order_by(col(AuditLog.seq))
        if drift_id is not None:
            stmt = stmt.where(col(AuditLog.drift_id) == uuid.UUID(drift_id))
        if action is not None:
            stmt = stmt.where(col(AuditLog.action) == action)
        with self.ctx.read() as session:
            return list(session.execute(stmt).scalars())

    def audit_count(self) -> int:
        with self.ctx.read() as session:
            return int(session.execute(select(func.count()).select_from(AuditLog)).scalar_one())

    def snapshot(self) -> tuple[dict[str, str], int]:
        """Every drift's status and the audit row count: unchanged means nothing was written."""
        return self.statuses(), self.audit_count()

    def add_alert(self, drift_id: str, *, is_read: bool = False, severity: str = "warning") -> str:
        alert = Alert(
            drift_id=uuid.UUID(drift_id),
            type="drift_detected",
            severity=severity,
            title="Drift on EC2",
            message="instance_type differs",
            is_read=is_read,
        )
        with self.ctx.write() as session:
            session.add(alert)
        return str(alert.id)

    def alerts(self, drift_id: str) -> list[Alert]:
        with self.ctx.read() as session:
            stmt = select(Alert).where(col(Alert.drift_id) == uuid.UUID(drift_id))
            return list(session.execute(stmt).scalars())
