"""The drift lifecycle (SPEC §5): listing, showing and compare-and-set state transitions.

Every transition runs in one transaction with its audit row. A call with several ids is
all-or-nothing: if any id is unknown or in the wrong status, nothing is written.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from driftctl.db.repositories import alerts as alerts_repo
from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import costs as costs_repo
from driftctl.db.repositories import drifts as drifts_repo
from driftctl.db.repositories.drifts import DriftFilter
from driftctl.db.types import utcnow
from driftctl.domain import AuditAction, DriftStatus, ResolvedHow, Role, jsonable
from driftctl.errors import ConflictError, NotFoundError, ValidationError
from driftctl.services.context import Context, timed
from driftctl.services.listing import DEFAULT_LIMIT as DEFAULT_LIMIT
from driftctl.services.listing import MAX_LIMIT as MAX_LIMIT  # alerts pages the same way
from driftctl.services.listing import Page as Page
from driftctl.services.listing import check_page
from driftctl.services.listing import parse_since as parse_since

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row
    from sqlalchemy.orm import Session

    from driftctl.db.models import Drift

MIN_REASON = 10
MIN_PREFIX = 6
_ID_RE = re.compile(r"^[0-9a-f-]+$")

DRIFT_FIELDS = (
    "id",
    "resource_id",
    "resource_type",
    "region",
    "account_id",
    "drift_type",
    "severity",
    "cost_impact_monthly",
    "status",
    "difference",
    "expected_state",
    "actual_state",
    "detected_at",
    "detected_by",
    "last_seen_at",
    "approved_at",
    "approved_by",
    "approval_reason",
    "rejected_at",
    "rejected_by",
    "rejection_reason",
    "resolved_at",
    "resolved_how",
    "created_at",
    "updated_at",
)
# Columns beyond SPEC's list that are still useful to scripts.
EXTRA_FIELDS = (
    "fingerprint",
    "triaged_at",
    "triaged_by",
    "resolved_by",
    "iac_source",
    "first_seen_scan_id",
    "last_seen_scan_id",
)
STATE_FIELDS = ("expected_state", "actual_state", "difference")


def drift_to_dict(drift: Drift | Row[Any], *, include_states: bool = True) -> dict[str, Any]:
    """A drift as SPEC §6's JSON object (timestamps ISO 8601 with offset, money with cents)."""
    out: dict[str, Any] = {}
    for name in (*DRIFT_FIELDS, *EXTRA_FIELDS):
        if not include_states and name in ("expected_state", "actual_state"):
            continue
        out[name] = getattr(drift, name)
    out["cost_impact_monthly"] = round(float(drift.cost_impact_monthly or 0), 2)
    result: dict[str, Any] = jsonable(out)
    return result


@timed
def list_drifts(
    ctx: Context,
    *,
    filters: DriftFilter,
    sort: str = "detected",
    ascending: bool = False,
    page: int = 1,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """One page of drifts; raises ValidationError for a bad page, limit or sort."""
    offset = check_page(page, limit)
    if sort not in drifts_repo.SORT_COLUMNS:
        raise ValidationError(f"unknown sort {sort!r}: use {', '.join(drifts_repo.SORT_COLUMNS)}")
    with ctx.query() as conn:
        total = drifts_repo.count(conn, filters=filters)
        rows = drifts_repo.list_page(
            conn,
            filters=filters,
            sort=sort,
            ascending=ascending,
            offset=offset,
            limit=limit,
        )
        items = [drift_to_dict(d, include_states=False) for d in rows]
    return Page(items=items, total=total, page=page, page_size=limit)


def resolve_prefix(
    raw: str,
    *,
    noun: str,
    exists: Callable[[uuid.UUID], bool],
    with_prefix: Callable[[str], list[uuid.UUID]],
) -> uuid.UUID:
    """A full id or a unique prefix of at least 6 characters -> the id (drifts, alerts).

    Raises ValidationError (malformed, too short, ambiguous: listing the candidates) or
    NotFoundError.
    """
    text = raw.strip().lower()
    if not text or not _ID_RE.match(text) or len(text) > 36:
        raise ValidationError(f"invalid {noun} id {raw!r}: expected a UUID or a prefix of one")
    if len(text) == 36:
        try:
            full = uuid.UUID(text)
        except ValueError:
            raise ValidationError(f"invalid {noun} id {raw!r}") from None
        if not exists(full):
            raise NotFoundError(f"no {noun} with id {text}")
        return full
    if len(text.replace("-", "")) < MIN_PREFIX:
        raise ValidationError(
            f"{noun} id prefix {raw!r} is too short: give at least {MIN_PREFIX} characters"
        )
    matches = [m for m in with_prefix(text) if str(m).startswith(text)]
    if not matches:
        raise NotFoundError(f"no {noun} with an id starting with {text}")
    if len(matches) > 1:
        listed = ", ".join(str(m) for m in matches[:5])
        raise ValidationError(
            f"{noun} id prefix {text} is ambiguous: {listed}",
            details={"candidates": [str(m) for m in matches]},
        )
    return matches[0]


def resolve_id(session: Session | Connection, raw: str) -> uuid.UUID:
    """A drift id or unique prefix -> the drift id; see ``resolve_prefix``."""
    return resolve_prefix(
        raw,
        noun="drift",
        exists=lambda full: drifts_repo.exists_with_id(session, full),
        with_prefix=lambda text: drifts_repo.ids_with_prefix(session, text, limit=6),
    )


@timed
def show_drift(ctx: Context, raw_id: str) -> dict[str, Any]:
    """A drift with its alerts, cost history and audit trail; NotFoundError if unknown."""
    with ctx.query() as conn:
        drift_id = resolve_id(conn, raw_id)
        drift = drifts_repo.get_row(conn, drift_id)
        assert drift is not None
        out = drift_to_dict(drift)
        out["alerts"] = [alerts_repo.to_dict(a) for a in alerts_repo.for_drift(conn, drift_id)]
        out["cost_history"] = [costs_repo.to_dict(c) for c in costs_repo.for_drift(conn, drift_id)]
        out["severity_reasons"] = [r.to_dict() for r in _severity_reasons(ctx, drift)]
        out["audit_trail"] = [
            audit_to_dict(a)
            for a in audit_repo.list_page(
                conn,
                filters=audit_repo.AuditFilter(drift_ids=[drift_id]),
                offset=0,
                limit=1000,
                ascending=True,
            )
        ]
    return out


def _severity_reasons(ctx: Context, drift: Row[Any]) -> list[Any]:
    """Why the drift has its severity, judged again by today's rules (the defaults and the
    config's ``[[severity.rules]]``)."""
    from driftctl.diff.findings import Finding
    from driftctl.diff.severity import explain, rules_from_config
    from driftctl.domain import DriftType

    finding = Finding(
        resource_type=drift.resource_type,
        resource_id=drift.resource_id,
        region=drift.region,
        account_id=drift.account_id,
        drift_type=DriftType(drift.drift_type),
        difference=dict(drift.difference or {}),
        expected_state=drift.expected_state,
        actual_state=drift.actual_state,
    )
    rules = rules_from_config((ctx.settings.severity or {}).get("rules", []))
    return explain(finding, rules)


def audit_to_dict(row: Any) -> dict[str, Any]:
    fields = (
        "id",
        "seq",
        "drift_id",
        "action",
        "actor_id",
        "actor_email",
        "old_value",
        "new_value",
        "details",
        "ip_address",
        "user_agent",
        "created_at",
        "prev_hash",
        "hash",
    )
    result: dict[str, Any] = jsonable({f: getattr(row, f) for f in fields})
    return result


def _check_reason(reason: str | None, verb: str) -> str:
    text = (reason or "").strip()
    if len(text) < MIN_REASON:
        raise ValidationError(
            f"--reason is required to {verb} and must be at least {MIN_REASON} characters"
        )
    return text


@dataclass(frozen=True)
class _Transition:
    verb: str
    action: AuditAction
    to_status: DriftStatus
    from_statuses: tuple[DriftStatus, ...]


_TRIAGE = _Transition(
    "triage", AuditAction.DRIFT_TRIAGED, DriftStatus.TRIAGED, (DriftStatus.DETECTED,)
)
_APPROVE = _Transition(
    "approve",
    AuditAction.DRIFT_APPROVED,
    DriftStatus.APPROVED,
    (DriftStatus.DETECTED, DriftStatus.TRIAGED),
)
_REJECT = _Transition(
    "reject",
    AuditAction.DRIFT_REJECTED,
    DriftStatus.REJECTED,
    (DriftStatus.DETECTED, DriftStatus.TRIAGED),
)
_RESOLVE_FIXED = _Transition(
    "resolve",
    AuditAction.DRIFT_RESOLVED,
    DriftStatus.RESOLVED,
    (DriftStatus.APPROVED, DriftStatus.REJECTED),
)
_RESOLVE_ACK = _Transition(
    "resolve",
    AuditAction.DRIFT_RESOLVED,
    DriftStatus.RESOLVED,
    (DriftStatus.DETECTED, DriftStatus.TRIAGED, DriftStatus.APPROVED, DriftStatus.REJECTED),
)


def _apply(
    ctx: Context,
    raw_ids: list[str],
    transition: _Transition,
    values: dict[str, Any],
    details: dict[str, Any],
) -> list[dict[str, Any]]:
    """Run one transition over several drifts, all or nothing."""
    if not raw_ids:
        raise ValidationError(f"give at least one drift id to {transition.verb}")
    ctx.actor.require(Role.ENGINEER, f"{transition.verb} drifts")
    now = utcnow()
    changed: list[dict[str, Any]] = []
    with ctx.write() as session:
        ids = list(dict.fromkeys(resolve_id(session, raw) for raw in raw_ids))
        for drift_id in ids:
            drift = drifts_repo.get(session, drift_id)
            assert drift is not None
            old_status = drift.status
            allowed = [s.value for s in transition.from_statuses]
            if old_status not in allowed or not drifts_repo.transition(
                session,
                drift_id=drift_id,
                from_statuses=allowed,
                values={**values, "status": transition.to_status.value, "updated_at": now},
            ):
                # Re-read: another process may have moved it since we looked.
                session.expire(drift)
                current = drifts_repo.get(session, drift_id)
                status = current.status if current else "gone"
                raise ConflictError(
                    f"cannot {transition.verb} drift {drift_id}: it is {status} "
                    f"(allowed from {', '.join(allowed)})",
                    details={"id": str(drift_id), "status": status},
                )
            audit_repo.append(
                session,
                action=transition.action.value,
                drift_id=drift_id,
                actor_id=ctx.actor.id,
                actor_email=ctx.actor.email,
                old_value={"status": old_status},
                new_value={"status": transition.to_status.value},
                details=details or None,
                user_agent=ctx.user_agent,
                created_at=now,
            )
            if transition.to_status in (
                DriftStatus.APPROVED,
                DriftStatus.REJECTED,
                DriftStatus.RESOLVED,
            ):
                alerts_repo.mark_read_for_drift(
                    session,
                    drift_id=drift_id,
                    actor_id=ctx.actor.id,
                    actor_email=ctx.actor.email,
                    user_agent=ctx.user_agent,
                    now=now,
                    reason=transition.verb,
                )
            if transition.to_status in (DriftStatus.APPROVED, DriftStatus.RESOLVED):
                # Close the PagerDuty incident this drift opened, with the same dedup_key.
                from driftctl.services.alerts import enqueue_resolve

                enqueue_resolve(session, [drift_id], now=now)
            session.expire(drift)
            refreshed = drifts_repo.get(session, drift_id)
            assert refreshed is not None
            changed.append(drift_to_dict(refreshed, include_states=False))
    return changed


@timed
def triage(ctx: Context, raw_ids: list[str], *, note: str | None = None) -> list[dict[str, Any]]:
    """detected -> triaged. Raises NotFoundError, ConflictError, ValidationError."""
    values = {"triaged_at": utcnow(), "triaged_by": ctx.actor.id}
    return _apply(ctx, raw_ids, _TRIAGE, values, {"note": note} if note else {})


@timed
def approve(ctx: Context, raw_ids: list[str], *, reason: str | None) -> list[dict[str, Any]]:
    """Accept the drift as intended; binds to the difference it saw."""
    text = _check_reason(reason, "approve")
    values = {"approved_at": utcnow(), "approved_by": ctx.actor.id, "approval_reason": text}
    return _apply(ctx, raw_ids, _APPROVE, values, {"reason": text})


@timed
def reject(ctx: Context, raw_ids: list[str], *, reason: str | None) -> list[dict[str, Any]]:
    """Mark the drift as unwanted: it keeps failing CI until resolved."""
    text = _check_reason(reason, "reject")
    values = {"rejected_at": utcnow(), "rejected_by": ctx.actor.id, "rejection_reason": text}
    return _apply(ctx, raw_ids, _REJECT, values, {"reason": text})


@timed
def resolve(
    ctx: Context, raw_ids: list[str], *, how: ResolvedHow, reason: str | None = None
) -> list[dict[str, Any]]:
    """Close drifts: manual-fix from approved/rejected, acknowledged from any open status."""
    if how is ResolvedHow.AUTO_REMEDIATE:
        raise ValidationError(
            "auto-remediate is recorded by the remediation engine once AWS is put back: run "
            "`driftctl remediate ID` (services.remediation), not a plain status change"
        )
    transition = _RESOLVE_ACK if how is ResolvedHow.ACKNOWLEDGED else _RESOLVE_FIXED
    values = {"resolved_at": utcnow(), "resolved_how": how.value, "resolved_by": ctx.actor.id}
    details: dict[str, Any] = {"how": how.value}
    if reason:
        details["reason"] = reason.strip()
    return _apply(ctx, raw_ids, transition, values, details)
