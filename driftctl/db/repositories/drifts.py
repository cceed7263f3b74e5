"""SQL for drifts. Functions take a Session, never commit, and are keyword-only after it.

The reads behind ``list`` and ``show`` are Core queries on ``driftctl.db.tables`` (they also take
a plain Connection) and return rows; the functions that load drifts to change them return ORM
objects and import the models when called, so a read command never builds the model classes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Row, and_, exists, func, or_, select, update

from driftctl.db.tables import drifts as t
from driftctl.domain import Severity

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from driftctl.db.models import Drift

SORT_COLUMNS = {
    "detected": t.c.detected_at,
    "created": t.c.created_at,
    "cost": t.c.cost_impact_monthly,
    "severity": t.c.severity_rank,
}
# What a listing shows of a drift: everything but the two (large) states.
LIST_COLUMNS = tuple(c for c in t.c if c.name not in ("expected_state", "actual_state"))


@dataclass
class DriftFilter:
    """What ``driftctl list`` can filter on; empty lists mean "any"."""

    statuses: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    resource_types: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    drift_types: list[str] = field(default_factory=list)
    search: str | None = None
    since: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        for column, values in (
            (t.c.status, self.statuses),
            (t.c.severity, self.severities),
            (t.c.resource_type, self.resource_types),
            (t.c.region, self.regions),
            (t.c.drift_type, self.drift_types),
        ):
            if len(values) == 1:
                out.append(column == values[0])
            elif values:
                out.append(column.in_(values))
        if self.search:
            pattern = f"%{_escape_like(self.search)}%"
            out.append(
                or_(
                    t.c.resource_id.ilike(pattern, escape="\\"),
                    t.c.iac_source.ilike(pattern, escape="\\"),
                )
            )
        if self.since is not None:
            out.append(t.c.detected_at >= self.since)
        return out


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_page(
    session: Session | Connection,
    *,
    filters: DriftFilter,
    sort: str,
    ascending: bool,
    offset: int,
    limit: int,
) -> list[Row[Any]]:
    """One page of drifts without their states, ordered by ``sort`` then id so pages are stable."""
    column = SORT_COLUMNS[sort]
    order: list[Any] = [column.asc() if ascending else column.desc()]
    if sort == "severity":
        detected = t.c.detected_at
        order.append(detected.asc() if ascending else detected.desc())
    order.append(t.c.id.asc() if ascending else t.c.id.desc())
    clauses = filters.clauses()
    if sort == "severity" and filters.severities:
        # The same condition on severity_rank lets the sort seek straight into its index
        # instead of walking past every row of the other severities (only for this sort: for
        # the others SQLite would pick the rank index and sort).
        known = {s.value: s.rank for s in Severity}
        ranks = sorted({known[s] for s in filters.severities if s in known})
        clauses.append(t.c.severity_rank.in_(ranks))
    stmt = select(*LIST_COLUMNS).where(*clauses).order_by(*order).offset(offset).limit(limit)
    return list(session.execute(stmt))


def count(session: Session | Connection, *, filters: DriftFilter) -> int:
    stmt = select(func.count()).select_from(t).where(*filters.clauses())
    return int(session.execute(stmt).scalar_one())


def get(session: Session, drift_id: uuid.UUID) -> Drift | None:
    """The drift as an ORM object, to change it."""
    from driftctl.db.models import Drift

    return session.get(Drift, drift_id)


def get_row(session: Session | Connection, drift_id: uuid.UUID) -> Row[Any] | None:
    """The drift's row (every column), to read it."""
    return session.execute(select(t).where(t.c.id == drift_id)).first()


def exists_with_id(session: Session | Connection, drift_id: uuid.UUID) -> bool:
    return bool(session.execute(select(exists().where(t.c.id == drift_id))).scalar())


def ids_with_prefix(
    session: Session | Connection, prefix: str, *, limit: int = 10
) -> list[uuid.UUID]:
    """Ids starting with ``prefix`` (lower-case hex and dashes), as an index range scan."""
    low, high = _uuid_bounds(prefix)
    idcol = t.c.id
    stmt = select(idcol).where(idcol >= low, idcol <= high).order_by(idcol).limit(limit)
    return list(session.execute(stmt).scalars())


def _uuid_bounds(prefix: str) -> tuple[uuid.UUID, uuid.UUID]:
    hexdigits = prefix.replace("-", "")
    return (
        uuid.UUID(hexdigits.ljust(32, "0")),
        uuid.UUID(hexdigits.ljust(32, "f")),
    )


def transition(
    session: Session,
    *,
    drift_id: uuid.UUID,
    from_statuses: Sequence[str],
    values: dict[str, Any],
    where: Sequence[ColumnElement[bool]] = (),
) -> bool:
    """Compare-and-set: update only if the drift is still in one of ``from_statuses`` (and
    every ``where`` condition holds).

    Returns False when another writer changed it first (or it is in another status).
    """
    from sqlmodel import col

    from driftctl.db.models import Drift

    stmt = (
        update(Drift)
        .where(and_(col(Drift.id) == drift_id, col(Drift.status).in_(list(from_statuses)), *where))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = session.execute(stmt)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def claim_remediation(
    session: Session,
    *,
    drift_id: uuid.UUID,
    from_statuses: Sequence[str],
    difference_hash: str,
    token: str,
    now: datetime,
    stale_before: datetime,
) -> bool:
    """Take the drift for one ``remediate`` run: only while its difference is the planned one
    and no other run holds it (a claim from before ``stale_before`` has expired)."""
    from sqlmodel import col

    from driftctl.db.models import Drift

    return transition(
        session,
        drift_id=drift_id,
        from_statuses=from_statuses,
        values={"remediation_claim": token, "remediation_claimed_at": now},
        where=[
            col(Drift.difference_hash) == difference_hash,
            or_(
                col(Drift.remediation_claim).is_(None),
                col(Drift.remediation_claimed_at) < stale_before,
            ),
        ],
    )


def held_by(token: str) -> list[ColumnElement[bool]]:
    """The ``where`` of a transition that only the remediation run holding TOKEN may make."""
    from sqlmodel import col

    from driftctl.db.models import Drift

    return [col(Drift.remediation_claim) == token]


def release_remediation(session: Session, *, drift_id: uuid.UUID, token: str) -> None:
    """Give up the claim of the run holding TOKEN (after a failure, or a lost race)."""
    from sqlmodel import col

    from driftctl.db.models import Drift

    session.execute(
        update(Drift)
        .where(and_(col(Drift.id) == drift_id, *held_by(token)))
        .values(remediation_claim=None, remediation_claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def open_by_fingerprints(
    session: Session, fingerprints: Iterable[str], *, source_keys: Sequence[str] = ("",)
) -> dict[str, Drift]:
    """Open (not resolved) drifts keyed by fingerprint, fetched in chunks.

    Only drifts whose source_key is one of ``source_keys``; where two match one fingerprint,
    the one whose key comes first in ``source_keys`` wins.
    """
    from sqlmodel import col

    from driftctl.db.models import Drift

    wanted = list(fingerprints)
    rank = {key: i for i, key in enumerate(source_keys)}
    out: dict[str, Drift] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = select(Drift).where(
            col(Drift.fingerprint).in_(chunk),
            col(Drift.status) != "resolved",
            col(Drift.source_key).in_(list(source_keys)),
        )
        for drift in session.execute(stmt).scalars():
            kept = out.get(drift.fingerprint)
            if kept is None or rank[drift.source_key] < rank[kept.source_key]:
                out[drift.fingerprint] = drift
    return out


def latest_fixed(
    session: Session, fingerprints: Iterable[str], *, source_keys: Sequence[str] = ("",)
) -> dict[str, Drift]:
    """The most recently resolved ``manual-fix`` drift per fingerprint (of ``source_keys``)."""
    from sqlmodel import col

    from driftctl.db.models import Drift

    wanted = list(fingerprints)
    out: dict[str, Drift] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = (
            select(Drift)
            .where(
                col(Drift.fingerprint).in_(chunk),
                col(Drift.status) == "resolved",
                col(Drift.resolved_how) == "manual-fix",
                col(Drift.source_key).in_(list(source_keys)),
            )
            .order_by(col(Drift.resolved_at))
        )
        for drift in session.execute(stmt).scalars():
            out[drift.fingerprint] = drift  # ordered oldest first: the latest stays
    return out


def open_in_scope(
    session: Session,
    *,
    pairs: Iterable[tuple[str, str]],
    account_ids: Sequence[str],
    source_keys: Sequence[str] = ("",),
) -> list[Drift]:
    """Open drifts of the given (resource_type, region) pairs and sources, for auto-resolution."""
    from sqlmodel import col

    from driftctl.db.models import Drift

    pair_list = list(pairs)
    if not pair_list:
        return []
    clauses = [
        and_(col(Drift.resource_type) == rtype, col(Drift.region) == region)
        for rtype, region in pair_list
    ]
    stmt = select(Drift).where(
        col(Drift.status) != "resolved",
        or_(*clauses),
        col(Drift.source_key).in_(list(source_keys)),
    )
    if account_ids:
        stmt = stmt.where(
            or_(col(Drift.account_id).in_(list(account_ids)), col(Drift.account_id).is_(None))
        )
    return list(session.execute(stmt).scalars())
