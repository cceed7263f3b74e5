"""Enums and value types shared by every layer. No I/O, no third-party imports."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: critical 3, warning 2, info 1."""
        return {"critical": 3, "warning": 2, "info": 1}[self.value]


class DriftStatus(StrEnum):
    DETECTED = "detected"
    TRIAGED = "triaged"
    APPROVED = "approved"
    REJECTED = "rejected"
    RESOLVED = "resolved"


OPEN_STATUSES: tuple[DriftStatus, ...] = (
    DriftStatus.DETECTED,
    DriftStatus.TRIAGED,
    DriftStatus.APPROVED,
    DriftStatus.REJECTED,
)
UNDECIDED_STATUSES: tuple[DriftStatus, ...] = (DriftStatus.DETECTED, DriftStatus.TRIAGED)


class DriftType(StrEnum):
    MODIFIED = "modified"
    MISSING = "missing"
    UNMANAGED = "unmanaged"


class DetectedBy(StrEnum):
    """Who started a scan: ``scan --source``."""

    MANUAL = "manual"
    SCHEDULER = "scheduler"
    API = "api"


class ResolvedHow(StrEnum):
    MANUAL_FIX = "manual-fix"
    ACKNOWLEDGED = "acknowledged"
    AUTO_REMEDIATE = "auto-remediate"


class AlertType(StrEnum):
    DRIFT_DETECTED = "drift_detected"
    APPROVAL_NEEDED = "approval_needed"
    REMEDIATION_FAILED = "remediation_failed"


class Role(StrEnum):
    ADMIN = "admin"
    ENGINEER = "engineer"
    VIEWER = "viewer"


class ScanStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class AuditAction(StrEnum):
    DRIFT_CREATED = "drift_created"
    DRIFT_UPDATED = "drift_updated"
    DRIFT_TRIAGED = "drift_triaged"
    DRIFT_APPROVED = "drift_approved"
    DRIFT_REJECTED = "drift_rejected"
    DRIFT_RESOLVED = "drift_resolved"
    DRIFT_REOPENED = "drift_reopened"
    ALERT_READ = "alert_read"
    USER_CREATED = "user_created"
    USER_ROLE_CHANGED = "user_role_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_PASSWORD_RESET = "user_password_reset"
    SESSION_CREATED = "session_created"
    SESSION_REVOKED = "session_revoked"
    SEED_LOADED = "seed_loaded"


# The region recorded for global services (IAM).
GLOBAL_REGION = "global"


def jsonable(value: Any) -> Any:
    """Convert values (UUID, datetime, Decimal) into JSON-native ones, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def fingerprint(
    account_id: str | None, region: str, resource_type: str, resource_id: str, drift_type: str
) -> str:
    """Identity of "this kind of drift on this resource": unique among open drifts."""
    import hashlib

    key = "|".join([account_id or "", region, resource_type, resource_id, drift_type])
    return hashlib.sha256(key.encode()).hexdigest()


def difference_hash(difference: dict[str, Any]) -> str:
    """What an approval binds to: a hash of the canonical JSON of the difference."""
    import hashlib
    import json

    text = json.dumps(jsonable(difference), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
