"""SQL for alert delivery: the notification outbox, and the alert queries the alerts service needs.

The outbox is a work queue shared by every ``driftctl alerts send`` process. A row is taken with
a compare-and-set claim (``UPDATE … WHERE status = 'pending' AND (claimed_until IS NULL OR
claimed_until < now)``) that sets a lease; on PostgreSQL the candidates are picked with
``FOR UPDATE SKIP LOCKED`` so concurrent senders take different rows instead of queueing, and on
SQLite the claim runs inside a ``BEGIN IMMEDIATE`` transaction, which serialises it.
Functions take a Session and never commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, exists, func, or_, select, text, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from driftctl.db.models import Alert, Drift, NotificationOutbox

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql.elements import ColumnElement

# The PostgreSQL channel `alerts --follow` listens on; the payload is the alert id.
PG_CHANNEL = "driftctl_alerts"
# Serialises "raise approval_needed unless one exists" between concurrent PostgreSQL writers.
_PG_APPROVAL_LOCK = 0x616C7274  # "alrt"
# Alert columns of the original design that record a successful delivery, kept filled for
# compatibility; the delivered outbox rows are the record for every channel.
NOTIFIED_COLUMN = {
    "slack": "notified_slack",
    "email": "notified_email",
    "pagerduty": "notified_pagerduty",
}


_CHANNEL_RE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- enqueueing ------------------------------------------------------------------------------


def enqueue(
    session: Session,
    *,
    alert_id: uuid.UUID,
    channels: Iterable[str],
    now: datetime,
    event: str = "trigger",
    digest_id: uuid.UUID | None = None,
) -> list[NotificationOutbox]:
    """Add one pending row per channel for ALERT_ID (the alert must already be flushed).

    Raises ValueError for a malformed channel name (the schema no longer lists the names).
    """
    channels = list(channels)
    for channel in channels:
        if not _CHANNEL_RE.match(channel):
            raise ValueError(f"malformed notification channel name {channel!r}")
    rows = [
        NotificationOutbox(
            alert_id=alert_id,
            channel=channel,
            event=event,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
            digest_id=digest_id,
        )
        for channel in channels
    ]
    session.add_all(rows)
    return rows


def notify_listeners(session: Session, alert_ids: Sequence[uuid.UUID]) -> None:
    """PostgreSQL: NOTIFY followers of each new alert, delivered when the transaction commits."""
    if not alert_ids or not _is_pg(session):
        return
    session.execute(
        text("SELECT pg_notify(:channel, x) FROM unnest(CAST(:ids AS text[])) AS x"),
        {"channel": PG_CHANNEL, "ids": [str(i) for i in alert_ids]},
    )


# --- claiming and recording ------------------------------------------------------------------


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending, due, and not leased to another sender."""
    return and_(
        col(NotificationOutbox.status) == "pending",
        col(NotificationOutbox.next_attempt_at) <= now,
        or_(
            col(NotificationOutbox.claimed_until).is_(None),
            col(NotificationOutbox.claimed_until) < now,
        ),
    )


def _not_waiting_for_trigger() -> ColumnElement[bool]:
    """A resolve event waits while a trigger for the same alert and channel is still pending."""
    trigger = aliased(NotificationOutbox)
    pending_trigger = exists().where(
        col(trigger.alert_id) == col(NotificationOutbox.alert_id),
        col(trigger.channel) == col(NotificationOutbox.channel),
        col(trigger.event) == "trigger",
        col(trigger.status) == "pending",
    )
    return or_(col(NotificationOutbox.event) != "resolve", ~pending_trigger)


def claim_due(
    session: Session,
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
    skip_channels: Sequence[str] = (),
) -> list[uuid.UUID]:
    """Lease up to LIMIT due rows to the caller until LEASE_UNTIL; returns the ids it won.

    The rows are picked by a statement of their own, then leased: an ``UPDATE … WHERE id IN
    (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` lets PostgreSQL run the subquery more than
    once and lease more than LIMIT rows. The picked rows stay locked until the transaction ends.
    A digest is sent whole: the other claimable rows of a picked row's digest are leased too
    (beyond LIMIT), skipping rows another sender has locked.
    """
    oid = col(NotificationOutbox.id)
    candidates = select(oid).where(_claimable(now), _not_waiting_for_trigger())
    if skip_channels:
        candidates = candidates.where(col(NotificationOutbox.channel).not_in(list(skip_channels)))
    candidates = candidates.order_by(
        col(NotificationOutbox.next_attempt_at), col(NotificationOutbox.created_at), oid
    ).limit(limit)
    if _is_pg(session):
        candidates = candidates.with_for_update(skip_locked=True)
    picked = list(session.execute(candidates).scalars())
    if not picked:
        return []
    stmt = (
        update(NotificationOutbox)
        .where(oid.in_(picked), _claimable(now))
        .values(claimed_until=lease_until, updated_at=now)
        .returning(oid)
        .execution_options(synchronize_session=False)
    )
    won = list(session.execute(stmt).scalars())
    return won + _claim_digest_members(session, won, now=now, lease_until=lease_until)


def _claim_digest_members(
    session: Session, won: list[uuid.UUID], *, now: datetime, lease_until: datetime
) -> list[uuid.UUID]:
    if not won:
        return []
    digest = col(NotificationOutbox.digest_id)
    oid = col(NotificationOutbox.id)
    digests = list(
        session.execute(
            select(digest).where(oid.in_(won), digest.is_not(None)).distinct()
        ).scalars()
    )
    if not digests:
        return []
    members = select(oid).where(digest.in_(digests), oid.not_in(won), _claimable(now))
    if _is_pg(session):
        members = members.with_for_update(skip_locked=True)
    picked = list(session.execute(members).scalars())
    if not picked:
        return []
    stmt = (
        update(NotificationOutbox)
        .where(oid.in_(picked), _claimable(now))
        .values(claimed_until=lease_until, updated_at=now)
        .returning(oid)
        .execution_options(synchronize_session=False)
    )
    return list(session.execute(stmt).scalars())


def renew_lease(
    session: Session,
    ids: Sequence[uuid.UUID],
    *,
    held_until: datetime,
    lease_until: datetime,
    now: datetime,
) -> list[uuid.UUID]:
    """Extend the lease of the rows IDS the caller still holds (compare-and-set on the lease it
    set, HELD_UNTIL, so a row another sender took over is left alone); returns those renewed."""
    if not ids:
        return []
    stmt = (
        update(NotificationOutbox)
        .where(
            col(NotificationOutbox.id).in_(list(ids)),
            col(NotificationOutbox.status) == "pending",
            col(NotificationOutbox.claimed_until) == held_until,
        )
        .values(claimed_until=lease_until, updated_at=now)
        .returning(col(NotificationOutbox.id))
        .execution_options(synchronize_session=False)
    )
    return list(session.execute(stmt).scalars())


def next_lease_end(session: Session, *, due_by: datetime, now: datetime) -> datetime | None:
    """When the first lease on a row due by DUE_BY, still pending and leased at NOW, ends (None
    when there is no such row): another sender, alive or killed, holds it."""
    stmt = select(func.min(col(NotificationOutbox.claimed_until))).where(
        col(NotificationOutbox.status) == "pending",
        col(NotificationOutbox.next_attempt_at) <= due_by,
        col(NotificationOutbox.claimed_until) >= now,
    )
    value = session.execute(stmt).scalar_one_or_none()
    return value if isinstance(value, datetime) else None


@dataclass(frozen=True)
class Job:
    """A claimed outbox row with what is needed to build its notification."""

    outbox_id: uuid.UUID
    channel: str
    event: str
    attempts: int
    alert: Alert
    drift: Drift
    digest_id: uuid.UUID | None = None


def load_jobs(session: Session, ids: Sequence[uuid.UUID]) -> list[Job]:
    """The rows IDS with their alert and drift, oldest first."""
    if not ids:
        return []
    stmt = (
        select(NotificationOutbox, Alert, Drift)
        .join(Alert, col(Alert.id) == col(NotificationOutbox.alert_id))
        .join(Drift, col(Drift.id) == col(Alert.drift_id))
        .where(col(NotificationOutbox.id).in_(list(ids)))
        .order_by(col(NotificationOutbox.next_attempt_at), col(NotificationOutbox.created_at))
    )
    return [
        Job(row.id, row.channel, row.event, row.attempts, alert, drift, row.digest_id)
        for row, alert, drift in session.execute(stmt)
    ]


def due_jobs(session: Session, *, now: datetime, limit: int) -> list[Job]:
    """Rows a send started at NOW would take, without claiming them (for ``--dry-run``)."""
    ids = session.execute(
        select(col(NotificationOutbox.id))
        .where(_claimable(now), _not_waiting_for_trigger())
        .order_by(col(NotificationOutbox.next_attempt_at), col(NotificationOutbox.created_at))
        .limit(limit)
    ).scalars()
    return load_jobs(session, list(ids))


def count_pending(session: Session, *, due_by: datetime) -> int:
    """How many rows due by DUE_BY are still pending, leased or not."""
    stmt = (
        select(func.count())
        .select_from(NotificationOutbox)
        .where(
            col(NotificationOutbox.status) == "pending",
            col(NotificationOutbox.next_attempt_at) <= due_by,
        )
    )
    return int(session.execute(stmt).scalar_one())


@dataclass
class Outcomes:
    """What happened to claimed rows, written back in one transaction by ``record``."""

    # (outbox id, alert id, channel)
    sent: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)
    # (outbox id, attempts, next attempt at, error)
    retry: list[tuple[uuid.UUID, int, datetime, str]] = field(default_factory=list)
    # (outbox id, attempts, error)
    failed: list[tuple[uuid.UUID, int, str]] = field(default_factory=list)
    # (outbox id, error or None): back to the queue without spending an attempt
    released: list[tuple[uuid.UUID, str | None]] = field(default_factory=list)


def record(session: Session, outcomes: Outcomes, *, now: datetime) -> None:
    """Write delivery results: sent rows and their alerts' notified flags, retries, failures."""
    conn = session.connection()
    table = NotificationOutbox.__table__  # type: ignore[attr-defined]
    by_id = table.c.id == bindparam("b_id")
    if outcomes.sent:
        conn.execute(
            update(table)
            .where(by_id)
            .values(
                status="sent",
                attempts=table.c.attempts + 1,
                sent_at=now,
                claimed_until=None,
                last_error=None,
                updated_at=now,
            ),
            [{"b_id": oid} for oid, _, _ in outcomes.sent],
        )
        for channel, column in NOTIFIED_COLUMN.items():
            alert_ids = sorted({a for _, a, c in outcomes.sent if c == channel})
            for start in range(0, len(alert_ids), 500):
                session.execute(
                    update(Alert)
                    .where(col(Alert.id).in_(alert_ids[start : start + 500]))
                    .values({column: True, "updated_at": now})
                    .execution_options(synchronize_session=False)
                )
    if outcomes.retry:
        conn.execute(
            update(table)
            .where(by_id)
            .values(
                attempts=bindparam("b_attempts"),
                next_attempt_at=bindparam("b_next"),
                last_error=bindparam("b_error"),
                claimed_until=None,
                updated_at=now,
            ),
            [
                {"b_id": oid, "b_attempts": n, "b_next": at, "b_error": err}
                for oid, n, at, err in outcomes.retry
            ],
        )
    if outcomes.failed:
        conn.execute(
            update(table)
            .where(by_id)
            .values(
                status="failed",
                attempts=bindparam("b_attempts"),
                last_error=bindparam("b_error"),
                claimed_until=None,
                updated_at=now,
            ),
            [{"b_id": oid, "b_attempts": n, "b_error": err} for oid, n, err in outcomes.failed],
        )
    if outcomes.released:
        conn.execute(
            update(table)
            .where(by_id)
            .values(
                claimed_until=None,
                last_error=func.coalesce(bindparam("b_error"), table.c.last_error),
                updated_at=now,
            ),
            [{"b_id": oid, "b_error": err} for oid, err in outcomes.released],
        )


# --- PagerDuty resolve events ----------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRow:
    """One outbox row of a drift's alert, as enqueue_resolve needs it."""

    outbox_id: uuid.UUID
    alert_id: uuid.UUID
    event: str
    status: str
    claimed_until: datetime | None
    alert_created_at: datetime
    digest_id: uuid.UUID | None


def rows_for_drifts(
    session: Session, drift_ids: Sequence[uuid.UUID], *, channel: str
) -> dict[uuid.UUID, list[ChannelRow]]:
    """The outbox rows of CHANNEL for each drift's alerts, grouped by drift id."""
    out: dict[uuid.UUID, list[ChannelRow]] = {}
    for start in range(0, len(drift_ids), 500):
        chunk = list(drift_ids[start : start + 500])
        stmt = (
            select(
                col(Alert.drift_id),
                col(NotificationOutbox.id),
                col(NotificationOutbox.alert_id),
                col(NotificationOutbox.event),
                col(NotificationOutbox.status),
                col(NotificationOutbox.claimed_until),
                col(Alert.created_at),
                col(NotificationOutbox.digest_id),
            )
            .join(Alert, col(Alert.id) == col(NotificationOutbox.alert_id))
            .where(col(Alert.drift_id).in_(chunk), col(NotificationOutbox.channel) == channel)
            .order_by(col(Alert.created_at), col(NotificationOutbox.created_at))
        )
        for drift_id, *rest in session.execute(stmt):
            out.setdefault(drift_id, []).append(ChannelRow(*rest))
    return out


def cancel_pending(
    session: Session, ids: Sequence[uuid.UUID], *, now: datetime, reason: str
) -> list[uuid.UUID]:
    """Mark unleased pending rows failed with REASON (compare-and-set); returns those changed."""
    if not ids:
        return []
    stmt = (
        update(NotificationOutbox)
        .where(col(NotificationOutbox.id).in_(list(ids)), _claimable_any_time(now))
        .values(status="failed", last_error=reason, claimed_until=None, updated_at=now)
        .returning(col(NotificationOutbox.id))
        .execution_options(synchronize_session=False)
    )
    return list(session.execute(stmt).scalars())


def digest_undecided(session: Session, digest_id: uuid.UUID, *, decided: Sequence[str]) -> int:
    """How many trigger rows of DIGEST_ID, not cancelled, are about a drift not yet decided."""
    stmt = (
        select(func.count())
        .select_from(NotificationOutbox)
        .join(Alert, col(Alert.id) == col(NotificationOutbox.alert_id))
        .join(Drift, col(Drift.id) == col(Alert.drift_id))
        .where(
            col(NotificationOutbox.digest_id) == digest_id,
            col(NotificationOutbox.event) == "trigger",
            col(NotificationOutbox.status) != "failed",
            col(Drift.status).not_in(list(decided)),
        )
    )
    return int(session.execute(stmt).scalar_one())


def digest_has_resolve(session: Session, digest_id: uuid.UUID) -> bool:
    """Whether a resolve event for DIGEST_ID is queued or sent already."""
    stmt = select(col(NotificationOutbox.id)).where(
        col(NotificationOutbox.digest_id) == digest_id,
        col(NotificationOutbox.event) == "resolve",
        col(NotificationOutbox.status) != "failed",
    )
    return session.execute(stmt.limit(1)).first() is not None


def _claimable_any_time(now: datetime) -> ColumnElement[bool]:
    """Pending and not leased, whenever it is due."""
    return and_(
        col(NotificationOutbox.status) == "pending",
        or_(
            col(NotificationOutbox.claimed_until).is_(None),
            col(NotificationOutbox.claimed_until) < now,
        ),
    )


# --- alerts ----------------------------------------------------------------------------------


@dataclass
class AlertFilter:
    unread: bool = False
    severities: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)

    def clauses(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.unread:
            out.append(col(Alert.is_read).is_(False))
        if self.severities:
            out.append(col(Alert.severity).in_(self.severities))
        if self.types:
            out.append(col(Alert.type).in_(self.types))
        return out


def list_alerts(
    session: Session, *, filters: AlertFilter, offset: int, limit: int
) -> list[tuple[Alert, Drift]]:
    """One page of alerts with their drift, newest first."""
    stmt = (
        select(Alert, Drift)
        .join(Drift, col(Drift.id) == col(Alert.drift_id))
        .where(*filters.clauses())
        .order_by(col(Alert.created_at).desc(), col(Alert.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return [(alert, drift) for alert, drift in session.execute(stmt)]


def count_alerts(session: Session, *, filters: AlertFilter) -> int:
    stmt = select(func.count()).select_from(Alert).where(*filters.clauses())
    return int(session.execute(stmt).scalar_one())


def alerts_by_ids(session: Session, ids: Sequence[uuid.UUID]) -> list[tuple[Alert, Drift]]:
    """The alerts IDS with their drift, in creation order."""
    if not ids:
        return []
    stmt = (
        select(Alert, Drift)
        .join(Drift, col(Drift.id) == col(Alert.drift_id))
        .where(col(Alert.id).in_(list(ids)))
        .order_by(col(Alert.created_at), col(Alert.id))
    )
    return [(alert, drift) for alert, drift in session.execute(stmt)]


def delivered_channels(
    session: Session, alert_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """The channels each alert was delivered to (its ``sent`` trigger rows), sorted by name."""
    out: dict[uuid.UUID, list[str]] = {}
    ids = list(dict.fromkeys(alert_ids))
    for start in range(0, len(ids), 500):
        stmt = (
            select(col(NotificationOutbox.alert_id), col(NotificationOutbox.channel))
            .where(
                col(NotificationOutbox.alert_id).in_(ids[start : start + 500]),
                col(NotificationOutbox.status) == "sent",
                col(NotificationOutbox.event) == "trigger",
            )
            .distinct()
            .order_by(col(NotificationOutbox.channel))
        )
        for alert_id, channel in session.execute(stmt):
            out.setdefault(alert_id, []).append(channel)
    return out


def get_alert(session: Session, alert_id: uuid.UUID) -> Alert | None:
    return session.get(Alert, alert_id)


def alert_ids_with_prefix(session: Session, prefix: str, *, limit: int = 10) -> list[uuid.UUID]:
    """Alert ids starting with PREFIX (lower-case hex and dashes), as an index range scan."""
    digits = prefix.replace("-", "")
    low, high = uuid.UUID(digits.ljust(32, "0")), uuid.UUID(digits.ljust(32, "f"))
    aid = col(Alert.id)
    stmt = select(aid).where(aid >= low, aid <= high).order_by(aid).limit(limit)
    return list(session.execute(stmt).scalars())


def unread_alert_ids(session: Session) -> list[uuid.UUID]:
    stmt = select(col(Alert.id)).where(col(Alert.is_read).is_(False)).order_by(col(Alert.id))
    return list(session.execute(stmt).scalars())


def mark_alerts_read(
    session: Session, ids: Sequence[uuid.UUID], *, actor_id: uuid.UUID | None, now: datetime
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Mark the unread ones among IDS read (compare-and-set); returns (alert id, drift id)."""
    changed: list[tuple[uuid.UUID, uuid.UUID]] = []
    for start in range(0, len(ids), 500):
        stmt = (
            update(Alert)
            .where(col(Alert.id).in_(list(ids[start : start + 500])), col(Alert.is_read).is_(False))
            .values(is_read=True, read_at=now, read_by=actor_id, updated_at=now)
            .returning(col(Alert.id), col(Alert.drift_id))
            .execution_options(synchronize_session=False)
        )
        changed.extend((alert_id, drift_id) for alert_id, drift_id in session.execute(stmt))
    return changed


def lock_approval_alerts(session: Session) -> None:
    """PostgreSQL: hold a transaction lock so two writers cannot both raise the same alert."""
    if _is_pg(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_APPROVAL_LOCK})


def drifts_awaiting_approval(
    session: Session, *, detected_before: datetime, min_rank: int, statuses: Sequence[str]
) -> list[Drift]:
    """Undecided drifts at or above MIN_RANK, older than DETECTED_BY, with no approval alert."""
    has_alert = exists().where(
        col(Alert.drift_id) == col(Drift.id), col(Alert.type) == "approval_needed"
    )
    stmt = (
        select(Drift)
        .where(
            col(Drift.status).in_(list(statuses)),
            col(Drift.severity_rank) >= min_rank,
            col(Drift.detected_at) <= detected_before,
            ~has_alert,
        )
        .order_by(col(Drift.detected_at))
    )
    return list(session.execute(stmt).scalars())


# --- following new alerts --------------------------------------------------------------------


def last_alert_rowid(session: Session) -> int:
    """SQLite: the highest alert rowid (rowids grow in commit order: writers are serialised)."""
    value = session.execute(text("SELECT coalesce(max(rowid), 0) FROM alerts")).scalar_one()
    return int(value)


def alerts_after_rowid(session: Session, rowid: int) -> tuple[list[tuple[Alert, Drift]], int]:
    """SQLite: alerts committed after ROWID with their drift, and the new high-water mark."""
    rows = session.execute(
        text("SELECT rowid, id FROM alerts WHERE rowid > :r ORDER BY rowid"), {"r": rowid}
    ).all()
    if not rows:
        return [], rowid
    ids = [uuid.UUID(str(r[1])) for r in rows]
    found = {a.id: (a, d) for a, d in alerts_by_ids(session, ids)}
    return [found[i] for i in ids if i in found], int(rows[-1][0])


@contextmanager
def listen(engine: Engine) -> Iterator[Any]:
    """PostgreSQL: a psycopg connection LISTENing on PG_CHANNEL (closed on exit)."""
    raw = engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        conn.autocommit = True
        conn.execute(f"LISTEN {PG_CHANNEL}")
        yield conn
    finally:
        # Dropped rather than pooled: the connection is in autocommit mode and still listening.
        raw.invalidate()
