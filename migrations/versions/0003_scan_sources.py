"""Drifts belong to the expected-state sources that found them; scans carry a heartbeat.

drifts.source_key / scans.source_key: a hash of the sources a scan compared against (Terraform
state lineages, baseline names). A scan updates, reopens and auto-resolves only the drifts of its
own sources, so a baseline scan no longer resolves the drifts a state scan found. Existing drifts
get '' (found before sources were recorded); the next state scan that sees them adopts them.
The open-fingerprint unique index becomes (fingerprint, source_key).

scans.heartbeat_at / scans.runner: a running scan renews its heartbeat; a later scan marks
``running`` rows whose process is gone (same host) or whose heartbeat is stale as failed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from driftctl.db.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("status <> 'resolved'")


def upgrade() -> None:
    # Plain ADD COLUMN on both engines: a batch copy would drop SQLite's triggers.
    op.add_column(
        "drifts",
        sa.Column("source_key", sa.String(length=64), nullable=False, server_default=""),
    )
    op.drop_index("uq_drifts_open_fingerprint", table_name="drifts")
    op.create_index(
        "uq_drifts_open_fingerprint",
        "drifts",
        ["fingerprint", "source_key"],
        unique=True,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )
    op.create_index("ix_drifts_fingerprint", "drifts", ["fingerprint"])
    op.add_column("scans", sa.Column("source_key", sa.String(length=64), nullable=True))
    op.add_column("scans", sa.Column("heartbeat_at", UTCDateTime(), nullable=True))
    op.add_column("scans", sa.Column("runner", sa.String(length=255), nullable=True))
    op.create_index(
        "ix_scans_running",
        "scans",
        ["status"],
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    )


def downgrade() -> None:
    op.drop_index("ix_scans_running", table_name="scans")
    for column in ("runner", "heartbeat_at", "source_key"):
        op.execute(sa.text(f"ALTER TABLE scans DROP COLUMN {column}"))
    op.drop_index("ix_drifts_fingerprint", table_name="drifts")
    op.drop_index("uq_drifts_open_fingerprint", table_name="drifts")
    # Two open drifts of different sources may share a fingerprint now; the older index cannot
    # hold them, so all but the most recent are resolved first (acknowledged, nothing deleted).
    op.execute(
        sa.text(
            "UPDATE drifts SET status = 'resolved', resolved_how = 'acknowledged', "
            "resolved_at = updated_at WHERE status <> 'resolved' AND id IN ("
            "SELECT d.id FROM drifts d JOIN drifts newer ON newer.fingerprint = d.fingerprint "
            "AND newer.status <> 'resolved' AND newer.id <> d.id "
            "AND (newer.updated_at > d.updated_at OR "
            "(newer.updated_at = d.updated_at AND newer.id > d.id)) "
            "WHERE d.status <> 'resolved')"
        )
    )
    op.create_index(
        "uq_drifts_open_fingerprint",
        "drifts",
        ["fingerprint"],
        unique=True,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )
    op.execute(sa.text("ALTER TABLE drifts DROP COLUMN source_key"))
