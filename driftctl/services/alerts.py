"""Alerts (SPEC §8): the rules that raise them, the outbox that delivers them, and reading them.

Rules:
- ``drift_detected``: a scan found a new drift, or reopened an approved one, at or above
  ``[alerts] min_severity`` (default critical). A drift merely seen again raises nothing.
- ``approval_needed``: a drift at or above warning stays undecided (detected or triaged) longer
  than ``[alerts] approval_after`` (default 24h). Raised by ``scan`` and ``alerts send``, at most
  once per drift.
- ``remediation_failed``: reserved for the remediation engine, which does not exist yet.

Delivery: raising an alert writes one outbox row per channel that wants it, in the same
transaction. ``send_pending`` later claims due rows, sends them after the claim is committed and
records the result: at-least-once delivery, retried with exponential backoff.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from driftctl.db.models import SEVERITY_RANK, Alert, Drift
from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import outbox as repo
from driftctl.db.types import utcnow
from driftctl.domain import (
    UNDECIDED_STATUSES,
    AlertType,
    AuditAction,
    DriftStatus,
    Role,
    Severity,
    jsonable,
)
from driftctl.errors import ExternalServiceError, ValidationError
from driftctl.notify import DeliveryError, DriftInfo, Notification, NotifyConfig, send_to
from driftctl.notify import channels_for as _channels_for
from driftctl.notify import from_mapping as _notify_from_mapping
from driftctl.notify.rules import AlertRules, alert_rules
from driftctl.services.context import Context, timed
from driftctl.services.drifts import MAX_LIMIT, Page

if TYPE_CHECKING:
    from sqlmodel import Session

    from driftctl.config import Settings
    from driftctl.diff.compare import Finding

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Consecutive retryable failures after which a channel is left alone for the rest of a run,
# so a dead endpoint costs a few timeouts, not one per queued message.
CHANNEL_BREAKER = 3
_ID_RE = re.compile(r"^[0-9a-f-]+$")


# --- settings --------------------------------------------------------------------------------


def rules_from_settings(settings: Settings) -> AlertRules:
    """Read ``[alerts]``; raises ValidationError naming the first bad or unknown key."""
    return alert_rules(settings.alerts or {})


def notify_config(settings: Settings) -> NotifyConfig:
    """The ``[notify]`` channels; raises ValidationError on bad configuration."""
    return _notify_from_mapping(settings.notify or {})


# --- raising alerts (inside the caller's transaction) ----------------------------------------


def drift_alert(drift_id: uuid.UUID, finding: Finding, now: datetime) -> Alert:
    """A drift_detected alert for a scan finding (not yet added to any session)."""
    severity = Severity(finding.severity).value
    paths = ", ".join(sorted(finding.difference)) or finding.drift_type.value
    title = f"{severity.capitalize()} drift on {finding.resource_type} {finding.resource_id}"
    return Alert(
        drift_id=drift_id,
        type=AlertType.DRIFT_DETECTED.value,
        severity=severity,
        title=title[:255],
        message=(
            f"{finding.resource_type} {finding.resource_id} in {finding.region} is "
            f"{finding.drift_type.value}: {paths}"
        ),
        created_at=now,
        updated_at=now,
    )


def record_alerts(
    session: Session, settings: Settings, candidates: Sequence[Alert], *, now: datetime
) -> list[Alert]:
    """Add the drift_detected CANDIDATES that pass ``[alerts] min_severity``, with their outbox.

    Raises ValidationError when ``[alerts]`` or ``[notify]`` is invalid.
    """
    rules = rules_from_settings(settings)
    wanted = [a for a in candidates if rules.wants(a.severity)]
    return add_alerts(session, notify_config(settings), wanted, now=now)


def add_alerts(
    session: Session, cfg: NotifyConfig, alerts: Sequence[Alert], *, now: datetime
) -> list[Alert]:
    """Insert ALERTS, one outbox row per channel that takes each, and NOTIFY followers."""
    if not alerts:
        return []
    session.add_all(alerts)
    # The outbox rows reference the alerts: insert those first.
    session.flush()
    for alert in alerts:
        repo.enqueue(
            session,
            alert_id=alert.id,
            channels=_channels_for(cfg, alert.type, alert.severity),
            now=now,
        )
    session.flush()
    repo.notify_listeners(session, [a.id for a in alerts])
    return list(alerts)


def raise_approval_needed(session: Session, settings: Settings, *, now: datetime) -> list[Alert]:
    """Raise approval_needed for warning+ drifts undecided longer than ``approval_after``.

    At most one such alert per drift. Raises ValidationError on bad ``[alerts]``/``[notify]``.
    """
    rules = rules_from_settings(settings)
    cfg = notify_config(settings)
    repo.lock_approval_alerts(session)
    drifts = repo.drifts_awaiting_approval(
        session,
        detected_before=now - rules.approval_after,
        min_rank=SEVERITY_RANK[Severity.WARNING.value],
        statuses=[s.value for s in UNDECIDED_STATUSES],
    )
    alerts = [_approval_alert(d, now) for d in drifts]
    return add_alerts(session, cfg, alerts, now=now)


def _approval_alert(drift: Drift, now: datetime) -> Alert:
    age = _describe_age(now - drift.detected_at)
    return Alert(
        drift_id=drift.id,
        type=AlertType.APPROVAL_NEEDED.value,
        severity=drift.severity,
        title=f"Approval needed: {drift.severity} drift on {drift.resource_type} "
        f"{drift.resource_id}"[:255],
        message=(
            f"{drift.resource_type} {drift.resource_id} in {drift.region} has been "
            f"{drift.status} for {age} without a decision: approve or reject it."
        ),
        created_at=now,
        updated_at=now,
    )


def _describe_age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 48:
        return f"{math.floor(hours / 24)} days"
    if hours >= 1:
        return f"{math.floor(hours)} hours"
    return f"{max(1, math.floor(delta.total_seconds() / 60))} minutes"


def enqueue_resolve(session: Session, drift_ids: Sequence[uuid.UUID], *, now: datetime) -> int:
    """Queue a PagerDuty resolve for drifts whose incident was (or may have been) triggered.

    Called when drifts are approved or resolved. Triggers still waiting in the outbox are
    cancelled instead (nothing was paged); returns how many resolve events were queued.
    """
    queued = 0
    grouped = repo.rows_for_drifts(session, list(drift_ids), channel="pagerduty")
    for rows in grouped.values():
        triggers = [r for r in rows if r.event == "trigger"]
        waiting = [
            r.outbox_id
            for r in triggers
            if r.status == "pending" and (r.claimed_until is None or r.claimed_until < now)
        ]
        cancelled = set(
            repo.cancel_pending(
                session, waiting, now=now, reason="cancelled: the drift was decided before delivery"
            )
        )
        paged = [
            r for r in triggers if r.outbox_id not in cancelled and r.status in ("pending", "sent")
        ]
        resolve_pending = any(r.event == "resolve" and r.status == "pending" for r in rows)
        if paged and not resolve_pending:
            repo.enqueue(
                session,
                alert_id=paged[-1].alert_id,
                channels=["pagerduty"],
                now=now,
                event="resolve",
            )
            queued += 1
    if queued:
        session.flush()
    return queued


# --- listing and reading ---------------------------------------------------------------------


def alert_to_dict(
    alert: Alert, drift: Drift | None = None, delivered: Sequence[str] | None = None
) -> dict[str, Any]:
    """An alert as JSON (columns of the alerts table, plus its drift's resource when given and
    ``notified_channels``, the channels its delivered outbox rows name, when DELIVERED is)."""
    from driftctl.db.repositories.alerts import to_dict

    out = to_dict(alert)
    if delivered is not None:
        out["notified_channels"] = list(delivered)
    if drift is not None:
        out.update(
            resource_type=drift.resource_type,
            resource_id=drift.resource_id,
            region=drift.region,
            drift_status=drift.status,
        )
    result: dict[str, Any] = jsonable(out)
    return result


def _check_values(name: str, values: Sequence[str], allowed: Sequence[str]) -> list[str]:
    for value in values:
        if value not in allowed:
            raise ValidationError(f"invalid {name} {value!r}: choose from {', '.join(allowed)}")
    return list(values)


@timed
def list_alerts(
    ctx: Context,
    *,
    unread: bool = False,
    severities: Sequence[str] = (),
    types: Sequence[str] = (),
    page: int = 1,
    limit: int = 20,
) -> Page:
    """One page of alerts, newest first; raises ValidationError for bad filters or paging."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"--limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if page < 1:
        raise ValidationError(f"--page must be 1 or more, got {page}")
    filters = repo.AlertFilter(
        unread=unread,
        severities=_check_values("--severity", severities, [s.value for s in Severity]),
        types=_check_values("--type", types, [t.value for t in AlertType]),
    )
    with ctx.read() as session:
        total = repo.count_alerts(session, filters=filters)
        rows = repo.list_alerts(session, filters=filters, offset=(page - 1) * limit, limit=limit)
        sent = repo.delivered_channels(session, [a.id for a, _ in rows])
        items = [alert_to_dict(a, d, sent.get(a.id, [])) for a, d in rows]
    return Page(items=items, total=total, page=page, page_size=limit)


def resolve_alert_id(session: Session, raw: str) -> uuid.UUID:
    """An alert id or unique prefix of 6+ characters -> the id; see ``drifts.resolve_prefix``."""
    from driftctl.services.drifts import resolve_prefix

    return resolve_prefix(
        raw,
        noun="alert",
        exists=lambda full: repo.get_alert(session, full) is not None,
        with_prefix=lambda text: repo.alert_ids_with_prefix(session, text, limit=6),
    )


@dataclass
class ReadResult:
    """What ``alerts read`` changed."""

    marked: list[str]
    already_read: list[str]


@timed
def mark_read(ctx: Context, raw_ids: Sequence[str], *, all_unread: bool = False) -> ReadResult:
    """Mark alerts read (each audited as alert_read), all or nothing.

    Raises ValidationError (no ids, bad ids), NotFoundError, ForbiddenError (below engineer).
    """
    if all_unread and raw_ids:
        raise ValidationError("give alert ids or --all, not both")
    if not all_unread and not raw_ids:
        raise ValidationError("give at least one alert id, or --all")
    ctx.actor.require(Role.ENGINEER, "mark alerts read")
    now = utcnow()
    with ctx.write() as session:
        if all_unread:
            ids = repo.unread_alert_ids(session)
        else:
            ids = list(dict.fromkeys(resolve_alert_id(session, raw) for raw in raw_ids))
        changed = sorted(repo.mark_alerts_read(session, ids, actor_id=ctx.actor.id, now=now))
        audit_repo.append_many(
            session,
            [
                audit_repo.AuditEntry(
                    AuditAction.ALERT_READ.value,
                    drift_id,
                    new_value={"alert_id": str(alert_id), "is_read": True},
                )
                for alert_id, drift_id in changed
            ],
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            user_agent=ctx.user_agent,
            created_at=now,
        )
    marked = {str(a) for a, _ in changed}
    return ReadResult(
        marked=sorted(marked), already_read=sorted(str(i) for i in ids if str(i) not in marked)
    )


# --- delivery --------------------------------------------------------------------------------

Outcome = Literal["sent", "retrying", "failed", "held", "cancelled"]


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one outbox row in this run."""

    outbox_id: str
    alert_id: str
    channel: str
    event: str
    outcome: Outcome
    attempts: int
    error: str | None = None
    next_attempt_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self.__dict__)
        return result


@dataclass
class DeliveryReport:
    """The outcome of ``alerts send``: counts, per-row results, and what is still due."""

    results: list[DeliveryResult] = field(default_factory=list)
    approval_alerts_raised: int = 0
    # Rows that were due when the run started and are still pending and unleased at its end.
    still_due: int = 0

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def undelivered(self) -> int:
        """Rows this run could not deliver, plus rows still due at its end."""
        return self.count("retrying") + self.count("failed") + self.still_due

    @property
    def ok(self) -> bool:
        return self.undelivered == 0

    def problems(self) -> list[DeliveryResult]:
        return [r for r in self.results if r.outcome in ("retrying", "failed", "held")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": False,
            "delivered": self.count("sent"),
            "retrying": self.count("retrying"),
            "failed": self.count("failed"),
            "held": self.count("held"),
            "cancelled": self.count("cancelled"),
            "still_due": self.still_due,
            "approval_alerts_raised": self.approval_alerts_raised,
            "results": [r.to_dict() for r in self.results],
        }


@dataclass(frozen=True)
class PlannedDelivery:
    """One notification a send would deliver now (``alerts send --dry-run``)."""

    outbox_id: str
    alert_id: str
    channel: str
    event: str
    attempts: int
    severity: str
    title: str

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self.__dict__)
        return result


@dataclass
class DryRun:
    """What ``alerts send`` would do now, without writing anything."""

    planned: list[PlannedDelivery]
    approval_alerts: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": True,
            "would_send": [p.to_dict() for p in self.planned],
            "would_raise": self.approval_alerts,
        }


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ATTEMPTS+1: 1m, 2m, 4m, … capped at 1h."""
    exponent = min(max(attempts - 1, 0), 12)
    delay: timedelta = BACKOFF_BASE * (2**exponent)
    return min(delay, BACKOFF_CAP)


def notification_for(alert: Alert, drift: Drift, event: str = "trigger") -> Notification:
    """The self-contained message a channel sends for ALERT about DRIFT."""
    info: DriftInfo = {
        "id": str(drift.id),
        "resource_type": drift.resource_type,
        "resource_id": drift.resource_id,
        "region": drift.region,
        "account_id": drift.account_id,
        "drift_type": drift.drift_type,
        "status": drift.status,
        "difference": jsonable(drift.difference),
        "fingerprint": drift.fingerprint,
    }
    return Notification(
        alert_id=str(alert.id),
        alert_type=AlertType(alert.type),
        severity=Severity(alert.severity),
        title=alert.title,
        message=alert.message,
        drift=info,
        event="resolve" if event == "resolve" else "trigger",
    )


Sender = Callable[[str, Notification, NotifyConfig, float], None]


def _default_sender(channel: str, note: Notification, cfg: NotifyConfig, timeout: float) -> None:
    send_to(channel, note, cfg, timeout=timeout)


@timed
def preview_pending(ctx: Context, *, limit: int = 1000) -> DryRun:
    """What ``alerts send`` would deliver and raise now; reads only. ForbiddenError if viewer."""
    ctx.actor.require(Role.ENGINEER, "send notifications")
    rules = rules_from_settings(ctx.settings)
    notify_config(ctx.settings)
    now = utcnow()
    with ctx.read() as session:
        jobs = repo.due_jobs(session, now=now, limit=limit)
        awaiting = repo.drifts_awaiting_approval(
            session,
            detected_before=now - rules.approval_after,
            min_rank=SEVERITY_RANK[Severity.WARNING.value],
            statuses=[s.value for s in UNDECIDED_STATUSES],
        )
        approvals = [alert_to_dict(_approval_alert(d, now), d) for d in awaiting]
    planned = [
        PlannedDelivery(
            str(j.outbox_id),
            str(j.alert.id),
            j.channel,
            j.event,
            j.attempts,
            j.alert.severity,
            j.alert.title,
        )
        for j in jobs
    ]
    return DryRun(planned=planned, approval_alerts=approvals)


@timed
def send_pending(
    ctx: Context,
    *,
    workers: int = 4,
    batch_size: int = 50,
    sender: Sender | None = None,
) -> DeliveryReport:
    """Raise due approval_needed alerts, then deliver every due outbox row once.

    Raises ValidationError (bad ``[alerts]``/``[notify]``), ForbiddenError (below engineer).
    Delivery problems are not raised: they are in the report (``report.ok`` is False).
    """
    ctx.actor.require(Role.ENGINEER, "send notifications")
    if not 1 <= workers <= 32:
        raise ValidationError(f"--workers must be between 1 and 32, got {workers}")
    rules = rules_from_settings(ctx.settings)
    cfg = notify_config(ctx.settings)
    report = DeliveryReport()
    with ctx.write() as session:
        report.approval_alerts_raised = len(
            raise_approval_needed(session, ctx.settings, now=utcnow())
        )
    run = _Run(rules=rules, cfg=cfg, sender=sender or _default_sender, workers=workers)
    started = utcnow()
    lease = lease_for(rules.send_timeout)
    waited_since: datetime | None = None
    while True:
        now = utcnow()
        with ctx.write() as session:
            held_until = now + lease
            ids = repo.claim_due(
                session,
                now=now,
                lease_until=held_until,
                limit=batch_size,
                skip_channels=sorted(run.skipped),
            )
            jobs = repo.load_jobs(session, ids)
        if not jobs:
            # Rows due at the start that another sender leased: a live one renews its lease
            # and finishes them; a killed one's lease ends within one lease, and this run
            # takes them over then. Wait for either, at most two leases.
            waited_since = waited_since or utcnow()
            pause = _until_a_lease_ends(ctx, started)
            if pause is None or utcnow() - waited_since > 2 * lease:
                break
            time.sleep(pause)
            continue
        waited_since = None
        with _LeaseKeeper(ctx, ids, held_until, lease) as keeper:
            results = run.deliver(jobs, keeper)
        outcomes = run.outcomes(results, jobs)
        with ctx.write() as session:
            repo.record(session, outcomes, now=utcnow())
        report.results.extend(results)
    with ctx.read() as session:
        # Everything due when the run started that no sender has delivered: a live sender's
        # rows still in flight count too (the run did not see them delivered).
        report.still_due = repo.count_pending(session, due_by=started)
    for problem in report.problems():
        log.warning(
            "notification not delivered",
            extra={
                "outbox_id": problem.outbox_id,
                "channel": problem.channel,
                "outcome": problem.outcome,
                "error": problem.error,
            },
        )
    return report


# A lease outlasts three sends and is renewed every send, so a sender that is killed holds its
# rows for at most one lease; at least 15 s so a slow database write does not lose it.
LEASE_FLOOR = 15.0


def lease_for(send_timeout: float) -> timedelta:
    """How long a claim on outbox rows lasts before it must be renewed."""
    return timedelta(seconds=max(LEASE_FLOOR, 3 * send_timeout))


def _until_a_lease_ends(ctx: Context, started: datetime) -> float | None:
    """Seconds until the first lease on a row due at STARTED ends (None: no such lease)."""
    now = utcnow()
    with ctx.read() as session:
        ends = repo.next_lease_end(session, due_by=started, now=now)
    if ends is None:
        return None
    # A live sender's rows stop being pending when it records them: look again soon.
    return min(max((ends - now).total_seconds(), 0.05), 0.5)


class _LeaseKeeper:
    """Renews the lease on a batch's rows while they are being sent (a thread of its own).

    A renewal is a compare-and-set on the lease this run set, so rows another sender took over
    (this process stalled past its lease) are lost, and their sends are not started.
    """

    def __init__(
        self, ctx: Context, ids: Sequence[uuid.UUID], held_until: datetime, lease: timedelta
    ):
        self._ctx = ctx
        self._ids = list(ids)
        self._held_until = held_until
        self._lease = lease
        self._valid_until = time.monotonic() + lease.total_seconds()
        self._lost: set[uuid.UUID] = set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="outbox-lease", daemon=True)

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def may_send(self, outbox_id: uuid.UUID, send_timeout: float) -> bool:
        """Whether this run still holds the row for at least one more send."""
        with self._lock:
            if outbox_id in self._lost:
                return False
            return time.monotonic() + send_timeout < self._valid_until

    def _run(self) -> None:
        every = self._lease.total_seconds() / 3
        while not self._stop.wait(every):
            self.renew()

    def renew(self) -> None:
        """Extend the lease of the rows still held (a failed renewal keeps the old lease)."""
        started = time.monotonic()
        new_until = utcnow() + self._lease
        try:
            with self._ctx.write() as session:
                kept = set(
                    repo.renew_lease(
                        session,
                        [i for i in self._ids if i not in self._lost],
                        held_until=self._held_until,
                        lease_until=new_until,
                        now=utcnow(),
                    )
                )
        except Exception as exc:  # the database is away: sends stop when the old lease ends
            log.warning(
                "could not renew the outbox lease", extra={"error_type": type(exc).__name__}
            )
            return
        with self._lock:
            self._lost.update(i for i in self._ids if i not in kept)
            self._held_until = new_until
            self._valid_until = started + self._lease.total_seconds()


@dataclass
class _Run:
    """State of one send run shared by its worker threads."""

    rules: AlertRules
    cfg: NotifyConfig
    sender: Sender
    workers: int
    # channel -> why it is left alone for the rest of this run
    skipped: dict[str, str] = field(default_factory=dict)
    # channels held back by their configuration (the reason is kept in the row's last_error)
    misconfigured: set[str] = field(default_factory=set)
    failures_in_a_row: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, jobs: list[repo.Job], keeper: _LeaseKeeper) -> list[DeliveryResult]:
        if self.workers == 1 or len(jobs) == 1:
            return [self._one(job, keeper) for job in jobs]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(jobs))) as pool:
            return list(pool.map(lambda job: self._one(job, keeper), jobs))

    def _one(self, job: repo.Job, keeper: _LeaseKeeper) -> DeliveryResult:
        def result(outcome: Outcome, attempts: int, error: str | None = None) -> DeliveryResult:
            next_at = utcnow() + backoff(attempts) if outcome == "retrying" else None
            return DeliveryResult(
                str(job.outbox_id),
                str(job.alert.id),
                job.channel,
                job.event,
                outcome,
                attempts,
                error,
                next_at,
            )

        with self.lock:
            skipped = self.skipped.get(job.channel)
        if skipped is not None:
            return result("held", job.attempts, skipped)
        if not keeper.may_send(job.outbox_id, self.rules.send_timeout):
            # The lease could end before this send would: another sender may take the row.
            return result("held", job.attempts, None)
        decided = (DriftStatus.APPROVED.value, DriftStatus.RESOLVED.value)
        if job.channel == "pagerduty" and job.event == "trigger" and job.drift.status in decided:
            # Paging for a drift someone has already accepted or closed would page for nothing.
            return result("cancelled", job.attempts, f"cancelled: the drift is {job.drift.status}")
        note = notification_for(job.alert, job.drift, job.event)
        try:
            self.sender(job.channel, note, self.cfg, self.rules.send_timeout)
        except ValidationError as exc:
            # A missing secret or channel block: nothing was sent, no attempt is spent.
            with self.lock:
                self.skipped[job.channel] = exc.message
                self.misconfigured.add(job.channel)
            return result("held", job.attempts, exc.message)
        except DeliveryError as exc:
            return self._failed(job, exc.message, permanent=exc.permanent, result=result)
        except Exception as exc:
            # Only the type: an unexpected error's text could carry a resolved secret.
            message = f"{job.channel}: unexpected error while sending ({type(exc).__name__})"
            log.debug("unexpected delivery error", extra={"error_type": type(exc).__name__})
            return self._failed(job, message, permanent=False, result=result)
        with self.lock:
            self.failures_in_a_row[job.channel] = 0
        return result("sent", job.attempts + 1)

    def _failed(
        self,
        job: repo.Job,
        message: str,
        *,
        permanent: bool,
        result: Callable[[Outcome, int, str | None], DeliveryResult],
    ) -> DeliveryResult:
        attempts = job.attempts + 1
        give_up = permanent or attempts >= self.rules.max_attempts
        with self.lock:
            count = self.failures_in_a_row.get(job.channel, 0) + 1
            self.failures_in_a_row[job.channel] = count
            if not permanent and count >= CHANNEL_BREAKER:
                self.skipped[job.channel] = f"{job.channel} failed {count} times in a row"
        return result("failed" if give_up else "retrying", attempts, message[:1000])

    def outcomes(self, results: list[DeliveryResult], jobs: list[repo.Job]) -> repo.Outcomes:
        """The results in the shape the repository writes back."""
        by_id = {str(j.outbox_id): j for j in jobs}
        out = repo.Outcomes()
        for r in results:
            job = by_id[r.outbox_id]
            if r.outcome == "sent":
                out.sent.append((job.outbox_id, job.alert.id, job.channel))
            elif r.outcome == "retrying":
                assert r.next_attempt_at is not None
                out.retry.append((job.outbox_id, r.attempts, r.next_attempt_at, r.error or ""))
            elif r.outcome in ("failed", "cancelled"):
                out.failed.append((job.outbox_id, r.attempts, r.error or ""))
            else:
                keep = r.error if job.channel in self.misconfigured else None
                out.released.append((job.outbox_id, keep))
        return out


@timed
def send_test(ctx: Context, channel: str) -> None:
    """Send a test notification to CHANNEL now (PagerDuty: trigger, then resolve).

    Raises ValidationError (unknown or unconfigured channel, missing secret), ExternalServiceError
    (delivery failed), ForbiddenError (below engineer).
    """
    ctx.actor.require(Role.ENGINEER, "send test notifications")
    cfg = notify_config(ctx.settings)
    if cfg.channel(channel) is None:
        raise ValidationError(
            f"notification channel {channel!r} is not configured ([notify.{channel}])"
        )
    timeout = rules_from_settings(ctx.settings).send_timeout
    test_id = uuid.uuid4()
    info: DriftInfo = {
        "id": str(test_id),
        "resource_type": "SECURITY_GROUP",
        "resource_id": "sg-driftctl-test",
        "region": "us-east-1",
        "account_id": None,
        "drift_type": "modified",
        "status": "detected",
        "difference": {
            "description": {"change": "changed", "expected": "before", "actual": "after"}
        },
        "fingerprint": f"driftctl-test-{test_id}",
    }
    note = Notification(
        alert_id=str(test_id),
        alert_type=AlertType.DRIFT_DETECTED,
        severity=Severity.INFO,
        title="driftctl test notification",
        message="This is a test sent by `driftctl alerts test`; no drift is involved.",
        drift=info,
    )
    try:
        send_to(channel, note, cfg, timeout=timeout)
        if channel == "pagerduty":
            send_to(channel, replace(note, event="resolve"), cfg, timeout=timeout)
    except DeliveryError as exc:
        raise ExternalServiceError(exc.message) from None


# --- following -------------------------------------------------------------------------------


def follow(
    ctx: Context,
    *,
    poll_interval: float = 2.0,
    max_events: int | None = None,
    on_ready: Callable[[], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield alerts created from now on, as they are committed (until MAX_EVENTS, if given).

    PostgreSQL: LISTEN/NOTIFY on ``driftctl_alerts``; SQLite: polls every POLL_INTERVAL seconds.
    """
    source = _follow_pg if ctx.is_postgres else _follow_sqlite
    for seen, item in enumerate(source(ctx, poll_interval, on_ready), start=1):
        yield item
        if max_events is not None and seen >= max_events:
            return


def _follow_sqlite(
    ctx: Context, poll_interval: float, on_ready: Callable[[], None] | None
) -> Iterator[dict[str, Any]]:
    with ctx.read() as session:
        mark = repo.last_alert_rowid(session)
    if on_ready:
        on_ready()
    while True:
        with ctx.read() as session:
            rows, mark = repo.alerts_after_rowid(session, mark)
            items = [alert_to_dict(a, d) for a, d in rows]
        yield from items
        if not items:
            time.sleep(poll_interval)


def _follow_pg(
    ctx: Context, poll_interval: float, on_ready: Callable[[], None] | None
) -> Iterator[dict[str, Any]]:
    with repo.listen(ctx.engine) as conn:
        if on_ready:
            on_ready()
        while True:
            notices = list(conn.notifies(timeout=poll_interval, stop_after=1))
            if not notices:
                continue
            # A scan raises its alerts in one commit: take the rest of the burst in one go.
            notices += list(conn.notifies(timeout=0.05, stop_after=500))
            ids = []
            for notice in notices:
                try:
                    ids.append(uuid.UUID(notice.payload))
                except ValueError:
                    log.debug("ignoring a malformed notification on the alerts channel")
            with ctx.read() as session:
                items = [alert_to_dict(a, d) for a, d in repo.alerts_by_ids(session, ids)]
            yield from items
