"""Recording a scan in the database: the scan row, drift upserts, reopening, auto-resolution,
alerts, cost metrics and audit rows, all of one scan in one transaction (SPEC §5).

One open drift per fingerprint (re-scans update it); an approval binds to the difference it saw
(a different difference reopens the drift); a drift whose resource is back in its expected state
is resolved, but only where this scan read that (type, region) without error.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, update
from sqlmodel import col

from driftctl import __version__
from driftctl.db.models import SEVERITY_RANK, Alert, CostMetric, Drift, Scan
from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import drifts as drifts_repo
from driftctl.db.types import utcnow
from driftctl.domain import (
    AuditAction,
    DriftStatus,
    DriftType,
    ScanStatus,
    jsonable,
)
from driftctl.errors import DriftctlError
from driftctl.resources import scrub_error_text
from driftctl.services.context import Context

if TYPE_CHECKING:
    from sqlmodel import Session

    from driftctl.diff.findings import Comparison, Finding
    from driftctl.iac.sources import ExpectedState
    from driftctl.scanner.runner import ActualScan
    from driftctl.services.scanning import Priced, ScanOptions

log = logging.getLogger(__name__)


# A running scan renews its heartbeat this often; one whose heartbeat is older than
# STALE_AFTER (or whose process on this host is gone) is taken for dead by the next scan.
HEARTBEAT_SECONDS = 30.0
STALE_AFTER = timedelta(minutes=10)
INTERRUPTED = {
    "code": "INTERRUPTED",
    "message": "the scan stopped before it finished (killed, crashed or cut off)",
}


def runner_id() -> str:
    """``host:pid`` of this process, as the scans row records it."""
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def start_scan_row(
    ctx: Context | None,
    options: ScanOptions,
    sources: list[str],
    started: Any,
    *,
    source_key: str = "",
) -> uuid.UUID:
    """Insert this scan's ``running`` row, after marking scans that died while running failed."""
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
        source_key=source_key,
        heartbeat_at=started,
        runner=runner_id(),
    )
    with ctx.write() as session:
        interrupted = mark_interrupted(session, started)
        session.add(scan)
    if interrupted:
        log.warning("marked %d interrupted scan(s) failed", len(interrupted))
    return scan.id


def mark_interrupted(session: Session, now: Any) -> list[uuid.UUID]:
    """Mark ``running`` scans whose process is gone failed; returns their ids.

    Gone: on this host with a pid that no longer exists, or with no heartbeat for STALE_AFTER
    (another host, or a pid reused since).
    """
    from sqlalchemy import select

    host = runner_id().rsplit(":", 1)[0]
    rows = session.execute(
        select(col(Scan.id), col(Scan.runner), col(Scan.heartbeat_at), col(Scan.started_at)).where(
            col(Scan.status) == ScanStatus.RUNNING.value
        )
    ).all()
    dead = [
        scan_id
        for scan_id, runner, beat, started in rows
        if is_dead(runner, beat or started, host, now)
    ]
    if dead:
        session.execute(
            update(Scan)
            .where(col(Scan.id).in_(dead), col(Scan.status) == ScanStatus.RUNNING.value)
            .values(status=ScanStatus.FAILED.value, finished_at=now, errors=[INTERRUPTED])
        )
    return dead


def is_dead(runner: str | None, beat: Any, host: str, now: Any) -> bool:
    """Whether a running scan's process is gone (see ``mark_interrupted``)."""
    if beat is None or now - beat > STALE_AFTER:
        return True
    runner_host, _, pid = (runner or "").rpartition(":")
    if runner_host != host or not pid.isdigit():
        return False
    import os

    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


class Heartbeat:
    """Renews a running scan's heartbeat from a background thread until the scan ends."""

    def __init__(self, ctx: Context, scan_id: uuid.UUID, *, every: float = HEARTBEAT_SECONDS):
        import threading

        self._ctx, self._scan_id, self._every = ctx, scan_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="driftctl-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                with self._ctx.write() as session:
                    session.execute(
                        update(Scan)
                        .where(col(Scan.id) == self._scan_id)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # the scan goes on; a missed beat only ages the row
                log.debug("heartbeat of scan %s failed", self._scan_id, exc_info=True)


def fail_scan_row(ctx: Context, scan_id: uuid.UUID, exc: BaseException) -> None:
    """Mark a scan failed with the error that stopped it (never raises)."""
    if isinstance(exc, DriftctlError):
        error = {"code": exc.error_code, "message": exc.message}
    else:
        error = {
            "code": "INTERNAL_ERROR",
            "message": scrub_error_text(f"{type(exc).__name__}: {exc}"),
        }
    try:
        with ctx.write() as session:
            session.execute(
                update(Scan)
                .where(col(Scan.id) == scan_id)
                .values(
                    status=ScanStatus.FAILED.value,
                    finished_at=utcnow(),
                    errors=[error],
                )
            )
    except DriftctlError:
        log.warning("could not mark scan %s failed", scan_id)


def overlay(
    ctx: Context, drifts: list[dict[str, Any]], hashes: list[str], expected: ExpectedState
) -> list[dict[str, Any]]:
    """Unstored drift dicts with what the database knows of them: id, status, decisions.

    What ``record`` would do, without writing: a drift approved for a different difference is
    shown ``detected`` again; one never recorded stays ``detected`` with no id.
    """
    from driftctl.services.drifts import drift_to_dict

    with ctx.read() as session:
        known = drifts_repo.open_by_fingerprints(
            session, [d["fingerprint"] for d in drifts], source_keys=_keys(expected)
        )
        out = []
        for drift, dhash in zip(drifts, hashes, strict=True):
            row = known.get(drift["fingerprint"])
            if row is None:
                out.append(drift)
                continue
            stored = drift_to_dict(row)
            merged = {**drift}
            for key in _DECISION_KEYS:
                merged[key] = stored.get(key)
            if row.status == DriftStatus.APPROVED.value and dhash != row.difference_hash:
                merged.update(
                    status=DriftStatus.DETECTED.value,
                    approved_at=None,
                    approved_by=None,
                    approval_reason=None,
                )
            out.append(merged)
        return out


_DECISION_KEYS = (
    "id",
    "status",
    "detected_at",
    "created_at",
    "approved_at",
    "approved_by",
    "approval_reason",
    "rejected_at",
    "rejected_by",
    "rejection_reason",
)


@dataclass
class _Batch:
    """What one scan writes, gathered before the statements run."""

    scan_id: uuid.UUID
    now: Any
    source_key: str
    inserts: list[Drift] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    audit: list[audit_repo.AuditEntry] = field(default_factory=list)
    ids: list[uuid.UUID] = field(default_factory=list)

    def note(self, action: AuditAction, drift_id: uuid.UUID, **values: Any) -> None:
        details = {"scan_id": str(self.scan_id), **values.pop("details", {})}
        self.audit.append(audit_repo.AuditEntry(action.value, drift_id, details=details, **values))


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
    """Upsert drifts, reopen, auto-resolve, alerts, costs and audit rows: one transaction.

    Only drifts of this scan's expected-state sources (``expected.source_key``) are touched;
    drifts recorded before sources were (key '') are adopted by a state scan, never by a
    baseline scan.
    """
    from driftctl.services.drifts import drift_to_dict

    batch = _Batch(scan_id=scan_id, now=now, source_key=expected.source_key)
    keys = _keys(expected)
    with ctx.write() as session:
        fingerprints = [d.fingerprint for d in drifts]
        existing = drifts_repo.open_by_fingerprints(session, fingerprints, source_keys=keys)
        fixed = drifts_repo.latest_fixed(
            session, [f for f in fingerprints if f not in existing], source_keys=keys
        )
        for d in drifts:
            old = existing.get(d.fingerprint)
            common = _common(d, batch)
            if old is not None:
                _update_open(batch, d, old, common)
                continue
            gone = fixed.get(d.fingerprint)
            if gone is not None and gone.difference_hash == d.difference_hash:
                _reopen_fixed(batch, d, gone, common)
            else:
                _insert(batch, d, options, common)
        if batch.inserts:
            session.add_all(batch.inserts)
            session.flush()
        _bulk_update(session, batch.updates)
        resolved = _auto_resolve(session, batch, actual, comparison, drifts, options, keys)
        batch.audit.extend(resolved)
        # Alerts at or above [alerts] min_severity, their outbox rows, PagerDuty resolves.
        from driftctl.services import alerts as alerts_svc

        alerts_svc.record_alerts(session, ctx.settings, batch.alerts, now=now)
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
            for drift_id, d in zip(batch.ids, drifts, strict=True)
        )
        audit_repo.append_many(
            session,
            batch.audit,
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
                heartbeat_at=now,
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
        rows = _load(session, batch.ids)
        return [drift_to_dict(rows[i]) for i in batch.ids]


def _keys(expected: ExpectedState) -> list[str]:
    """The source keys a scan may touch: its own, and '' (legacy) unless it reads baselines."""
    return [expected.source_key] if expected.from_baseline else [expected.source_key, ""]


def _common(d: Priced, batch: _Batch) -> dict[str, Any]:
    f = d.finding
    return {
        "expected_state": jsonable(f.expected_state or {}),
        "actual_state": jsonable(f.actual_state or {}),
        "difference": d.difference,
        "severity": f.severity.value,
        "severity_rank": SEVERITY_RANK[f.severity.value],
        "cost_impact_monthly": d.cost,
        "last_seen_at": batch.now,
        "last_seen_scan_id": batch.scan_id,
        "iac_source": ", ".join(f.sources) or None,
        "source_key": batch.source_key,
    }


def _insert(batch: _Batch, d: Priced, options: ScanOptions, common: dict[str, Any]) -> None:
    f = d.finding
    drift = Drift(
        resource_id=f.resource_id,
        resource_type=f.resource_type,
        region=f.region,
        account_id=d.account_id,
        drift_type=f.drift_type.value,
        fingerprint=d.fingerprint,
        difference_hash=d.difference_hash,
        status=DriftStatus.DETECTED.value,
        detected_at=batch.now,
        detected_by=options.source.value,
        first_seen_scan_id=batch.scan_id,
        created_at=batch.now,
        updated_at=batch.now,
        **common,
    )
    batch.inserts.append(drift)
    batch.ids.append(drift.id)
    batch.note(
        AuditAction.DRIFT_CREATED,
        drift.id,
        new_value={"status": "detected", "severity": f.severity.value},
        details={"drift_type": f.drift_type.value},
    )
    batch.alerts.append(_alert(drift.id, f, batch.now))


def _update_open(batch: _Batch, d: Priced, old: Drift, common: dict[str, Any]) -> None:
    """A drift seen again: approvals bind to their difference; what is new raises an alert."""
    f = d.finding
    batch.ids.append(old.id)
    row: dict[str, Any] = {"b_id": old.id, **common, "updated_at": batch.now}
    batch.updates.append(row)
    if d.difference_hash == old.difference_hash:
        return
    row["difference_hash"] = d.difference_hash
    change = _what_changed(old, d)
    if old.status == DriftStatus.APPROVED.value:
        row.update(
            status=DriftStatus.DETECTED.value,
            approved_at=None,
            approved_by=None,
            approval_reason=None,
        )
        batch.note(
            AuditAction.DRIFT_REOPENED,
            old.id,
            old_value={"status": old.status, "difference": old.difference},
            new_value={"status": "detected", "difference": d.difference},
            details={"why": "the difference changed since it was approved", **change},
        )
        batch.alerts.append(_alert(old.id, f, batch.now))
        return
    batch.note(
        AuditAction.DRIFT_UPDATED,
        old.id,
        old_value={"difference": old.difference, "severity": old.severity},
        new_value={"difference": d.difference, "severity": f.severity.value},
        details=change,
    )
    if change["added"] or change["severity"]["to_rank"] > change["severity"]["from_rank"]:
        batch.alerts.append(_widened_alert(old.id, f, batch.now, change))


def _what_changed(old: Drift, d: Priced) -> dict[str, Any]:
    """The entries a re-scan added and removed, and the severity before and after."""
    before, after = set(old.difference or {}), set(d.difference)
    new_severity = d.finding.severity.value
    return {
        "added": sorted(after - before),
        "removed": sorted(before - after),
        "severity": {
            "from": old.severity,
            "to": new_severity,
            "from_rank": old.severity_rank,
            "to_rank": SEVERITY_RANK[new_severity],
        },
    }


def _reopen_fixed(batch: _Batch, d: Priced, gone: Drift, common: dict[str, Any]) -> None:
    """A drift resolved as fixed is back with the same difference: the fix did not hold."""
    rejected = gone.rejected_at is not None and gone.approved_at is None
    status = DriftStatus.REJECTED.value if rejected else DriftStatus.DETECTED.value
    batch.ids.append(gone.id)
    batch.updates.append(
        {
            "b_id": gone.id,
            **common,
            "updated_at": batch.now,
            "status": status,
            "resolved_at": None,
            "resolved_how": None,
            "resolved_by": None,
        }
    )
    batch.note(
        AuditAction.DRIFT_REOPENED,
        gone.id,
        old_value={"status": gone.status, "resolved_how": gone.resolved_how},
        new_value={"status": status},
        details={"why": "fix did not hold", "resolved_at": jsonable(gone.resolved_at)},
    )
    batch.alerts.append(_alert(gone.id, d.finding, batch.now))


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
    batch: _Batch,
    actual: ActualScan,
    comparison: Comparison,
    drifts: list[Priced],
    options: ScanOptions,
    keys: list[str],
) -> list[audit_repo.AuditEntry]:
    """Resolve open drifts of this scan's sources that it proves gone, only where it read
    without error."""
    scan_id, now = batch.scan_id, batch.now
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
    candidates = drifts_repo.open_in_scope(
        session, pairs=actual.read_ok, account_ids=accounts, source_keys=keys
    )
    for drift in candidates:
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


def _widened_alert(drift_id: uuid.UUID, f: Finding, now: Any, change: dict[str, Any]) -> Alert:
    """An alert for an open drift a re-scan found wider (new entries) or more severe."""
    alert = _alert(drift_id, f, now)
    severity = change["severity"]
    parts = []
    if change["added"]:
        parts.append("new since the last scan: " + ", ".join(change["added"]))
    if severity["to_rank"] > severity["from_rank"]:
        parts.append(f"severity raised from {severity['from']} to {severity['to']}")
    title = f"{f.severity.value.capitalize()} drift widened on {f.resource_type} {f.resource_id}"
    alert.title = title[:255]
    alert.message = f"{alert.message}; " + "; ".join(parts)
    return alert
