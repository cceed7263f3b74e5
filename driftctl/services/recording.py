"""Recording a scan in the database: the scan row, drift upserts, reopening, auto-resolution,
alerts, cost metrics and audit rows, all of one scan in one transaction (SPEC §5).

One open drift per fingerprint (re-scans update it); an approval binds to the difference it saw
(a different difference reopens the drift); a drift whose resource is back in its expected state
is resolved, but only where this scan read that (type, region) without error.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, update
from sqlmodel import col

from driftctl import __version__
from driftctl.db.models import SEVERITY_RANK, Alert, CostMetric, Drift, Scan
from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import drifts as drifts_repo
from driftctl.db.types import utcnow
from driftctl.domain import AuditAction, DriftStatus, DriftType, ScanStatus, jsonable
from driftctl.errors import DriftctlError
from driftctl.services.context import Context

if TYPE_CHECKING:
    from sqlmodel import Session

    from driftctl.diff.findings import Comparison, Finding
    from driftctl.iac.sources import ExpectedState
    from driftctl.scanner.runner import ActualScan
    from driftctl.services.scanning import Priced, ScanOptions

log = logging.getLogger(__name__)


def start_scan_row(
    ctx: Context | None, options: ScanOptions, sources: list[str], started: Any
) -> uuid.UUID:
    assert ctx is not None
    scan = Scan(
        started_at=started,
        status=ScanStatus.RUNNING.value,
        source=options.source.value,
        iac_sources=list(sources),
        regions=list(options.regions),
        driftctl_version=__version__,
        actor_id=ctx.actor.id,
        actor_email=ctx.actor.email,
    )
    with ctx.write() as session:
        session.add(scan)
    return scan.id


def fail_scan_row(ctx: Context, scan_id: uuid.UUID, exc: DriftctlError) -> None:
    try:
        with ctx.write() as session:
            session.execute(
                update(Scan)
                .where(col(Scan.id) == scan_id)
                .values(
                    status=ScanStatus.FAILED.value,
                    finished_at=utcnow(),
                    errors=[{"code": exc.error_code, "message": exc.message}],
                )
            )
    except DriftctlError:
        log.warning("could not mark scan %s failed", scan_id)


def record(
    ctx: Context,
    scan_id: uuid.UUID,
    options: ScanOptions,
    expected: ExpectedState,
    actual: ActualScan,
    comparison: Comparison,
    drifts: list[Priced],
    now: Any,
) -> list[dict[str, Any]]:
    """Upsert drifts, reopen, auto-resolve, alerts, costs and audit rows: one transaction."""
    from driftctl.services.drifts import drift_to_dict

    audit: list[audit_repo.AuditEntry] = []
    with ctx.write() as session:
        existing = drifts_repo.open_by_fingerprints(session, [d.fingerprint for d in drifts])
        inserts: list[Drift] = []
        updates: list[dict[str, Any]] = []
        alerts: list[Alert] = []
        ids: list[uuid.UUID] = []
        for d in drifts:
            f = d.finding
            common = {
                "expected_state": jsonable(f.expected_state or {}),
                "actual_state": jsonable(f.actual_state or {}),
                "difference": d.difference,
                "severity": f.severity.value,
                "severity_rank": SEVERITY_RANK[f.severity.value],
                "cost_impact_monthly": d.cost,
                "last_seen_at": now,
                "last_seen_scan_id": scan_id,
                "iac_source": ", ".join(f.sources) or None,
            }
            old = existing.get(d.fingerprint)
            if old is None:
                drift = Drift(
                    resource_id=f.resource_id,
                    resource_type=f.resource_type,
                    region=f.region,
                    account_id=d.account_id,
                    drift_type=f.drift_type.value,
                    fingerprint=d.fingerprint,
                    difference_hash=d.difference_hash,
                    status=DriftStatus.DETECTED.value,
                    detected_at=now,
                    detected_by=options.source.value,
                    first_seen_scan_id=scan_id,
                    created_at=now,
                    updated_at=now,
                    **common,
                )
                inserts.append(drift)
                ids.append(drift.id)
                audit.append(
                    audit_repo.AuditEntry(
                        AuditAction.DRIFT_CREATED.value,
                        drift.id,
                        new_value={"status": "detected", "severity": f.severity.value},
                        details={"scan_id": str(scan_id), "drift_type": f.drift_type.value},
                    )
                )
                alerts.append(_alert(drift.id, f, now))
                continue
            ids.append(old.id)
            row: dict[str, Any] = {"b_id": old.id, **common, "updated_at": now}
            if d.difference_hash != old.difference_hash:
                row["difference_hash"] = d.difference_hash
                if old.status == DriftStatus.APPROVED.value:
                    row.update(
                        status=DriftStatus.DETECTED.value,
                        approved_at=None,
                        approved_by=None,
                        approval_reason=None,
                    )
                    audit.append(
                        audit_repo.AuditEntry(
                            AuditAction.DRIFT_REOPENED.value,
                            old.id,
                            old_value={"status": old.status, "difference": old.difference},
                            new_value={"status": "detected", "difference": d.difference},
                            details={
                                "scan_id": str(scan_id),
                                "why": "the difference changed since it was approved",
                            },
                        )
                    )
                    alerts.append(_alert(old.id, f, now))
                else:
                    audit.append(
                        audit_repo.AuditEntry(
                            AuditAction.DRIFT_UPDATED.value,
                            old.id,
                            old_value={"difference": old.difference},
                            new_value={"difference": d.difference},
                            details={"scan_id": str(scan_id)},
                        )
                    )
            updates.append(row)
        if inserts:
            session.add_all(inserts)
            session.flush()
        _bulk_update(session, updates)
        resolved = _auto_resolve(session, scan_id, actual, comparison, drifts, options, now)
        audit.extend(resolved)
        # Alerts at or above [alerts] min_severity, their outbox rows, PagerDuty resolves.
        from driftctl.services import alerts as alerts_svc

        alerts_svc.record_alerts(session, ctx.settings, alerts, now=now)
        alerts_svc.enqueue_resolve(session, [e.drift_id for e in resolved if e.drift_id], now=now)
        session.add_all(
            CostMetric(
                drift_id=drift_id,
                scan_id=scan_id,
                cost_usd=d.cost,
                cost_projected_monthly=d.cost,
                recorded_at=now,
                period_start=now - timedelta(days=30),
                period_end=now,
                created_at=now,
            )
            for drift_id, d in zip(ids, drifts, strict=True)
        )
        audit_repo.append_many(
            session,
            audit,
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            user_agent=ctx.user_agent,
            created_at=now,
        )
        counts = comparison.counts.to_dict()
        session.execute(
            update(Scan)
            .where(col(Scan.id) == scan_id)
            .values(
                finished_at=now,
                status=(ScanStatus.COMPLETED if actual.complete else ScanStatus.PARTIAL).value,
                iac_sources=list(expected.origins),
                account_ids=[actual.account_id] if actual.account_id else [],
                regions=list(actual.regions),
                resource_types_read=sorted({t for t, _ in actual.read_ok}),
                errors=[asdict(e) for e in actual.errors],
                api_calls=dict(actual.api_calls),
                **{k: counts[k] for k in _COUNT_COLUMNS},
            )
        )
        alerts_svc.raise_approval_needed(session, ctx.settings, now=now)
        session.flush()
        rows = _load(session, ids)
        return [drift_to_dict(rows[i]) for i in ids]


_COUNT_COLUMNS = ("total_resources", "managed", "unmanaged", "missing", "modified", "in_sync")


def _bulk_update(session: Session, updates: list[dict[str, Any]]) -> None:
    """One executemany per set of columns (reopened drifts carry a few more)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in updates:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for keys, rows in groups.items():
        stmt = (
            update(Drift)
            .where(col(Drift.id) == bindparam("b_id"))
            .values({k: bindparam(k) for k in keys if k != "b_id"})
        )
        session.connection().execute(stmt, rows)


def _load(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Drift]:
    from sqlalchemy import select

    out: dict[uuid.UUID, Drift] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = (
            select(Drift).where(col(Drift.id).in_(chunk)).execution_options(populate_existing=True)
        )
        for drift in session.execute(stmt).scalars():
            out[drift.id] = drift
    return out


def _auto_resolve(
    session: Session,
    scan_id: uuid.UUID,
    actual: ActualScan,
    comparison: Comparison,
    drifts: list[Priced],
    options: ScanOptions,
    now: Any,
) -> list[audit_repo.AuditEntry]:
    """Resolve open drifts this scan proves gone, only where it read without error."""
    seen = {d.fingerprint for d in drifts}
    in_sync = {(k.resource_type, k.resource_id) for k in comparison.in_sync}
    present = {(r.resource_type, r.resource_id) for r in actual.resources}
    ignored = {(k.resource_type, k.resource_id) for k in comparison.ignored}
    accounts = [actual.account_id] if actual.account_id else []
    evaluated = {t.value for t in DriftType}
    if options.only_managed:
        evaluated.discard(DriftType.UNMANAGED.value)
    if options.only_unmanaged:
        evaluated = {DriftType.UNMANAGED.value}
    to_resolve: list[Drift] = []
    for drift in drifts_repo.open_in_scope(session, pairs=actual.read_ok, account_ids=accounts):
        key = (drift.resource_type, drift.resource_id)
        if drift.fingerprint in seen or drift.drift_type not in evaluated or key in ignored:
            continue
        gone = (
            (drift.drift_type == DriftType.MODIFIED.value and key in in_sync)
            or (drift.drift_type == DriftType.MISSING.value and key in present)
            or (
                drift.drift_type == DriftType.UNMANAGED.value
                and (key not in present or key in in_sync)
            )
        )
        if gone:
            to_resolve.append(drift)
    resolved = _resolve_many(session, [d.id for d in to_resolve], scan_id, now)
    return [
        audit_repo.AuditEntry(
            AuditAction.DRIFT_RESOLVED.value,
            drift.id,
            old_value={"status": drift.status},
            new_value={"status": "resolved", "resolved_how": "manual-fix"},
            details={"scan_id": str(scan_id), "why": "back in its expected state"},
        )
        for drift in to_resolve
        if drift.id in resolved
    ]


def _resolve_many(
    session: Session, ids: list[uuid.UUID], scan_id: uuid.UUID, now: Any
) -> set[uuid.UUID]:
    """Compare-and-set to resolved, one statement per 500 drifts; returns the ids it changed.

    A drift someone resolved meanwhile is left alone (and gets no second audit row).
    """
    open_statuses = [s.value for s in DriftStatus if s is not DriftStatus.RESOLVED]
    changed: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        stmt = (
            update(Drift)
            .where(
                col(Drift.id).in_(ids[start : start + 500]),
                col(Drift.status).in_(open_statuses),
            )
            .values(
                status=DriftStatus.RESOLVED.value,
                resolved_at=now,
                resolved_how="manual-fix",
                last_seen_scan_id=scan_id,
                updated_at=now,
            )
            .returning(col(Drift.id))
            .execution_options(synchronize_session=False)
        )
        changed.update(session.execute(stmt).scalars())
    return changed


def _alert(drift_id: uuid.UUID, f: Finding, now: Any) -> Alert:
    """A drift_detected alert candidate; ``record_alerts`` keeps those at min_severity or above."""
    from driftctl.services.alerts import drift_alert

    return drift_alert(drift_id, f, now)
