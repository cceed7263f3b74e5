"""Indexes that let `driftctl list` sort by cost and severity, and count, without a full sort.

Measured with bench/db_bench.py at 1,000,000 drifts: `--sort cost --asc` and `--sort severity`
sorted most of the table because the old indexes lacked the id/detected_at tie-breakers, and
counts with --status/--severity read every matching table row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_drifts_cost_impact_monthly", table_name="drifts")
    op.create_index("ix_drifts_cost_impact_monthly_id", "drifts", ["cost_impact_monthly", "id"])
    op.drop_index("ix_drifts_severity_rank_detected_at", table_name="drifts")
    op.create_index(
        "ix_drifts_severity_rank_detected_at_id",
        "drifts",
        ["severity_rank", "detected_at", "id"],
    )
    op.drop_index("ix_drifts_resource_type_region", table_name="drifts")
    op.create_index(
        "ix_drifts_resource_type_region_detected_at",
        "drifts",
        ["resource_type", "region", "detected_at"],
    )
    op.create_index("ix_drifts_status_severity", "drifts", ["status", "severity"])


def downgrade() -> None:
    op.drop_index("ix_drifts_status_severity", table_name="drifts")
    op.drop_index("ix_drifts_resource_type_region_detected_at", table_name="drifts")
    op.create_index("ix_drifts_resource_type_region", "drifts", ["resource_type", "region"])
    op.drop_index("ix_drifts_severity_rank_detected_at_id", table_name="drifts")
    op.create_index(
        "ix_drifts_severity_rank_detected_at",
        "drifts",
        ["severity_rank", sa.text("detected_at DESC")],
    )
    op.drop_index("ix_drifts_cost_impact_monthly_id", table_name="drifts")
    op.create_index("ix_drifts_cost_impact_monthly", "drifts", ["cost_impact_monthly"])
