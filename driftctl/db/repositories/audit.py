"""SQL for the audit trail: append-only, hash-chained rows.

Each row's ``hash`` is SHA-256 over the previous row's hash and a canonical JSON of the row's own
content; ``seq`` orders the chain and is unique, so two writers can never fork it. The chain tip is
serialised by PostgreSQL's transaction-scoped advisory lock, and on SQLite by the database write
lock every write transaction takes at BEGIN IMMEDIATE.

Reading the trail (``audit``, ``show``) is Core on ``driftctl.db.tables``; appending works on the
ORM model, imported when called.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, select, text

from driftctl.db.tables import audit_logs as t
from driftctl.db.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from driftctl.db.models import AuditLog

GENESIS_HASH = "0" * 64
# Any constant works; it names driftctl's audit chain among other advisory locks.
_PG_CHAIN_LOCK = 0x64726966  # "drif"


def canonical(row: AuditLog | Row[Any]) -> str:
    """The row content covered by its hash, as canonical JSON."""
    body = {
        "id": str(row.id),
        "seq": row.seq,
        "drift_id": str(row.drift_id) if row.drift_id else None,
        "action": row.action,
        "actor_id": str(row.actor_id) if row.actor_id else None,
        "actor_email": row.actor_email,
        "old_value": row.old_value,
        "new_value": row.new_value,
        "details": row.details,
        "ip_address": row.ip_address,
        "user_agent": row.user_agent,
        "created_at": row.created_at.isoformat(timespec="microseconds"),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(prev_hash: str, row: AuditLog | Row[Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})


def append(
    session: Session,
    *,
    action: str,
    drift_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    actor_email: str | None = None,
    old_value: dict[str, Any] | None = None,
    new_value: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    user_agent: str | None = None,
    ip_address: str | None = None,
    created_at: datetime | None = None,
) -> AuditLog:
    """Add one audit row at the end of the chain (inside the caller's transaction)."""
    from sqlmodel import col

    from driftctl.db.models import AuditLog

    _lock_chain(session)
    tip = session.execute(
        select(col(AuditLog.seq), col(AuditLog.hash)).order_by(col(AuditLog.seq).desc()).limit(1)
    ).first()
    seq, prev_hash = (1, GENESIS_HASH) if tip is None else (tip[0] + 1, tip[1])
    # Microseconds only: both engines store them exactly, so the hash survives a round trip.
    now = created_at or utcnow()
    row = AuditLog(
        seq=seq,
        drift_id=drift_id,
        action=action,
        actor_id=actor_id,
        actor_email=actor_email,
        old_value=old_value,
        new_value=new_value,
        details=details,
        ip_address=ip_address,
        user_agent=user_agent[:500] if user_agent else None,
        created_at=now,
        prev_hash=prev_hash,
        hash="",
    )
    row.hash = compute_hash(prev_hash, row)
    session.add(row)
    session.flush()
    return row


@dataclass
class AuditFilter:
    drift_ids: list[uuid.UUID] = field(default_factory=list)
    actor: str | None = None  # e-mail or user id
    actions: list[str] = field(default_factory=list)
    since: datetime | None = None

    def clauses(self) -> list[Any]:
        out: list[Any] = []
        if self.drift_ids:
            out.append(t.c.drift_id.in_(self.drift_ids))
        if self.actor:
            out.append(t.c.actor_email == self.actor)
        if self.actions:
            out.append(t.c.action.in_(self.actions))
        if self.since:
            out.append(t.c.created_at >= self.since)
        return out


def list_page(
    session: Session | Connection,
    *,
    filters: AuditFilter,
    offset: int,
    limit: int,
    ascending: bool = False,
) -> list[Row[Any]]:
    seq = t.c.seq
    stmt = (
        select(t)
        .where(*filters.clauses())
        .order_by(seq.asc() if ascending else seq.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.execute(stmt))


def count(session: Session | Connection, *, filters: AuditFilter) -> int:
    stmt = select(func.count()).select_from(t).where(*filters.clauses())
    return int(session.execute(stmt).scalar_one())


def iter_chain(session: Session | Connection, *, batch: int = 1000) -> Iterator[Row[Any]]:
    """Every audit row in chain order, fetched in batches."""
    last = 0
    while True:
        stmt = select(t).where(t.c.seq > last).order_by(t.c.seq).limit(batch)
        rows = list(session.execute(stmt))
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def tip(session: Session | Connection) -> Row[Any] | None:
    return session.execute(select(t).order_by(t.c.seq.desc()).limit(1)).first()


@dataclass
class AuditEntry:
    """One row for ``append_many``."""

    action: str
    drift_id: uuid.UUID | None = None
    old_value: dict[str, Any] | None = None
    new_value: dict[str, Any] | None = None
    details: dict[str, Any] | None = None


def append_many(
    session: Session,
    entries: list[AuditEntry],
    *,
    actor_id: uuid.UUID | None,
    actor_email: str | None,
    user_agent: str | None,
    created_at: datetime | None = None,
) -> int:
    """Append many rows to the chain with one lock, one tip read and one batched insert."""
    from sqlmodel import col

    from driftctl.db.models import AuditLog

    if not entries:
        return 0
    _lock_chain(session)
    tip_row = session.execute(
        select(col(AuditLog.seq), col(AuditLog.hash)).order_by(col(AuditLog.seq).desc()).limit(1)
    ).first()
    seq, prev_hash = (0, GENESIS_HASH) if tip_row is None else (tip_row[0], tip_row[1])
    now = created_at or utcnow()
    rows = []
    for entry in entries:
        seq += 1
        row = AuditLog(
            seq=seq,
            drift_id=entry.drift_id,
            action=entry.action,
            actor_id=actor_id,
            actor_email=actor_email,
            old_value=entry.old_value,
            new_value=entry.new_value,
            details=entry.details,
            user_agent=user_agent[:500] if user_agent else None,
            created_at=now,
            prev_hash=prev_hash,
            hash="",
        )
        row.hash = compute_hash(prev_hash, row)
        prev_hash = row.hash
        rows.append(row)
    session.add_all(rows)
    session.flush()
    return len(rows)
