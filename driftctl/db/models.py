"""SQLModel tables (DATABASE_SCHEMA.md documents each column, index, constraint and trigger).

Constraints are declared here so that the Alembic revisions and these models cannot disagree
without ``tests/db/test_migrations.py`` noticing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlmodel import Field, SQLModel

from driftctl.db.types import GUID, InetType, JSONType, UTCDateTime, utcnow

# Named constraints keep Alembic's batch mode on SQLite and its diffs on PostgreSQL stable.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _in(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    clause = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {clause}" if nullable else clause


SEVERITIES = ("critical", "warning", "info")
DRIFT_STATUSES = ("detected", "triaged", "approved", "rejected", "resolved")
DRIFT_TYPES = ("modified", "missing", "unmanaged")
DETECTED_BY = ("scheduler", "manual", "api")
RESOLVED_HOW = ("auto-remediate", "manual-fix", "acknowledged")
ROLES = ("admin", "engineer", "viewer")
ALERT_TYPES = ("drift_detected", "approval_needed", "remediation_failed")
SCAN_STATUSES = ("running", "completed", "partial", "failed")
OUTBOX_STATUSES = ("pending", "sent", "failed")
SEVERITY_RANK = {"critical": 3, "warning": 2, "info": 1}


def _pk() -> Any:
    # gen_random_uuid() is PostgreSQL's default; SQLite rows always get their id from Python.
    return Field(default_factory=uuid.uuid4, sa_column=Column(GUID(), primary_key=True))


def _ts(*, nullable: bool = True, default: bool = False, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow if default else None,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


def _fk(target: str, *, nullable: bool = True, ondelete: str | None = None) -> Any:
    return Field(
        default=None,
        sa_column=Column(GUID(), ForeignKey(target, ondelete=ondelete), nullable=nullable),
    )


class User(SQLModel, table=True):
    """A person who can log in (team mode)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(
            "email LIKE '%_@_%._%' AND email NOT LIKE '% %' AND email NOT LIKE '%@%@%'",
            name="email_format",
        ),
        Index("ix_users_created_at", text("created_at DESC")),
    )

    id: uuid.UUID = _pk()
    email: str = Field(sa_column=Column(String(255), nullable=False, unique=True, index=True))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    first_name: str | None = Field(default=None, sa_column=Column(String(100)))
    last_name: str | None = Field(default=None, sa_column=Column(String(100)))
    avatar_url: str | None = Field(default=None, sa_column=Column(String(500)))
    role: str = Field(
        default="viewer",
        sa_column=Column(String(50), nullable=False, server_default="viewer"),
    )
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    created_at: datetime = _ts(nullable=False, default=True)
    updated_at: datetime = _ts(nullable=False, default=True)
    last_login_at: datetime | None = _ts()


class Scan(SQLModel, table=True):
    """One run of ``driftctl scan``."""

    __tablename__ = "scans"
    __table_args__ = (
        CheckConstraint(_in("status", SCAN_STATUSES), name="status"),
        CheckConstraint(_in("source", DETECTED_BY), name="source"),
        Index("ix_scans_started_at", text("started_at DESC")),
        Index(
            "ix_scans_running",
            "status",
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: uuid.UUID = _pk()
    started_at: datetime = _ts(nullable=False, default=True)
    finished_at: datetime | None = _ts()
    status: str = Field(default="running", sa_column=Column(String(20), nullable=False))
    source: str = Field(default="manual", sa_column=Column(String(20), nullable=False))
    iac_sources: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    account_ids: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    resource_types_read: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    total_resources: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    managed: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    unmanaged: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    missing: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    modified: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    in_sync: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    errors: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    api_calls: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    driftctl_version: str = Field(sa_column=Column(String(50), nullable=False))
    actor_id: uuid.UUID | None = _fk("users.id", ondelete="SET NULL")
    actor_email: str | None = Field(default=None, sa_column=Column(String(255)))
    source_key: str | None = Field(default=None, sa_column=Column(String(64)))
    # Renewed while the scan runs; with ``runner`` (host:pid) it tells a dead scan from a live one.
    heartbeat_at: datetime | None = _ts()
    runner: str | None = Field(default=None, sa_column=Column(String(255)))


class Drift(SQLModel, table=True):
    """One drift of one resource; at most one open drift per fingerprint."""

    __tablename__ = "drifts"
    __table_args__ = (
        CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        CheckConstraint(
            "(severity = 'critical' AND severity_rank = 3) OR (severity = 'warning' AND "
            "severity_rank = 2) OR (severity = 'info' AND severity_rank = 1)",
            name="severity_rank",
        ),
        CheckConstraint(_in("status", DRIFT_STATUSES), name="status"),
        CheckConstraint(_in("drift_type", DRIFT_TYPES), name="drift_type"),
        CheckConstraint(_in("detected_by", DETECTED_BY), name="detected_by"),
        CheckConstraint(_in("resolved_how", RESOLVED_HOW, nullable=True), name="resolved_how"),
        CheckConstraint(
            "cost_impact_monthly >= 0 AND cost_impact_monthly <= 999999", name="cost_range"
        ),
        # One open drift per fingerprint and expected-state source ('' for drifts recorded
        # before sources were).
        Index(
            "uq_drifts_open_fingerprint",
            "fingerprint",
            "source_key",
            unique=True,
            sqlite_where=text("status <> 'resolved'"),
            postgresql_where=text("status <> 'resolved'"),
        ),
        Index("ix_drifts_status_detected_at", "status", text("detected_at DESC")),
        Index("ix_drifts_severity", "severity"),
        # `list` orders by (sort column, then detected_at/id) in one direction, so these indexes
        # end with the tie-breakers and serve both --asc and the default descending order.
        Index("ix_drifts_severity_rank_detected_at_id", "severity_rank", "detected_at", "id"),
        Index(
            "ix_drifts_resource_type_region_detected_at", "resource_type", "region", "detected_at"
        ),
        Index("ix_drifts_drift_type_detected_at", "drift_type", "detected_at"),
        Index("ix_drifts_detected_at", text("detected_at DESC")),
        Index("ix_drifts_created_at", text("created_at DESC")),
        Index("ix_drifts_cost_impact_monthly_id", "cost_impact_monthly", "id"),
        # Index-only counts for the common --status/--severity filters.
        Index("ix_drifts_status_severity", "status", "severity"),
        Index(
            "ix_drifts_approved_by",
            "approved_by",
            sqlite_where=text("approved_at IS NOT NULL"),
            postgresql_where=text("approved_at IS NOT NULL"),
        ),
        Index("ix_drifts_resource_id", "resource_id"),
        Index("ix_drifts_fingerprint", "fingerprint"),
    )

    id: uuid.UUID = _pk()
    resource_id: str = Field(sa_column=Column(String(255), nullable=False))
    resource_type: str = Field(sa_column=Column(String(50), nullable=False))
    region: str = Field(sa_column=Column(String(50), nullable=False))
    account_id: str | None = Field(default=None, sa_column=Column(String(12)))
    drift_type: str = Field(sa_column=Column(String(20), nullable=False))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    # Hash of the expected-state sources of the scan that found it (services.scanning).
    source_key: str = Field(
        default="", sa_column=Column(String(64), nullable=False, server_default="")
    )
    expected_state: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    actual_state: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    difference: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    difference_hash: str = Field(sa_column=Column(String(64), nullable=False))
    severity: str = Field(
        default="warning", sa_column=Column(String(20), nullable=False, server_default="warning")
    )
    severity_rank: int = Field(
        default=2, sa_column=Column(SmallInteger, nullable=False, server_default="2")
    )
    cost_impact_monthly: Decimal = Field(
        default=Decimal("0"),
        sa_column=Column(Numeric(10, 2), nullable=False, server_default="0"),
    )
    status: str = Field(
        default="detected",
        sa_column=Column(String(50), nullable=False, server_default="detected"),
    )
    detected_at: datetime = _ts(nullable=False, default=True)
    detected_by: str = Field(sa_column=Column(String(50), nullable=False))
    last_seen_at: datetime = _ts(nullable=False, default=True)
    first_seen_scan_id: uuid.UUID | None = _fk("scans.id", ondelete="SET NULL")
    last_seen_scan_id: uuid.UUID | None = _fk("scans.id", ondelete="SET NULL")
    iac_source: str | None = Field(default=None, sa_column=Column(Text))
    triaged_at: datetime | None = _ts()
    triaged_by: uuid.UUID | None = _fk("users.id")
    approved_at: datetime | None = _ts()
    approved_by: uuid.UUID | None = _fk("users.id")
    approval_reason: str | None = Field(default=None, sa_column=Column(Text))
    rejected_at: datetime | None = _ts()
    rejected_by: uuid.UUID | None = _fk("users.id")
    rejection_reason: str | None = Field(default=None, sa_column=Column(Text))
    resolved_at: datetime | None = _ts()
    resolved_how: str | None = Field(default=None, sa_column=Column(String(50)))
    resolved_by: uuid.UUID | None = _fk("users.id")
    # The run of ``driftctl remediate`` that holds the drift, and since when (0006).
    remediation_claim: str | None = Field(default=None, sa_column=Column(String(64)))
    remediation_claimed_at: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False, default=True)
    updated_at: datetime = _ts(nullable=False, default=True)


class Alert(SQLModel, table=True):
    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(_in("type", ALERT_TYPES), name="type"),
        CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        Index("ix_alerts_drift_id", "drift_id"),
        Index("ix_alerts_is_read", "is_read"),
        Index("ix_alerts_created_at", text("created_at DESC")),
    )

    id: uuid.UUID = _pk()
    drift_id: uuid.UUID = _fk("drifts.id", nullable=False, ondelete="CASCADE")
    type: str = Field(sa_column=Column(String(50), nullable=False))
    severity: str = Field(sa_column=Column(String(20), nullable=False))
    title: str = Field(sa_column=Column(String(255), nullable=False))
    message: str = Field(sa_column=Column(Text, nullable=False))
    is_read: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    read_at: datetime | None = _ts()
    read_by: uuid.UUID | None = _fk("users.id")
    notified_slack: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    notified_email: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    notified_pagerduty: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    created_at: datetime = _ts(nullable=False, default=True)
    updated_at: datetime = _ts(nullable=False, default=True)


class AuditLog(SQLModel, table=True):
    """Immutable and hash-chained: triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_logs"
    __table_args__ = (
        Index("ix_audit_logs_drift_id", "drift_id"),
        Index("ix_audit_logs_actor_id", "actor_id"),
        Index("ix_audit_logs_created_at", text("created_at DESC")),
        Index("ix_audit_logs_action", "action"),
        Index("uq_audit_logs_seq", "seq", unique=True),
    )

    id: uuid.UUID = _pk()
    # Position in the hash chain; assigned while holding the chain lock.
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    drift_id: uuid.UUID | None = _fk("drifts.id", ondelete="SET NULL")
    action: str = Field(sa_column=Column(String(100), nullable=False))
    actor_id: uuid.UUID | None = _fk("users.id", ondelete="SET NULL")
    actor_email: str | None = Field(default=None, sa_column=Column(String(255)))
    old_value: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    new_value: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    ip_address: str | None = Field(default=None, sa_column=Column(InetType))
    user_agent: str | None = Field(default=None, sa_column=Column(String(500)))
    created_at: datetime = _ts(nullable=False, default=True)
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class CostMetric(SQLModel, table=True):
    __tablename__ = "cost_metrics"
    __table_args__ = (
        Index("ix_cost_metrics_drift_id", "drift_id"),
        Index("ix_cost_metrics_recorded_at", text("recorded_at DESC")),
    )

    id: uuid.UUID = _pk()
    drift_id: uuid.UUID = _fk("drifts.id", nullable=False, ondelete="CASCADE")
    scan_id: uuid.UUID | None = _fk("scans.id", ondelete="SET NULL")
    cost_usd: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    cost_projected_monthly: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 2)))
    recorded_at: datetime = _ts(nullable=False, default=True)
    period_start: datetime = _ts(nullable=False)
    period_end: datetime = _ts(nullable=False)
    created_at: datetime = _ts(nullable=False, default=True)


class LoginSession(SQLModel, table=True):
    """A login: only a SHA-256 of the refresh token is stored."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_user_id", "user_id"),
        Index("ix_sessions_refresh_token", "refresh_token", unique=True),
    )

    id: uuid.UUID = _pk()
    user_id: uuid.UUID = _fk("users.id", nullable=False, ondelete="CASCADE")
    refresh_token: str = Field(sa_column=Column(String(500), nullable=False))
    ip_address: str | None = Field(default=None, sa_column=Column(InetType))
    user_agent: str | None = Field(default=None, sa_column=Column(String(500)))
    is_revoked: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    expires_at: datetime = _ts(nullable=False)
    created_at: datetime = _ts(nullable=False, default=True)
    last_used_at: datetime | None = _ts()


class NotificationOutbox(SQLModel, table=True):
    """One row per (alert, channel) delivery; written in the transaction that raised the alert."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        CheckConstraint("event IN ('trigger', 'resolve')", name="event"),
        Index("ix_notification_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_notification_outbox_alert_id", "alert_id"),
        Index("ix_notification_outbox_digest_id", "digest_id"),
    )

    id: uuid.UUID = _pk()
    alert_id: uuid.UUID = _fk("alerts.id", nullable=False, ondelete="CASCADE")
    # A registered channel name (validated by the application: channels are plugins).
    channel: str = Field(sa_column=Column(String(20), nullable=False))
    event: str = Field(
        default="trigger", sa_column=Column(String(10), nullable=False, server_default="trigger")
    )
    status: str = Field(
        default="pending", sa_column=Column(String(20), nullable=False, server_default="pending")
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    next_attempt_at: datetime = _ts(nullable=False, default=True)
    claimed_until: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False, default=True)
    updated_at: datetime = _ts(nullable=False, default=True)
    # Rows sharing a digest_id are delivered as one digest message (0005).
    digest_id: uuid.UUID | None = Field(default=None, sa_column=Column(GUID(), nullable=True))


class Baseline(SQLModel, table=True):
    """A snapshot of actual state, usable as an expected state (``baseline://NAME``)."""

    __tablename__ = "baselines"

    id: uuid.UUID = _pk()
    name: str = Field(sa_column=Column(String(255), nullable=False, unique=True))
    resources: list[dict[str, Any]] = Field(sa_column=Column(JSONType, nullable=False))
    resource_count: int = Field(sa_column=Column(Integer, nullable=False))
    account_ids: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = _ts(nullable=False, default=True)
    created_by: str | None = Field(default=None, sa_column=Column(String(255)))


# Tables whose updated_at is kept current by a trigger.
UPDATED_AT_TABLES = ("users", "drifts", "alerts", "notification_outbox")
