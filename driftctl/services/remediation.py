"""``driftctl remediate``: put AWS back to what the IaC says, one drift at a time.

Two steps, so the command line can show the plan and ask before anything changes:

- ``prepare`` selects the drifts, refuses those that may not be remediated (approved, resolved,
  missing, unmanaged without ``--delete-unmanaged``, a difference no fix reverts), re-reads each
  resource from AWS and refuses it when AWS no longer shows the recorded difference ("changed
  since the scan"), and plans the calls. Nothing is written.
- ``apply`` runs each ready plan: it claims the drift (compare-and-set on the drift row, so of two
  runs exactly one goes on), audits the plan, makes the calls one by one (an audit row each),
  re-reads the resource and resolves the drift (``resolved_how = auto-remediate``). When a call
  fails, or AWS still differs afterwards, the drift stays open, the calls that succeeded are
  listed, a ``remediation_failed`` alert goes through the outbox, and the run exits 6.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from driftctl.domain import GLOBAL_REGION, AlertType, AuditAction, DriftStatus, ResolvedHow, Role
from driftctl.domain import jsonable as _jsonable
from driftctl.errors import DriftctlError, ExitCode, ValidationError
from driftctl.remediation.plan import DriftPlan, call_to_dict, plan_drift
from driftctl.services.context import Context, timed
from driftctl.types import registry
from driftctl.types.spec import Scope

if TYPE_CHECKING:
    from driftctl.db.models import Drift
    from driftctl.db.repositories.drifts import DriftFilter
    from driftctl.scanner.runner import ActualScan
    from driftctl.scanner.session import AwsSession
    from driftctl.types.spec import Call

# A claim older than this belongs to a run that died: another run may take the drift.
LEASE = timedelta(minutes=15)
REMEDIABLE: tuple[str, ...] = (
    DriftStatus.DETECTED.value,
    DriftStatus.TRIAGED.value,
    DriftStatus.REJECTED.value,
)
PLANNED = "remediation_planned"
CALLED = "remediation_call"
FAILED = "remediation_failed"


@dataclass
class RemediateOptions:
    """What ``driftctl remediate`` is asked to do."""

    ids: list[str] = field(default_factory=list)
    all_rejected: bool = False
    # The filters of ``list``: they choose among drifts in a remediable status.
    filters: DriftFilter | None = None
    allow_restart: bool = False
    delete_unmanaged: bool = False
    profile: str | None = None
    role_arn: str | None = None
    # Tests inject a prepared boto3 session.
    session_factory: Callable[[], Any] | None = None
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # Seconds to wait before each further re-read when AWS does not show a change yet (IAM and
    # others are eventually consistent); the first re-read is immediate.
    settle_delays: tuple[float, ...] = (2.0, 5.0, 10.0)


@dataclass
class Selected:
    """One drift chosen for remediation, with what ``apply`` needs to claim it."""

    drift_id: uuid.UUID
    difference_hash: str
    severity: str
    status: str
    plan: DriftPlan
    # The recorded difference (paths -> entries), which the re-read must still show.
    difference: dict[str, Any]
    expected: dict[str, Any]
    account_id: str | None


@dataclass
class Prepared:
    """The plans of one ``remediate`` run, ready ones and refused ones."""

    items: list[Selected]
    account_id: str | None = None

    @property
    def plans(self) -> list[DriftPlan]:
        return [i.plan for i in self.items]

    @property
    def ready(self) -> list[Selected]:
        return [i for i in self.items if i.plan.ready]

    @property
    def refused(self) -> list[Selected]:
        return [i for i in self.items if not i.plan.ready]

    @property
    def refusal_exit_code(self) -> int:
        """6 when a refusal is AWS's doing (could not re-read), else 4."""
        if any(i.plan.unreadable for i in self.refused):
            return ExitCode.EXTERNAL
        return ExitCode.CONFLICT

    def to_dict(self) -> dict[str, Any]:
        return {
            "plans": [p.to_dict() for p in self.plans],
            "summary": {
                "drifts": len(self.items),
                "ready": len(self.ready),
                "refused": len(self.refused),
                "calls": sum(len(i.plan.calls) for i in self.ready),
            },
        }


@dataclass
class CallResult:
    operation: str
    region: str
    result: str  # "ok" or the AWS error code
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"operation": self.operation, "region": self.region}
        out["result"] = self.result
        if self.message:
            out["message"] = self.message
        return out


@dataclass
class DriftResult:
    drift_id: str
    resource_type: str
    resource_id: str
    # "resolved", "failed" (exit 6) or "conflict" (another run or a scan got there first: 4).
    outcome: str
    calls: list[CallResult] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "drift_id": self.drift_id,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "outcome": self.outcome,
            "calls": [c.to_dict() for c in self.calls],
            "error": self.error,
        }


@dataclass
class Applied:
    results: list[DriftResult]

    @property
    def exit_code(self) -> int:
        outcomes = {r.outcome for r in self.results}
        if "failed" in outcomes:
            return ExitCode.EXTERNAL
        if "conflict" in outcomes:
            return ExitCode.CONFLICT
        return ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        return {"results": [r.to_dict() for r in self.results], "exit_code": self.exit_code}


# --- prepare ----------------------------------------------------------------------------------


@timed
def prepare(ctx: Context, options: RemediateOptions) -> Prepared:
    """Select the drifts, re-read their resources and plan; writes nothing.

    Raises ForbiddenError (viewer), ValidationError / NotFoundError for bad ids,
    ExternalServiceError when AWS cannot be reached at all.
    """
    ctx.actor.require(Role.ENGINEER, "remediate drifts")
    _check_alert_settings(ctx)
    drifts = _select(ctx, options)
    items = [_selected(d, options) for d in drifts]
    # A refused plan is not re-read: its refusal stands whatever AWS shows.
    to_read = [i for i in items if i.plan.ready]
    if to_read:
        actual = _reread(options, to_read)
        for item in to_read:
            _check_against_aws(item, actual, options)
    account = next((i.account_id for i in items if i.account_id), None)
    return Prepared(items=items, account_id=account)


def _check_alert_settings(ctx: Context) -> None:
    """A failure must be able to raise its alert: bad [alerts]/[notify] stop the run first."""
    from driftctl.services.alerts.raising import notify_config, rules_from_settings

    rules_from_settings(ctx.settings)
    notify_config(ctx.settings)


def _select(ctx: Context, options: RemediateOptions) -> list[Drift]:
    from sqlalchemy import select

    from driftctl.db.repositories import drifts as drifts_repo
    from driftctl.db.repositories.drifts import DriftFilter
    from driftctl.services.drifts import resolve_id

    chosen_by = sum(bool(x) for x in (options.ids, options.all_rejected, options.filters))
    if chosen_by == 0:
        raise ValidationError(
            "say which drifts to remediate: ids, - for ids on stdin, --all-rejected, or "
            "list's filters (--status, --severity, --type, …)"
        )
    with ctx.read() as session:
        if options.ids:
            ids = list(dict.fromkeys(resolve_id(session, raw) for raw in options.ids))
            found = [drifts_repo.get(session, i) for i in ids]
            return [d for d in found if d is not None]
        base = options.filters or DriftFilter()
        statuses = ["rejected"] if options.all_rejected else list(REMEDIABLE)
        if base.statuses:
            statuses = [s for s in base.statuses if s in statuses]
            if not statuses:
                raise ValidationError(
                    "--status: only detected, triaged and rejected drifts can be remediated"
                )
        wanted = DriftFilter(
            statuses=statuses,
            severities=base.severities,
            resource_types=base.resource_types,
            regions=base.regions,
            drift_types=base.drift_types,
            search=base.search,
            since=base.since,
        )
        # The filter's clauses are on the Core table: pick the ids there, load the rows in one
        # query.
        from sqlmodel import col

        from driftctl.db.models import Drift
        from driftctl.db.tables import drifts as table

        picked = select(table.c.id).where(*wanted.clauses()).scalar_subquery()
        query = (
            select(Drift)
            .where(col(Drift.id).in_(picked))
            .order_by(col(Drift.detected_at), col(Drift.id))
        )
        return list(session.execute(query).scalars())


def _selected(drift: Drift, options: RemediateOptions) -> Selected:
    difference = dict(drift.difference or {})
    plan = plan_drift(
        resource_type=drift.resource_type,
        resource_id=drift.resource_id,
        region=drift.region,
        account_id=drift.account_id,
        drift_type=drift.drift_type,
        difference=difference,
        expected=drift.expected_state,
        actual=drift.actual_state,
        allow_restart=options.allow_restart,
        delete_unmanaged=options.delete_unmanaged,
        drift_id=str(drift.id),
    )
    if drift.status == DriftStatus.APPROVED.value:
        plan.refuse("it is approved: the change is intended (reject it first to revert it)")
    elif drift.status not in REMEDIABLE:
        plan.refuse(f"it is {drift.status}")
    return Selected(
        drift_id=drift.id,
        difference_hash=drift.difference_hash,
        severity=drift.severity,
        status=drift.status,
        plan=plan,
        difference=difference,
        expected=dict(drift.expected_state or {}),
        account_id=drift.account_id,
    )


def _reread(options: RemediateOptions, items: Sequence[Selected]) -> ActualScan:
    """One scan of the types and regions of ITEMS, with details for their resources."""
    from driftctl.scanner.runner import ScanPlan, scan_actual

    types: list[str] = []
    regions: list[str] = []
    ids: dict[str, set[str]] = {}
    for item in items:
        plan = item.plan
        types.append(plan.resource_type)
        spec = registry.get(plan.resource_type)
        if plan.region != GLOBAL_REGION and not (spec and spec.scope is Scope.GLOBAL):
            regions.append(plan.region)
        ids.setdefault(plan.resource_type, set()).add(plan.resource_id)
    if not regions:
        # Only global resources (IAM): any region reads them; the profile's, else the default.
        from driftctl.scanner.session import FALLBACK_REGION

        regions.append(_profile_region(options) or FALLBACK_REGION)
    return scan_actual(
        ScanPlan(
            resource_types=list(dict.fromkeys(types)),
            regions=list(dict.fromkeys(regions)),
            profile=options.profile,
            role_arn=options.role_arn,
            session_factory=options.session_factory,
            max_attempts=options.max_attempts,
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            expected_ids={t: frozenset(v) for t, v in ids.items()},
        )
    )


def _profile_region(options: RemediateOptions) -> str | None:
    import boto3
    from botocore.exceptions import ProfileNotFound

    if options.session_factory is not None:
        return getattr(options.session_factory(), "region_name", None)
    try:
        return boto3.session.Session(profile_name=options.profile).region_name
    except ProfileNotFound:
        return None  # the scan that follows reports the unknown profile


def _found(actual: ActualScan, plan: DriftPlan) -> Any:
    for resource in actual.resources:
        if (
            resource.resource_type == plan.resource_type
            and resource.resource_id == plan.resource_id
            and (resource.region == plan.region or plan.region == GLOBAL_REGION)
        ):
            return resource
    return None


def _read_error(actual: ActualScan, plan: DriftPlan) -> str | None:
    for error in actual.errors:
        if error.resource_type == plan.resource_type and error.region in (
            plan.region,
            GLOBAL_REGION,
        ):
            return f"{error.code}: {error.message}"
    return None


def _check_against_aws(item: Selected, actual: ActualScan, options: RemediateOptions) -> None:
    """Refuse the plan when AWS no longer shows what the drift recorded; else re-plan it from
    what AWS shows now (same difference, today's actual state)."""
    plan = item.plan
    if item.account_id and actual.account_id and item.account_id != actual.account_id:
        plan.refuse(
            f"it was recorded in AWS account {item.account_id}, but these credentials are for "
            f"account {actual.account_id}: use --profile or --role-arn for that account"
        )
        return
    error = _read_error(actual, plan)
    if error is not None:
        plan.refuse(
            f"could not re-read {plan.resource_type} {plan.resource_id}: {error}", unreadable=True
        )
        return
    resource = _found(actual, plan)
    if plan.drift_type == "unmanaged":
        if resource is None:
            plan.refuse(_CHANGED, stale=True)
        return
    if resource is None:
        plan.refuse(_CHANGED + " (the resource is gone)", stale=True)
        return
    if not _still_differs(item, resource.attributes):
        plan.refuse(_CHANGED, stale=True)
        return
    fresh = plan_drift(
        resource_type=plan.resource_type,
        resource_id=plan.resource_id,
        region=plan.region,
        account_id=item.account_id,
        drift_type=plan.drift_type,
        difference=item.difference,
        expected=item.expected,
        actual=resource.attributes,
        allow_restart=options.allow_restart,
        delete_unmanaged=options.delete_unmanaged,
        drift_id=plan.drift_id,
    )
    plan.calls = fresh.calls


_CHANGED = "changed since the scan: run `driftctl scan` again"


def _canonical(entry: Any) -> str:
    core = {k: entry.get(k) for k in ("change", "expected", "actual")}
    return json.dumps(_jsonable(core), sort_keys=True, default=str)


def _still_differs(item: Selected, attributes: dict[str, Any]) -> bool:
    """True when AWS shows every recorded difference entry exactly as recorded.

    Entries AWS shows beyond the recorded ones are left alone: a ``.driftignore`` line may have
    kept them out of the drift, and the next scan records them.
    """
    from driftctl.diff.compare import diff_attributes

    now = diff_attributes(item.plan.resource_type, item.expected, attributes)
    return all(
        path in now and _canonical(now[path]) == _canonical(entry)
        for path, entry in item.difference.items()
    )


def _gone(item: Selected, actual: ActualScan) -> bool:
    """True when AWS shows none of the recorded difference (or, for a deletion, no resource)."""
    from driftctl.diff.compare import diff_attributes

    if _read_error(actual, item.plan) is not None:
        return False
    resource = _found(actual, item.plan)
    if item.plan.drift_type == "unmanaged":
        return resource is None
    if resource is None:
        return False
    now = diff_attributes(item.plan.resource_type, item.expected, resource.attributes)
    return not set(now) & set(item.difference)


# --- apply ------------------------------------------------------------------------------------


@timed
def apply(
    ctx: Context,
    prepared: Prepared,
    options: RemediateOptions,
    *,
    told: Callable[[DriftResult], None] | None = None,
) -> Applied:
    """Run every ready plan of PREPARED; see the module docstring."""
    from driftctl.scanner.session import ClientSettings, build_session

    ctx.actor.require(Role.ENGINEER, "remediate drifts")
    ready = prepared.ready
    results: list[DriftResult] = []
    if not ready:
        return Applied(results)
    aws = build_session(
        profile=options.profile,
        role_arn=options.role_arn,
        settings=ClientSettings(
            max_attempts=options.max_attempts,
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
        ),
        session_factory=options.session_factory,
    )
    for item in ready:
        result = _remediate(ctx, aws, item, options)
        results.append(result)
        if told is not None:
            told(result)
    return Applied(results)


def _remediate(
    ctx: Context, aws: AwsSession, item: Selected, options: RemediateOptions
) -> DriftResult:
    from driftctl.remediation.execute import CallFailed, run_call

    plan = item.plan
    result = DriftResult(str(item.drift_id), plan.resource_type, plan.resource_id, "conflict")
    token = uuid.uuid4().hex
    conflict = _claim(ctx, item, token)
    if conflict is not None:
        result.error = conflict
        return result
    failure: str | None = None
    for call in plan.calls:
        region = call.region or plan.region
        try:
            run_call(aws, call, plan.region)
        except CallFailed as exc:
            result.calls.append(CallResult(call.name, region, exc.code, exc.message))
            _audit_call(ctx, item, call, region, exc.code, exc.message)
            failure = f"{call.name} failed: {exc.code}: {exc.message}"
            break
        result.calls.append(CallResult(call.name, region, "ok"))
        _audit_call(ctx, item, call, region, "ok", None)
    if failure is None:
        failure = _verify(item, options)
    if failure is None:
        if _resolve(ctx, item, token, len(plan.calls)):
            result.outcome = "resolved"
        else:
            result.error = "a scan resolved it while the plan ran"
        return result
    result.outcome = "failed"
    result.error = failure
    _fail(ctx, item, token, result)
    return result


def _claim(ctx: Context, item: Selected, token: str) -> str | None:
    """Take the drift for this run and audit its plan; returns why not, or None."""
    from driftctl.db.repositories import audit as audit_repo
    from driftctl.db.repositories import drifts as drifts_repo
    from driftctl.db.types import utcnow

    now = utcnow()
    with ctx.write() as session:
        if not drifts_repo.claim_remediation(
            session,
            drift_id=item.drift_id,
            from_statuses=REMEDIABLE,
            difference_hash=item.difference_hash,
            token=token,
            now=now,
            stale_before=now - LEASE,
        ):
            current = drifts_repo.get(session, item.drift_id)
            return _why_not(current, item, now)
        audit_repo.append(
            session,
            action=PLANNED,
            drift_id=item.drift_id,
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            old_value={"status": item.status},
            details={
                "resource_type": item.plan.resource_type,
                "resource_id": item.plan.resource_id,
                "calls": [call_to_dict(c, item.plan.region) for c in item.plan.calls],
            },
            user_agent=ctx.user_agent,
            created_at=now,
        )
    return None


def _why_not(current: Drift | None, item: Selected, now: datetime) -> str:
    if current is None:
        return "the drift is gone"
    if current.status not in REMEDIABLE:
        return f"it is {current.status} now"
    if current.difference_hash != item.difference_hash:
        return "a scan changed its difference: run `driftctl scan` again"
    claimed = current.remediation_claimed_at
    since = f" since {claimed.isoformat(timespec='seconds')}" if claimed else ""
    return f"another driftctl remediate is running on it{since}"


def _audit_call(
    ctx: Context, item: Selected, call: Call, region: str, result: str, message: str | None
) -> None:
    from driftctl.db.repositories import audit as audit_repo

    details: dict[str, Any] = {
        "operation": call.name,
        "region": region,
        "resource_type": item.plan.resource_type,
        "resource_id": item.plan.resource_id,
        "fixes": list(call.fixes),
        "result": result,
    }
    if message:
        details["message"] = message
    with ctx.write() as session:
        audit_repo.append(
            session,
            action=CALLED,
            drift_id=item.drift_id,
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            details=details,
            user_agent=ctx.user_agent,
        )


def _verify(item: Selected, options: RemediateOptions) -> str | None:
    """None when a re-read shows the drift gone; else what AWS still shows."""
    last = "the calls succeeded but AWS still shows the difference"
    for delay in (0.0, *options.settle_delays):
        if delay:
            time.sleep(delay)
        try:
            actual = _reread(options, [item])
        except DriftctlError as exc:
            last = f"could not re-read the resource: {exc.message}"
            continue
        if _gone(item, actual):
            return None
        last = "the calls succeeded but AWS still shows the difference"
    return last


def _resolve(ctx: Context, item: Selected, token: str, calls: int) -> bool:
    from driftctl.db.repositories import alerts as alerts_repo
    from driftctl.db.repositories import audit as audit_repo
    from driftctl.db.repositories import drifts as drifts_repo
    from driftctl.db.types import utcnow
    from driftctl.services.alerts import enqueue_resolve

    now = utcnow()
    with ctx.write() as session:
        if not drifts_repo.transition(
            session,
            drift_id=item.drift_id,
            from_statuses=REMEDIABLE,
            values={
                "status": DriftStatus.RESOLVED.value,
                "resolved_at": now,
                "resolved_how": ResolvedHow.AUTO_REMEDIATE.value,
                "resolved_by": ctx.actor.id,
                "remediation_claim": None,
                "remediation_claimed_at": None,
                "updated_at": now,
            },
            where=drifts_repo.held_by(token),
        ):
            drifts_repo.release_remediation(session, drift_id=item.drift_id, token=token)
            return False
        audit_repo.append(
            session,
            action=AuditAction.DRIFT_RESOLVED.value,
            drift_id=item.drift_id,
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            old_value={"status": item.status},
            new_value={"status": DriftStatus.RESOLVED.value},
            details={"how": ResolvedHow.AUTO_REMEDIATE.value, "calls": calls},
            user_agent=ctx.user_agent,
            created_at=now,
        )
        alerts_repo.mark_read_for_drift(
            session,
            drift_id=item.drift_id,
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            user_agent=ctx.user_agent,
            now=now,
            reason="remediate",
        )
        enqueue_resolve(session, [item.drift_id], now=now)
    return True


def _fail(ctx: Context, item: Selected, token: str, result: DriftResult) -> None:
    """Leave the drift open: release the claim, audit the outcome, raise remediation_failed."""
    from driftctl.db.models import Alert
    from driftctl.db.repositories import audit as audit_repo
    from driftctl.db.repositories import drifts as drifts_repo
    from driftctl.db.types import utcnow
    from driftctl.services.alerts.raising import add_alerts, notify_config, rules_from_settings

    now = utcnow()
    made = [c.operation for c in result.calls if c.result == "ok"]
    plan = item.plan
    with ctx.write() as session:
        drifts_repo.release_remediation(session, drift_id=item.drift_id, token=token)
        audit_repo.append(
            session,
            action=FAILED,
            drift_id=item.drift_id,
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            details={
                "error": result.error,
                "succeeded": made,
                "planned": len(plan.calls),
            },
            user_agent=ctx.user_agent,
            created_at=now,
        )
        done = f"{len(made)} of {len(plan.calls)} calls made"
        alert = Alert(
            drift_id=item.drift_id,
            type=AlertType.REMEDIATION_FAILED.value,
            severity=item.severity,
            title=f"Remediation failed on {plan.resource_type} {plan.resource_id}"[:255],
            message=(
                f"{plan.resource_type} {plan.resource_id} in {plan.region}: {result.error} "
                f"({done}{': ' + ', '.join(made) if made else ''}); the drift stays open"
            ),
            created_at=now,
            updated_at=now,
        )
        rules = rules_from_settings(ctx.settings)
        add_alerts(
            session,
            notify_config(ctx.settings),
            [alert],
            now=now,
            digest_threshold=rules.digest_threshold,
        )
