"""Initial schema: every table of the design plus scans, outbox and baselines.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from driftctl.db.types import GUID, InetType, JSONType, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "baselines",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("resources", JSONType, nullable=False),
        sa.Column("resource_count", sa.Integer(), nullable=False),
        sa.Column("account_ids", JSONType, nullable=False),
        sa.Column("regions", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baselines")),
        sa.UniqueConstraint("name", name=op.f("uq_baselines_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("avatar_url", sa.String(length=500), nullable=True),
        sa.Column("role", sa.String(length=50), server_default="viewer", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "email LIKE '%_@_%._%' AND email NOT LIKE '% %' AND email NOT LIKE '%@%@%'",
            name=op.f("ck_users_email_format"),
        ),
        sa.CheckConstraint("role IN ('admin', 'engineer', 'viewer')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=True)

    op.create_table(
        "scans",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("iac_sources", JSONType, nullable=False),
        sa.Column("account_ids", JSONType, nullable=False),
        sa.Column("regions", JSONType, nullable=False),
        sa.Column("resource_types_read", JSONType, nullable=False),
        sa.Column("total_resources", sa.Integer(), nullable=False),
        sa.Column("managed", sa.Integer(), nullable=False),
        sa.Column("unmanaged", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("modified", sa.Integer(), nullable=False),
        sa.Column("in_sync", sa.Integer(), nullable=False),
        sa.Column("errors", JSONType, nullable=False),
        sa.Column("api_calls", JSONType, nullable=False),
        sa.Column("driftctl_version", sa.String(length=50), nullable=False),
        sa.Column("actor_id", GUID(), nullable=True),
        sa.Column("actor_email", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "source IN ('scheduler', 'manual', 'api')", name=op.f("ck_scans_source")
        ),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'partial', 'failed')", name=op.f("ck_scans_status")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_scans_actor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scans")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("user_id", GUID(), nullable=False),
        sa.Column("refresh_token", sa.String(length=500), nullable=False),
        sa.Column("ip_address", InetType, nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("is_revoked", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_refresh_token", ["refresh_token"], unique=True)
        batch_op.create_index("ix_sessions_user_id", ["user_id"], unique=False)

    op.create_table(
        "drifts",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("resource_type", sa.String(length=50), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=True),
        sa.Column("drift_type", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("expected_state", JSONType, nullable=False),
        sa.Column("actual_state", JSONType, nullable=False),
        sa.Column("difference", JSONType, nullable=False),
        sa.Column("difference_hash", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=20), server_default="warning", nullable=False),
        sa.Column("severity_rank", sa.SmallInteger(), server_default="2", nullable=False),
        sa.Column(
            "cost_impact_monthly",
            sa.Numeric(precision=10, scale=2),
            server_default="0",
            nullable=False,
        ),
        sa.Column("status", sa.String(length=50), server_default="detected", nullable=False),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.Column("detected_by", sa.String(length=50), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("first_seen_scan_id", GUID(), nullable=True),
        sa.Column("last_seen_scan_id", GUID(), nullable=True),
        sa.Column("iac_source", sa.Text(), nullable=True),
        sa.Column("triaged_at", UTCDateTime(), nullable=True),
        sa.Column("triaged_by", GUID(), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("approved_by", GUID(), nullable=True),
        sa.Column("approval_reason", sa.Text(), nullable=True),
        sa.Column("rejected_at", UTCDateTime(), nullable=True),
        sa.Column("rejected_by", GUID(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_how", sa.String(length=50), nullable=True),
        sa.Column("resolved_by", GUID(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(severity = 'critical' AND severity_rank = 3) OR (severity = 'warning' AND severity_rank = 2) OR (severity = 'info' AND severity_rank = 1)",
            name=op.f("ck_drifts_severity_rank"),
        ),
        sa.CheckConstraint(
            "detected_by IN ('scheduler', 'manual', 'api')", name=op.f("ck_drifts_detected_by")
        ),
        sa.CheckConstraint(
            "drift_type IN ('modified', 'missing', 'unmanaged')", name=op.f("ck_drifts_drift_type")
        ),
        sa.CheckConstraint(
            "resolved_how IS NULL OR resolved_how IN ('auto-remediate', 'manual-fix', 'acknowledged')",
            name=op.f("ck_drifts_resolved_how"),
        ),
        sa.CheckConstraint(
            "severity IN ('critical', 'warning', 'info')", name=op.f("ck_drifts_severity")
        ),
        sa.CheckConstraint(
            "status IN ('detected', 'triaged', 'approved', 'rejected', 'resolved')",
            name=op.f("ck_drifts_status"),
        ),
        sa.CheckConstraint(
            "cost_impact_monthly >= 0 AND cost_impact_monthly <= 999999",
            name=op.f("ck_drifts_cost_range"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_drifts_approved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["first_seen_scan_id"],
            ["scans.id"],
            name=op.f("fk_drifts_first_seen_scan_id_scans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_seen_scan_id"],
            ["scans.id"],
            name=op.f("fk_drifts_last_seen_scan_id_scans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rejected_by"], ["users.id"], name=op.f("fk_drifts_rejected_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_drifts_resolved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["triaged_by"], ["users.id"], name=op.f("fk_drifts_triaged_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drifts")),
    )
    with op.batch_alter_table("drifts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_drifts_approved_by",
            ["approved_by"],
            unique=False,
            sqlite_where=sa.text("approved_at IS NOT NULL"),
            postgresql_where=sa.text("approved_at IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_drifts_cost_impact_monthly", ["cost_impact_monthly"], unique=False
        )
        batch_op.create_index(
            "ix_drifts_drift_type_detected_at", ["drift_type", "detected_at"], unique=False
        )
        batch_op.create_index("ix_drifts_resource_id", ["resource_id"], unique=False)
        batch_op.create_index(
            "ix_drifts_resource_type_region", ["resource_type", "region"], unique=False
        )
        batch_op.create_index("ix_drifts_severity", ["severity"], unique=False)
        batch_op.create_index(
            "uq_drifts_open_fingerprint",
            ["fingerprint"],
            unique=True,
            sqlite_where=sa.text("status <> 'resolved'"),
            postgresql_where=sa.text("status <> 'resolved'"),
        )

    op.create_table(
        "alerts",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("drift_id", GUID(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("is_read", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("read_by", GUID(), nullable=True),
        sa.Column(
            "notified_slack", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
        ),
        sa.Column(
            "notified_email", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
        ),
        sa.Column(
            "notified_pagerduty", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "severity IN ('critical', 'warning', 'info')", name=op.f("ck_alerts_severity")
        ),
        sa.CheckConstraint(
            "type IN ('drift_detected', 'approval_needed', 'remediation_failed')",
            name=op.f("ck_alerts_type"),
        ),
        sa.ForeignKeyConstraint(
            ["drift_id"], ["drifts.id"], name=op.f("fk_alerts_drift_id_drifts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["read_by"], ["users.id"], name=op.f("fk_alerts_read_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_drift_id", ["drift_id"], unique=False)
        batch_op.create_index("ix_alerts_is_read", ["is_read"], unique=False)

    op.create_table(
        "audit_logs",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("drift_id", GUID(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("actor_id", GUID(), nullable=True),
        sa.Column("actor_email", sa.String(length=255), nullable=True),
        sa.Column("old_value", JSONType, nullable=True),
        sa.Column("new_value", JSONType, nullable=True),
        sa.Column("details", JSONType, nullable=True),
        sa.Column("ip_address", InetType, nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_logs_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["drift_id"],
            ["drifts.id"],
            name=op.f("fk_audit_logs_drift_id_drifts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_logs")),
    )
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.create_index("ix_audit_logs_action", ["action"], unique=False)
        batch_op.create_index("ix_audit_logs_actor_id", ["actor_id"], unique=False)
        batch_op.create_index("ix_audit_logs_drift_id", ["drift_id"], unique=False)
        batch_op.create_index("uq_audit_logs_seq", ["seq"], unique=True)

    op.create_table(
        "cost_metrics",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("drift_id", GUID(), nullable=False),
        sa.Column("scan_id", GUID(), nullable=True),
        sa.Column("cost_usd", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("cost_projected_monthly", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("period_end", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["drift_id"],
            ["drifts.id"],
            name=op.f("fk_cost_metrics_drift_id_drifts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
            name=op.f("fk_cost_metrics_scan_id_scans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_metrics")),
    )
    with op.batch_alter_table("cost_metrics", schema=None) as batch_op:
        batch_op.create_index("ix_cost_metrics_drift_id", ["drift_id"], unique=False)

    op.create_table(
        "notification_outbox",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("alert_id", GUID(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("event", sa.String(length=10), server_default="trigger", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('slack', 'email', 'pagerduty', 'webhook')",
            name=op.f("ck_notification_outbox_channel"),
        ),
        sa.CheckConstraint(
            "event IN ('trigger', 'resolve')", name=op.f("ck_notification_outbox_event")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_notification_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_notification_outbox_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
    )
    with op.batch_alter_table("notification_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_notification_outbox_alert_id", ["alert_id"], unique=False)
        batch_op.create_index(
            "ix_notification_outbox_status_next_attempt_at",
            ["status", "next_attempt_at"],
            unique=False,
        )

    for table, column in DESC_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [sa.text(f"{column} DESC")])
    op.create_index(
        "ix_drifts_status_detected_at", "drifts", ["status", sa.text("detected_at DESC")]
    )
    op.create_index(
        "ix_drifts_severity_rank_detected_at",
        "drifts",
        ["severity_rank", sa.text("detected_at DESC")],
    )
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    op.drop_index("ix_drifts_severity_rank_detected_at", table_name="drifts")
    op.drop_index("ix_drifts_status_detected_at", table_name="drifts")
    for table, column in DESC_INDEXES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    with op.batch_alter_table("notification_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_outbox_status_next_attempt_at")
        batch_op.drop_index("ix_notification_outbox_alert_id")

    op.drop_table("notification_outbox")
    with op.batch_alter_table("cost_metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_metrics_drift_id")

    op.drop_table("cost_metrics")
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.drop_index("uq_audit_logs_seq")
        batch_op.drop_index("ix_audit_logs_drift_id")
        batch_op.drop_index("ix_audit_logs_actor_id")
        batch_op.drop_index("ix_audit_logs_action")

    op.drop_table("audit_logs")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_is_read")
        batch_op.drop_index("ix_alerts_drift_id")

    op.drop_table("alerts")
    with op.batch_alter_table("drifts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_drifts_open_fingerprint",
            sqlite_where=sa.text("status <> 'resolved'"),
            postgresql_where=sa.text("status <> 'resolved'"),
        )
        batch_op.drop_index("ix_drifts_severity")
        batch_op.drop_index("ix_drifts_resource_type_region")
        batch_op.drop_index("ix_drifts_resource_id")
        batch_op.drop_index("ix_drifts_drift_type_detected_at")
        batch_op.drop_index("ix_drifts_cost_impact_monthly")
        batch_op.drop_index(
            "ix_drifts_approved_by",
            sqlite_where=sa.text("approved_at IS NOT NULL"),
            postgresql_where=sa.text("approved_at IS NOT NULL"),
        )

    op.drop_table("drifts")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_user_id")
        batch_op.drop_index("ix_sessions_refresh_token")

    op.drop_table("sessions")
    op.drop_table("scans")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_email"))

    op.drop_table("users")
    op.drop_table("baselines")


DESC_INDEXES = (
    ("users", "created_at"),
    ("scans", "started_at"),
    ("drifts", "detected_at"),
    ("drifts", "created_at"),
    ("alerts", "created_at"),
    ("audit_logs", "created_at"),
    ("cost_metrics", "recorded_at"),
)
UPDATED_AT_TABLES = ("users", "drifts", "alerts", "notification_outbox")
UUID_TABLES = (
    "users",
    "scans",
    "drifts",
    "alerts",
    "audit_logs",
    "cost_metrics",
    "sessions",
    "notification_outbox",
    "baselines",
)


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in UUID_TABLES:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT gen_random_uuid()")
        op.execute(
            """
            CREATE FUNCTION driftctl_set_updated_at() RETURNS trigger AS $$
            BEGIN
                NEW.updated_at = now();
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in UPDATED_AT_TABLES:
            op.execute(
                f"CREATE TRIGGER trg_{table}_updated_at BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION driftctl_set_updated_at()"
            )
        op.execute(
            """
            CREATE FUNCTION driftctl_audit_logs_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_logs rows are immutable';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER trg_audit_logs_immutable BEFORE UPDATE OR DELETE ON audit_logs "
            "FOR EACH ROW EXECUTE FUNCTION driftctl_audit_logs_immutable()"
        )
    else:
        for table in UPDATED_AT_TABLES:
            # Only when the statement did not set updated_at itself; recursive triggers are off.
            op.execute(
                f"CREATE TRIGGER trg_{table}_updated_at AFTER UPDATE ON {table} "
                "FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at BEGIN "
                f"UPDATE {table} SET updated_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') "
                "WHERE id = NEW.id; END"
            )
        op.execute(
            "CREATE TRIGGER trg_audit_logs_no_update BEFORE UPDATE ON audit_logs "
            "BEGIN SELECT RAISE(ABORT, 'audit_logs rows are immutable'); END"
        )
        op.execute(
            "CREATE TRIGGER trg_audit_logs_no_delete BEFORE DELETE ON audit_logs "
            "BEGIN SELECT RAISE(ABORT, 'audit_logs rows are immutable'); END"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_audit_logs_immutable ON audit_logs")
        op.execute("DROP FUNCTION IF EXISTS driftctl_audit_logs_immutable()")
        for table in UPDATED_AT_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_updated_at ON {table}")
        op.execute("DROP FUNCTION IF EXISTS driftctl_set_updated_at()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_audit_logs_no_update")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_logs_no_delete")
        for table in UPDATED_AT_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_updated_at")
