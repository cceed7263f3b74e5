"""Notification channel names are data: drop the CHECK that listed them.

Channels are plugins registered by the application (``driftctl.notify.registry``), so a new
channel must not need a schema change. ``notification_outbox.channel`` keeps its type
(varchar(20)) and every row; the application validates the name when it enqueues a row.
``alerts.notified_slack/email/pagerduty`` stay and are still filled, for compatibility; which
channels delivered an alert is read from its ``sent`` outbox rows.

SQLite cannot drop a constraint in place: batch mode copies the table, which drops its
``updated_at`` trigger, so the trigger is created again afterwards (same SQL as 0001).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "notification_outbox"
_CHECK = "ck_notification_outbox_channel"
_OLD_CHANNELS = ("slack", "email", "pagerduty", "webhook")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(_CHECK), _TABLE, type_="check")
        return
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.drop_constraint(op.f(_CHECK), type_="check")
    _sqlite_updated_at_trigger()


def downgrade() -> None:
    listed = ", ".join(f"'{c}'" for c in _OLD_CHANNELS)
    # The old CHECK cannot hold rows of channels added since; they go (their alerts stay).
    op.execute(sa.text(f"DELETE FROM {_TABLE} WHERE channel NOT IN ({listed})"))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(op.f(_CHECK), _TABLE, f"channel IN ({listed})")
        return
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.create_check_constraint(op.f(_CHECK), sa.text(f"channel IN ({listed})"))
    _sqlite_updated_at_trigger()


def _sqlite_updated_at_trigger() -> None:
    op.execute(f"DROP TRIGGER IF EXISTS trg_{_TABLE}_updated_at")
    op.execute(
        f"CREATE TRIGGER trg_{_TABLE}_updated_at AFTER UPDATE ON {_TABLE} "
        "FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at BEGIN "
        f"UPDATE {_TABLE} SET updated_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') "
        "WHERE id = NEW.id; END"
    )
