"""The self-contained message a channel sends for one alert."""

from __future__ import annotations

from typing import TYPE_CHECKING

from driftctl.domain import AlertType, Severity, jsonable
from driftctl.notify import DriftInfo, Notification

if TYPE_CHECKING:
    from driftctl.db.models import Alert, Drift


def notification_for(alert: Alert, drift: Drift, event: str = "trigger") -> Notification:
    """The self-contained message a channel sends for ALERT about DRIFT."""
    info: DriftInfo = {
        "id": str(drift.id),
        "resource_type": drift.resource_type,
        "resource_id": drift.resource_id,
        "region": drift.region,
        "account_id": drift.account_id,
        "drift_type": drift.drift_type,
        "status": drift.status,
        "difference": jsonable(drift.difference),
        "fingerprint": drift.fingerprint,
    }
    return Notification(
        alert_id=str(alert.id),
        alert_type=AlertType(alert.type),
        severity=Severity(alert.severity),
        title=alert.title,
        message=alert.message,
        drift=info,
        event="resolve" if event == "resolve" else "trigger",
    )
