"""``driftctl scan``: read expected and actual state, compare, record, decide the exit code.

Recording (SPEC §5) is ``services.recording``; baselines are ``services.baselines``. Terraform
types that no registered resource type compares are counted, reported (``skipped_types``,
``summary.compared_share``) and, with ``fail_on_unsupported``, refused before AWS is read.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftctl.db.types import utcnow
from driftctl.domain import (
    DetectedBy,
    DriftStatus,
    DriftType,
    ScanStatus,
    Severity,
    difference_hash,
    fingerprint,
    jsonable,
)
from driftctl.errors import ExitCode, ValidationError
from driftctl.services.context import Context, timed
from driftctl.types import registry

if TYPE_CHECKING:
    from driftctl.config import Settings
    from driftctl.diff.findings import Finding
    from driftctl.iac.sources import ExpectedState
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
    # Registered type names or Terraform types (``aws_instance``); ``validate`` normalises them.
    resource_types: list[str] = field(default_factory=lambda: list(registry.names()))
    only_managed: bool = False
    only_unmanaged: bool = False
    driftignore: Path | None = None
    fail_on: str = "info"
    # Refuse (exit 2) a state with resources of Terraform types that are not compared.
    fail_on_unsupported: bool = False
    source: DetectedBy = DetectedBy.MANUAL
    store: bool = True
    # A JMESPath expression choosing the drifts reported (``--filter``, as in the Go tool).
    filter_expr: str | None = None
    # Report AWS-created objects (service-linked roles, default security groups) too.
    strict: bool = False
    # tfstate+tfcloud:// sources: the API token (never printed) and base URL.
    tfc_token: str | None = None
    tfc_endpoint: str = "https://app.terraform.io/api/v2"
    cwd: Path = field(default_factory=Path.cwd)
    # Tests and the demo inject a prepared boto3 session.
    session_factory: Callable[[], Any] | None = None
    max_workers: int = 8
    page_size: int | None = None
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # Told after each (type, region) read: (reads done, reads in all, AWS calls so far).
    progress: Callable[[int, int, int], None] | None = None


@dataclass
class ScanOutcome:
    """What a scan found and recorded, in the shape ``scan -o json`` prints."""

    result: dict[str, Any]
    exit_code: int


def validate(options: ScanOptions) -> None:
    """Reject contradictory or unknown options before any work (ValidationError, exit 2);
    resource types given as Terraform types (``aws_instance``) become their names (``EC2``)."""
    if options.fail_on not in FAIL_ON:
        raise ValidationError(f"--fail-on must be one of {', '.join(FAIL_ON)}")
    if options.only_managed and options.only_unmanaged:
        raise ValidationError("--only-managed and --only-unmanaged cannot be used together")
    resolved = [registry.resolve(rtype).resource_type for rtype in options.resource_types]
    options.resource_types = list(dict.fromkeys(resolved))
    if options.filter_expr is not None:
        from driftctl.diff.filter_expr import compile_filter

        compile_filter(options.filter_expr)


def not_compared_line(skipped_types: dict[str, int], *, shown: int = 5) -> str | None:
    """``not compared: 42 resources of 7 Terraform types (aws_subnet 12, …)``; None if none."""
    if not skipped_types:
        return None
    total = sum(skipped_types.values())
    ranked = sorted(skipped_types.items(), key=lambda item: (-item[1], item[0]))
    listed = ", ".join(f"{name} {count}" for name, count in ranked[:shown])
    more = ", …" if len(ranked) > shown else ""
    resources = "resource" if total == 1 else "resources"
    types = "Terraform type" if len(ranked) == 1 else "Terraform types"
    return f"not compared: {total} {resources} of {len(ranked)} {types} ({listed}{more})"


def _compared(expected: ExpectedState) -> dict[str, Any]:
    total = expected.instance_count
    compared = total - expected.skipped_count
    return {
        "iac_resources": total,
        "compared": compared,
        "compared_share": round(compared / total, 4) if total else 0.0,
    }


@timed
def run_scan(
    ctx: Context | None, options: ScanOptions, *, settings: Settings | None = None
) -> ScanOutcome:
    """Scan and (unless ``store`` is off) record. ``ctx`` may be None only with store off;
    with store off and a ``ctx``, the database's statuses and approvals apply, nothing is written.

    Raises ValidationError (bad options or state files), ExternalServiceError (AWS unreachable),
    ForbiddenError (role too low). A partial scan returns exit code 6 with its drifts recorded.
    """
    from driftctl.diff.compare import compare
    from driftctl.diff.driftignore import DriftIgnore
    from driftctl.diff.severity import rules_from_config
    from driftctl.iac.sources import load_expected
    from driftctl.services import recording
    from driftctl.services.baselines import load_baseline

    validate(options)
    if options.store:
        assert ctx is not None
        from driftctl.domain import Role

        ctx.actor.require(Role.ENGINEER, "record scans")
    # --no-store reads the database when there is one (approvals apply) and writes nothing;
    # without one, driftctl.toml's severity rules still apply.
    config = ctx.settings if ctx else settings
    rules = rules_from_config(config.severity.get("rules", []) if config else [])
    if options.store and config is not None:
        # Bad [alerts] or [notify] sections are refused before AWS is read, not at recording.
        from driftctl.services import alerts as alerts_svc

        alerts_svc.rules_from_settings(config)
        alerts_svc.notify_config(config)
    ignore = DriftIgnore.load(options.driftignore, options.cwd)
    warnings = list(ignore.warnings)
    # A type every line ignores is not read at all (as the Go tool does): fewer AWS calls.
    wanted = [t for t in options.resource_types if not ignore.ignores_type(t)]
    if wanted:
        options.resource_types = wanted
    notes: list[str] = []
    sources = options.sources
    if not sources:
        from driftctl.iac.backend import find_state

        found = find_state(options.cwd)
        sources = found.sources
        notes.append(found.note)

    # A bad or unreachable state file is refused before anything is written.
    expected = load_expected(
        sources,
        headers=options.headers,
        boto_session=options.session_factory() if options.session_factory else None,
        baseline_loader=(lambda name: load_baseline(ctx, name)) if ctx else None,
        tfc_token=options.tfc_token,
        tfc_endpoint=options.tfc_endpoint,
    )
    if options.fail_on_unsupported and expected.skipped_types:
        raise ValidationError(
            f"{not_compared_line(expected.skipped_types)}; --fail-on-unsupported refuses them",
            details={"skipped_types": expected.skipped_types},
        )
    started = utcnow()
    scan_id = (
        recording.start_scan_row(ctx, options, sources, started, source_key=expected.source_key)
        if options.store
        else None
    )
    beat = recording.Heartbeat(ctx, scan_id) if ctx and scan_id else contextlib.nullcontext()
    with beat:
        try:
            actual = scan_aws(options, expected)
            comparison = compare(
                expected.resources,
                actual.resources,
                read_ok=actual.read_ok,
                default_region=actual.regions[0] if actual.regions else "us-east-1",
                severity_rules=rules,
                ignore=ignore,
                include_defaults=options.strict,
            )
            drifts = _with_costs(_filter(comparison.findings, options), actual.account_id)
            finished = utcnow()
            if ctx is not None and scan_id is not None:
                recorded = recording.record(
                    ctx, scan_id, options, expected, actual, comparison, drifts, finished
                )
            else:
                recorded = [_unstored_drift(d, options, started) for d in drifts]
                if ctx is not None:
                    # --no-store with a database: its approvals and statuses apply.
                    recorded = recording.overlay(
                        ctx, recorded, [d.difference_hash for d in drifts], expected
                    )
        except Exception as exc:
            if scan_id is not None and ctx is not None:
                recording.fail_scan_row(ctx, scan_id, exc)
            raise
    status = ScanStatus.COMPLETED if actual.complete else ScanStatus.PARTIAL
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
            "errors": [asdict(e) for e in actual.errors],
            "api_calls": dict(sorted(actual.api_calls.items())),
            "skipped_types": expected.skipped_types,
            "warnings": warnings,
            "notes": notes,
        },
        "summary": {
            **comparison.counts.to_dict(),
            **_compared(expected),
            "by_severity": _by_severity(recorded),
        },
        "exit_code": exit_code,
    }
    out = jsonable(result)
    # The drifts are JSON-native already (drift_to_dict, _unstored_drift): not copied again,
    # which matters at 100,000s of drifts.
    out["drifts"] = recorded
    out = {k: out[k] for k in ("scan", "summary", "drifts", "exit_code")}
    return ScanOutcome(result=out, exit_code=exit_code)


def scan_aws(options: ScanOptions, expected: ExpectedState) -> ActualScan:
    """Read AWS for the options' types and regions (default: the expected state's regions)."""
    from driftctl.scanner.runner import ScanPlan, scan_actual

    regions = list(options.regions) or sorted(expected.regions)
    expected_ids: dict[str, set[str]] = {}
    for resource in expected.resources:
        expected_ids.setdefault(resource.resource_type, set()).add(resource.resource_id)
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
        expected_ids={t: frozenset(ids) for t, ids in expected_ids.items()},
        progress=options.progress,
    )
    return scan_actual(plan)


def _filter(findings: list[Finding], options: ScanOptions) -> list[Finding]:
    if options.only_managed:
        findings = [f for f in findings if f.drift_type is not DriftType.UNMANAGED]
    if options.only_unmanaged:
        findings = [f for f in findings if f.drift_type is DriftType.UNMANAGED]
    if options.filter_expr is not None:
        from driftctl.diff.filter_expr import compile_filter

        findings = list(filter(compile_filter(options.filter_expr), findings))
    return findings


@dataclass
class Priced:
    """A finding with its fingerprint, stored difference and cost: what is recorded."""

    finding: Finding
    account_id: str | None
    fingerprint: str
    difference: dict[str, Any]
    difference_hash: str
    cost: Decimal
    cost_note: str | None


def _with_costs(findings: list[Finding], account_id: str | None) -> list[Priced]:
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
            spec = registry.get(f.resource_type)
            for path in spec.cost_paths if spec is not None else ():
                if path in difference:
                    difference[path] = {**difference[path], **note}
                    break
        elif impact.unknown:
            log.info("cost impact unknown", extra={"resource": f.resource_id, "note": impact.note})
        out.append(
            Priced(
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


def _unstored_drift(d: Priced, options: ScanOptions, now: Any) -> dict[str, Any]:
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


def _by_severity(drifts: list[dict[str, Any]]) -> dict[str, int]:
    out = {s.value: 0 for s in Severity}
    for d in drifts:
        out[d["severity"]] += 1
    return out
