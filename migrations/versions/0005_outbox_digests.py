"""Digests: outbox rows delivered together as one message carry the same digest_id.

When one scan raises more alerts for a channel than ``[alerts] digest_threshold``, that
channel's rows for them share a ``digest_id``; ``alerts send`` claims and sends them as one
message and records each row. Existing rows get NULL (sent one by one). A plain ADD COLUMN on
both engines (a batch copy would drop SQLite's triggers).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from driftctl.db.types import GUID

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notification_outbox", sa.Column("digest_id", GUID(), nullable=True))
    op.create_index("ix_notification_outbox_digest_id", "notification_outbox", ["digest_id"])


def downgrade() -> None:
    op.drop_index("ix_notification_outbox_digest_id", table_name="notification_outbox")
    op.execute(sa.text("ALTER TABLE notification_outbox DROP COLUMN digest_id"))
