"""The tables read commands query, as SQLAlchemy Core ``Table``s (no ORM, no SQLModel).

``driftctl list``, ``show`` and the identity check run on these: importing SQLModel and building
the model classes of ``driftctl.db.models`` costs more than the rest of such a command. The
columns and their types are the models' own (``tests/db/test_tables.py`` keeps the two equal);
constraints, indexes and defaults live in the models and the migrations only, because nothing
creates or writes a table through these.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
)

from driftctl.db.types import GUID, LazyInet, LazyJSONB, UTCDateTime

# A metadata of its own: Alembic's target is the models' metadata, never this one.
metadata = MetaData()


def _ts(name: str, *, nullable: bool = True) -> Column[Any]:
    return Column(name, UTCDateTime(), nullable=nullable)


def _id() -> Column[Any]:
    return Column("id", GUID(), primary_key=True)


def _ref(name: str, *, nullable: bool = True) -> Column[Any]:
    return Column(name, GUID(), nullable=nullable)


users = Table(
    "users",
    metadata,
    _id(),
    Column("email", String(255), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("avatar_url", String(500)),
    Column("role", String(50), nullable=False),
    Column("is_active", Boolean, nullable=False),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
    _ts("last_login_at"),
)

sessions = Table(
    "sessions",
    metadata,
    _id(),
    _ref("user_id", nullable=False),
    Column("refresh_token", String(500), nullable=False),
    Column("ip_address", LazyInet()),
    Column("user_agent", String(500)),
    Column("is_revoked", Boolean, nullable=False),
    _ts("expires_at", nullable=False),
    _ts("created_at", nullable=False),
    _ts("last_used_at"),
)

drifts = Table(
    "drifts",
    metadata,
    _id(),
    Column("resource_id", String(255), nullable=False),
    Column("resource_type", String(50), nullable=False),
    Column("region", String(50), nullable=False),
    Column("account_id", String(12)),
    Column("drift_type", String(20), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("source_key", String(64), nullable=False),
    Column("expected_state", LazyJSONB(), nullable=False),
    Column("actual_state", LazyJSONB(), nullable=False),
    Column("difference", LazyJSONB(), nullable=False),
    Column("difference_hash", String(64), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("severity_rank", SmallInteger, nullable=False),
    Column("cost_impact_monthly", Numeric(10, 2), nullable=False),
    Column("status", String(50), nullable=False),
    _ts("detected_at", nullable=False),
    Column("detected_by", String(50), nullable=False),
    _ts("last_seen_at", nullable=False),
    _ref("first_seen_scan_id"),
    _ref("last_seen_scan_id"),
    Column("iac_source", Text),
    _ts("triaged_at"),
    _ref("triaged_by"),
    _ts("approved_at"),
    _ref("approved_by"),
    Column("approval_reason", Text),
    _ts("rejected_at"),
    _ref("rejected_by"),
    Column("rejection_reason", Text),
    _ts("resolved_at"),
    Column("resolved_how", String(50)),
    _ref("resolved_by"),
    Column("remediation_claim", String(64)),
    _ts("remediation_claimed_at"),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    _id(),
    _ref("drift_id", nullable=False),
    Column("type", String(50), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("title", String(255), nullable=False),
    Column("message", Text, nullable=False),
    Column("is_read", Boolean, nullable=False),
    _ts("read_at"),
    _ref("read_by"),
    Column("notified_slack", Boolean, nullable=False),
    Column("notified_email", Boolean, nullable=False),
    Column("notified_pagerduty", Boolean, nullable=False),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
)

audit_logs = Table(
    "audit_logs",
    metadata,
    _id(),
    Column("seq", Integer, nullable=False),
    _ref("drift_id"),
    Column("action", String(100), nullable=False),
    _ref("actor_id"),
    Column("actor_email", String(255)),
    Column("old_value", LazyJSONB()),
    Column("new_value", LazyJSONB()),
    Column("details", LazyJSONB()),
    Column("ip_address", LazyInet()),
    Column("user_agent", String(500)),
    _ts("created_at", nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

cost_metrics = Table(
    "cost_metrics",
    metadata,
    _id(),
    _ref("drift_id", nullable=False),
    _ref("scan_id"),
    Column("cost_usd", Numeric(10, 2), nullable=False),
    Column("cost_projected_monthly", Numeric(10, 2)),
    _ts("recorded_at", nullable=False),
    _ts("period_start", nullable=False),
    _ts("period_end", nullable=False),
    _ts("created_at", nullable=False),
)
