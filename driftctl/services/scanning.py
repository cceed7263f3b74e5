"""``driftctl scan``: read expected and actual state, compare, record, decide the exit code.

Recording follows SPEC §5: one open drift per fingerprint (re-scans update it), an approval binds
to the difference it saw (a different difference reopens the drift), and a drift whose resource
is back in its expected state is resolved, but only where this scan read that (type, region)
without error. All writes of one scan happen in one transaction, in batches.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, update
from sqlmodel import col

from driftctl import __version__
from driftctl.db.models import SEVERITY_RANK, Alert, Baseline, CostMetric, Drift, Scan
from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import drifts as drifts_repo
from driftctl.db.types import utcnow
from driftctl.domain import (
    AuditAction,
    DetectedBy,
    DriftStatus,
    DriftType,
    ResourceType,
    ScanStatus,
    Severity,
    difference_hash,
    fingerprint,
    jsonable,
)
from driftctl.errors import DriftctlError, ExitCode, ValidationError
from driftctl.services.context import Context, timed

if TYPE_CHECKING:
    from sqlmodel import Session

    from driftctl.config import Settings
    from driftctl.diff.compare import Comparison, Finding
    from driftctl.iac.sources import ExpectedState
    from driftctl.resources import ExpectedResource
    from driftctl.scanner.runner import ActualScan

log = logging.getLogger(__name__)

FAIL_ON = ("critical", "warning", "info", "never")
COST_KEY = "monthly_cost_delta"
COST_NOTE_KEY = "cost_note"


@dataclass
class ScanOptions:
    """Everything ``driftctl scan`` can be asked to do."""

    sources: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)
    all_regions: bool = False
    profile: str | None = None
    role_arn: str | None = None
    resource_types: list[str] = field(default_factory=lambda: [t.value for t in ResourceType])
    only_managed: bool = False
    only_unmanaged: bool = False
    driftignore: Path | None = None
    fail_on: str = "info"
    source: DetectedBy = DetectedBy.MANUAL
    store: bool = True
    cwd: Path = field(default_factory=Path.cwd)
    # Tests and the demo inject a prepared boto3 session.
    session_factory: Callable[[], Any] | None = None
    max_workers: int = 8
    page_size: int | None = None
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


@dataclass
class ScanOutcome:
    """What a scan found and recorded, in the shape ``scan -o json`` prints."""

    result: dict[str, Any]
    exit_code: int


def validate(options: ScanOptions) -> None:
    """Reject contradictory or unknown options before any work (ValidationError, exit 2)."""
    if options.fail_on not in FAIL_ON:
        raise ValidationError(f"--fail-on must be one of {', '.join(FAIL_ON)}")
    if options.only_managed and options.only_unmanaged:
        raise ValidationError("--only-managed and --only-unmanaged cannot be used together")
    known = {t.value for t in ResourceType}
    for rtype in options.resource_types:
        if rtype not in known:
            raise ValidationError(
                f"unknown resource type {rtype!r}: choose from {', '.join(sorted(known))}"
            )


@timed
def run_scan(
    ctx: Context | None, options: ScanOptions, *, settings: Settings | None = None
) -> ScanOutcome:
    """Scan and (unless ``store`` is off) record. ``ctx`` may be None only with store off.

    Raises ValidationError (bad options or state files), ExternalServiceError (AWS unreachable),
    ForbiddenError (role too low). A partial scan returns exit code 6 with its drifts recorded.
    """
    from driftctl.diff.compare import compare
    from driftctl.diff.driftignore import DriftIgnore
    from driftctl.diff.severity import rules_from_config
    from driftctl.iac.sources import default_sources, load_expected

    validate(options)
    if options.store:
        assert ctx is not None
        from driftctl.domain import Role

        ctx.actor.require(Role.ENGINEER, "record scans")
    # --no-store has no database context, but driftctl.toml's severity rules still apply.
    config = ctx.settings if ctx else settings
    rules = rules_from_config(config.severity.get("rules", []) if config else [])
    if options.store and config is not None:
        # Bad [alerts] or [notify] sections are refused before AWS is read, not at recording.
        from driftctl.services import alerts as alerts_svc

        alerts_svc.rules_from_settings(config)
        alerts_svc.notify_config(config)
    ignore = DriftIgnore.load(options.driftignore, options.cwd)
    sources = options.sources or default_sources(options.cwd)

    # A bad or unreachable state file is refused before anything is written.
    expected = load_expected(
        sources,
        headers=options.headers,
        boto_session=options.session_factory() if options.session_factory else None,
        baseline_loader=(lambda name: load_baseline(ctx, name)) if ctx else None,
    )
    started = utcnow()
    scan_id = _start_scan_row(ctx, options, sources, started) if options.store else None
    try:
        actual = _scan_aws(options, expected)
    except DriftctlError as exc:
        if scan_id is not None and ctx is not None:
            _fail_scan_row(ctx, scan_id, exc)
        raise

    default_region = actual.regions[0] if actual.regions else "us-east-1"
    comparison = compare(
        expected.resources,
        actual.resources,
        read_ok=actual.read_ok,
        default_region=default_region,
        severity_rules=rules,
        ignore=ignore,
    )
    findings = _filter(comparison.findings, options)
    drifts = _with_costs(findings, actual.account_id)
    status = ScanStatus.COMPLETED if actual.complete else ScanStatus.PARTIAL
    finished = utcnow()
    if options.store and ctx is not None and scan_id is not None:
        recorded = _record(ctx, scan_id, options, expected, actual, comparison, drifts, finished)
    else:
        recorded = [_unstored_drift(d, options, started) for d in drifts]
    exit_code = _exit_code(recorded, options.fail_on, status)
    result = {
        "scan": {
            "id": str(scan_id) if scan_id else None,
            "started_at": started.isoformat(),
            "finished_at": finished.isoformat(),
            "status": status.value,
            "source": options.source.value,
            "account_ids": [actual.account_id] if actual.account_id else [],
            "regions": list(actual.regions),
            "iac_sources": list(expected.origins),
            "resource_types": list(options.resource_types),
            "errors": [_error_dict(e) for e in actual.errors],
            "api_calls": dict(sorted(actual.api_calls.items())),
            "skipped_types": expected.skipped_types,
        },
        "summary": {
            **_counts(comparison),
            "by_severity": _by_severity(recorded),
        },
        "drifts": recorded,
        "exit_code": exit_code,
    }
    return ScanOutcome(result=jsonable(result), exit_code=exit_code)


def _scan_aws(options: ScanOptions, expected: ExpectedState) -> ActualScan:
    from driftctl.scanner.runner import ScanPlan, scan_actual

    regions = list(options.regions) or sorted(expected.regions)
    plan = ScanPlan(
        resource_types=list(options.resource_types),
        regions=regions,
        profile=options.profile,
        role_arn=options.role_arn,
        all_regions=options.all_regions,
        session_factory=options.session_factory,
        max_workers=options.max_workers,
        page_size=options.page_size,
        max_attempts=options.max_attempts,
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
    )
    return scan_actual(plan)


def _filter(findings: list[Finding], options: ScanOptions) -> list[Finding]:
    if options.only_managed:
        return [f for f in findings if f.drift_type is not DriftType.UNMANAGED]
    if options.only_unmanaged:
        return [f for f in findings if f.drift_type is DriftType.UNMANAGED]
    return findings


@dataclass
class _Priced:
    finding: Finding
    account_id: str | None
    fingerprint: str
    difference: dict[str, Any]
    difference_hash: str
    cost: Decimal
    cost_note: str | None


def _with_costs(findings: list[Finding], account_id: str | None) -> list[_Priced]:
    """Attach the monthly cost delta: absolute in the column, signed in the difference."""
    from driftctl.config import user_cache_dir
    from driftctl.diff.pricing import cost_delta, load_price_table

    table = load_price_table(user_cache_dir())
    out = []
    for f in findings:
        acct = f.account_id or account_id
        difference = jsonable(dict(f.difference))
        impact = cost_delta(
            f.resource_type,
            f.region,
            f.drift_type.value,
            f.expected_state,
            f.actual_state,
            table=table,
        )
        # The approval binds to what changed, not to today's prices.
        dhash = difference_hash(difference)
        if f.drift_type is DriftType.MODIFIED and (impact.monthly_delta or impact.unknown):
            note: dict[str, Any] = {COST_KEY: impact.monthly_delta}
            if impact.unknown:
                note[COST_NOTE_KEY] = impact.note
            for path in ("instance_type", "instance_class", "multi_az", "allocated_storage"):
                if path in difference:
                    difference[path] = {**difference[path], **note}
                    break
        elif impact.unknown:
            log.info("cost impact unknown", extra={"resource": f.resource_id, "note": impact.note})
        out.append(
            _Priced(
                finding=f,
                account_id=acct,
                fingerprint=fingerprint(
                    acct, f.region, f.resource_type, f.resource_id, f.drift_type.value
                ),
                difference=difference,
                difference_hash=dhash,
                cost=Decimal(str(round(min(impact.monthly_abs, 999999.0), 2))),
                cost_note=impact.note if impact.unknown else None,
            )
        )
    return out


def _start_scan_row(
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


def _fail_scan_row(ctx: Context, scan_id: uuid.UUID, exc: DriftctlError) -> None:
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


def _record(
    ctx: Context,
    scan_id: uuid.UUID,
    options: ScanOptions,
    expected: ExpectedState,
    actual: ActualScan,
    comparison: Comparison,
    drifts: list[_Priced],
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
        counts = _counts(comparison)
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
                errors=[_error_dict(e) for e in actual.errors],
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
    drifts: list[_Priced],
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


def _unstored_drift(d: _Priced, options: ScanOptions, now: Any) -> dict[str, Any]:
    f = d.finding
    return {
        "id": None,
        "resource_id": f.resource_id,
        "resource_type": f.resource_type,
        "region": f.region,
        "account_id": d.account_id,
        "drift_type": f.drift_type.value,
        "severity": f.severity.value,
        "cost_impact_monthly": float(d.cost),
        "status": DriftStatus.DETECTED.value,
        "difference": d.difference,
        "expected_state": f.expected_state or {},
        "actual_state": f.actual_state or {},
        "detected_at": now.isoformat(),
        "detected_by": options.source.value,
        "last_seen_at": now.isoformat(),
        "approved_at": None,
        "approved_by": None,
        "approval_reason": None,
        "rejected_at": None,
        "rejected_by": None,
        "rejection_reason": None,
        "resolved_at": None,
        "resolved_how": None,
        "created_at": None,
        "updated_at": None,
        "fingerprint": d.fingerprint,
        "iac_source": ", ".join(f.sources) or None,
    }


def _exit_code(drifts: list[dict[str, Any]], fail_on: str, status: ScanStatus) -> int:
    if status is not ScanStatus.COMPLETED:
        return ExitCode.EXTERNAL
    if fail_on == "never":
        return ExitCode.OK
    threshold = Severity(fail_on).rank
    for d in drifts:
        if d["status"] in ("approved", "resolved"):
            continue
        if Severity(d["severity"]).rank >= threshold:
            return ExitCode.DRIFT_FOUND
    return ExitCode.OK


def _counts(comparison: Comparison) -> dict[str, Any]:
    c = comparison.counts
    return {
        "total_resources": c.total_resources,
        "managed": c.managed,
        "unmanaged": c.unmanaged,
        "missing": c.missing,
        "modified": c.modified,
        "in_sync": c.in_sync,
        "coverage": c.coverage,
    }


def _by_severity(drifts: list[dict[str, Any]]) -> dict[str, int]:
    out = {s.value: 0 for s in Severity}
    for d in drifts:
        out[d["severity"]] += 1
    return out


def _error_dict(error: Any) -> dict[str, str]:
    return {
        "resource_type": error.resource_type,
        "region": error.region,
        "code": error.code,
        "message": error.message,
    }


# --- baselines -------------------------------------------------------------------------------


def load_baseline(ctx: Context | None, name: str) -> list[ExpectedResource]:
    """The resources of baseline NAME as an expected state; ValidationError if unknown."""
    from sqlalchemy import select

    from driftctl.resources import ExpectedResource

    if ctx is None:
        raise ValidationError("baseline:// sources need the database (drop --no-store)")
    with ctx.read() as session:
        row = session.execute(select(Baseline).where(col(Baseline.name) == name)).scalars().first()
        if row is None:
            raise ValidationError(
                f"no baseline named {name!r}: see `driftctl baseline list`, or capture one "
                f"with `driftctl baseline capture {name}`"
            )
        return [
            ExpectedResource(
                resource_type=r["resource_type"],
                resource_id=r["resource_id"],
                attributes=r["attributes"],
                region=r.get("region"),
                account_id=r.get("account_id"),
                sources=[f"baseline://{name}"],
            )
            for r in row.resources
        ]


@timed
def capture_baseline(ctx: Context, name: str, options: ScanOptions) -> dict[str, Any]:
    """Snapshot the actual state as baseline NAME; ConflictError if the name is taken."""
    import re

    from sqlalchemy import select

    from driftctl.domain import Role
    from driftctl.errors import ConflictError

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name):
        raise ValidationError(
            f"invalid baseline name {name!r}: letters, digits, '.', '_' and '-' (max 100)"
        )
    ctx.actor.require(Role.ENGINEER, "capture baselines")
    if not options.regions and not options.all_regions:
        raise ValidationError("give --region (repeatable) or --all-regions to capture a baseline")
    with ctx.read() as session:
        if session.execute(select(col(Baseline.id)).where(col(Baseline.name) == name)).first():
            raise ConflictError(f"a baseline named {name!r} already exists")
    actual = _scan_aws(options, _empty_expected())
    if not actual.complete:
        from driftctl.errors import ExternalServiceError

        failed = ", ".join(f"{e.resource_type}/{e.region}" for e in actual.errors)
        raise ExternalServiceError(f"baseline not saved: the scan could not read {failed}")
    resources = [
        {
            "resource_type": r.resource_type,
            "resource_id": r.resource_id,
            "region": r.region,
            "account_id": r.account_id,
            "attributes": jsonable(r.attributes),
        }
        for r in actual.resources
        if not r.is_default
    ]
    baseline = Baseline(
        name=name,
        resources=resources,
        resource_count=len(resources),
        account_ids=[actual.account_id] if actual.account_id else [],
        regions=list(actual.regions),
        created_by=ctx.actor.email,
    )
    with ctx.write() as session:
        session.add(baseline)
        audit_repo.append(
            session,
            action="baseline_captured",
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            new_value={"name": name, "resources": len(resources)},
            user_agent=ctx.user_agent,
        )
    return baseline_to_dict(baseline)


def _empty_expected() -> ExpectedState:
    from driftctl.iac.sources import ExpectedState

    return ExpectedState(resources=[], origins=[])


def baseline_to_dict(b: Baseline) -> dict[str, Any]:
    result: dict[str, Any] = jsonable(
        {
            "id": b.id,
            "name": b.name,
            "resource_count": b.resource_count,
            "account_ids": b.account_ids,
            "regions": b.regions,
            "created_at": b.created_at,
            "created_by": b.created_by,
        }
    )
    return result


@timed
def list_baselines(ctx: Context) -> list[dict[str, Any]]:
    from sqlalchemy import select

    with ctx.read() as session:
        rows = session.execute(select(Baseline).order_by(col(Baseline.created_at).desc())).scalars()
        return [baseline_to_dict(b) for b in rows]
