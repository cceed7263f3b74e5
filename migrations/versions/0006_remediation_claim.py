"""Remediation claims: which run is putting a drift's resource back, and since when.

``driftctl remediate`` claims a drift with a compare-and-set on these two columns before it
makes any AWS call, so of two people remediating one drift at once exactly one runs the plan.
A claim older than the lease (15 minutes) is stale: a run that died no longer blocks. Both are
NULL when nobody remediates the drift, as for every existing row. Plain ADD COLUMNs on both
engines (a batch copy would drop SQLite's triggers).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from driftctl.db.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("drifts", sa.Column("remediation_claim", sa.String(64), nullable=True))
    op.add_column("drifts", sa.Column("remediation_claimed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.execute(sa.text("ALTER TABLE drifts DROP COLUMN remediation_claimed_at"))
    op.execute(sa.text("ALTER TABLE drifts DROP COLUMN remediation_claim"))
