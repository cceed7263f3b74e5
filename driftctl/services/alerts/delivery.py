"""The delivery engine: claim due outbox rows, send them on worker threads, record results.

At-least-once delivery, retried with exponential backoff; a channel that keeps failing is left
alone for the rest of a run. What a channel can do comes from its capabilities
(``notify.registry``), never from its name.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from driftctl.db.models import Alert, Drift
from driftctl.db.repositories import outbox as repo
from driftctl.db.types import utcnow
from driftctl.domain import (
    AlertType,
    DriftStatus,
    Role,
    Severity,
    jsonable,
)
from driftctl.errors import ValidationError
from driftctl.notify import DeliveryError, DriftInfo, Notification, NotifyConfig, registry, send_to
from driftctl.notify.rules import AlertRules
from driftctl.services.alerts.leases import _LeaseKeeper, _until_a_lease_ends, lease_for
from driftctl.services.alerts.raising import (
    notify_config,
    raise_approval_needed,
    rules_from_settings,
)
from driftctl.services.alerts.results import DeliveryReport, DeliveryResult, Outcome
from driftctl.services.context import Context, timed

if TYPE_CHECKING:
    pass

log = logging.getLogger("driftctl.services.alerts")


BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Consecutive retryable failures after which a channel is left alone for the rest of a run,
# so a dead endpoint costs a few timeouts, not one per queued message.
CHANNEL_BREAKER = 3


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
        plugin = registry.get(job.channel)
        if plugin is None:
            # A row queued by a driftctl that knows more channels: leave it for that one.
            with self.lock:
                self.skipped[job.channel] = f"unknown notification channel {job.channel!r}"
                self.misconfigured.add(job.channel)
            return result("held", job.attempts, self.skipped[job.channel])
        resolves = plugin.capabilities.resolves
        if resolves and job.event == "trigger" and job.drift.status in decided:
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
