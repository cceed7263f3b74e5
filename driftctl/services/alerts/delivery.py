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
from datetime import datetime
from typing import TYPE_CHECKING

from driftctl.db.repositories import outbox as repo
from driftctl.db.types import utcnow
from driftctl.domain import (
    DriftStatus,
    Role,
)
from driftctl.errors import ValidationError
from driftctl.notify import DeliveryError, Notification, NotifyConfig, registry, send_to
from driftctl.notify.rules import AlertRules
from driftctl.services.alerts.digests import digest_notification, units
from driftctl.services.alerts.leases import _LeaseKeeper, _until_a_lease_ends, lease_for
from driftctl.services.alerts.messages import notification_for
from driftctl.services.alerts.raising import (
    notify_config,
    raise_approval_needed,
    rules_from_settings,
)
from driftctl.services.alerts.ratelimits import (
    WAIT_CAP,
    ChannelPauses,
    is_rate_limit,
)
from driftctl.services.alerts.results import (
    DeliveryReport,
    DeliveryResult,
    Outcome,
    _result,
)
from driftctl.services.context import Context, timed

if TYPE_CHECKING:
    pass

log = logging.getLogger("driftctl.services.alerts")


# Consecutive retryable failures after which a channel is left alone for the rest of a run,
# so a dead endpoint costs a few timeouts, not one per queued message.
CHANNEL_BREAKER = 3


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
                skip_channels=run.unavailable(),
            )
            jobs = repo.load_jobs(session, ids)
        rate_wait = run.pauses.next_end()
        if not jobs and rate_wait is not None and rate_wait <= WAIT_CAP:
            # Only rate-limited channels have rows left: wait for the first pause to end.
            time.sleep(rate_wait + 0.01)
            continue
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

        def record(outcomes: repo.Outcomes) -> None:
            with ctx.write() as session:
                repo.record(session, outcomes, now=utcnow())

        with _LeaseKeeper(ctx, ids, held_until, lease) as keeper:
            # Each message is recorded as sent the moment it went out: a sender killed
            # mid-batch resends only what was in flight, not the whole batch.
            results = run.deliver(jobs, keeper, record_sent=record)
        record(run.outcomes([r for r in results if r.outcome != "sent"], jobs))
        report.results.extend(results)
    # A row held back or refused for a rate limit and delivered later counts once, as sent.
    last = {r.outbox_id: r for r in report.results}
    report.results = [r for r in report.results if last[r.outbox_id] is r]
    with ctx.read() as session:
        # Everything due when the run started that no sender has delivered: a live sender's
        # rows still in flight count too (the run did not see them delivered).
        report.still_due = repo.count_pending(session, due_by=started)
    for p in report.problems():
        where = {"outbox_id": p.outbox_id, "channel": p.channel, "outcome": p.outcome}
        log.warning("notification not delivered", extra={**where, "error": p.error})
    return report


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
    pauses: ChannelPauses = field(default_factory=ChannelPauses)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def unavailable(self) -> list[str]:
        """Channels this run does not claim rows for now (left alone, or paused)."""
        with self.lock:
            skipped = set(self.skipped)
        return sorted(skipped | set(self.pauses.active()))

    def deliver(
        self,
        jobs: list[repo.Job],
        keeper: _LeaseKeeper,
        *,
        record_sent: Callable[[repo.Outcomes], None],
    ) -> list[DeliveryResult]:
        batches = units(jobs)

        def one(unit: list[repo.Job]) -> list[DeliveryResult]:
            results = self._send(unit, keeper)
            sent = [r for r in results if r.outcome == "sent"]
            if sent:
                record_sent(self.outcomes(sent, unit))
            return results

        if self.workers == 1 or len(batches) == 1:
            return [r for unit in batches for r in one(unit)]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(batches))) as pool:
            return [r for results in pool.map(one, batches) for r in results]

    def _send(self, unit: list[repo.Job], keeper: _LeaseKeeper) -> list[DeliveryResult]:
        """Send UNIT (one row, or a digest's rows) as one message; one result per row."""
        lead = unit[0]
        channel = lead.channel
        with self.lock:
            skipped = self.skipped.get(channel)
        if skipped is not None:
            return [_result(j, "held", j.attempts, skipped) for j in unit]
        if self.pauses.paused(channel):
            # Rate limited: wait for the pause without spending an attempt.
            return [_result(j, "held", j.attempts, None) for j in unit]
        if not all(keeper.may_send(j.outbox_id, self.rules.send_timeout) for j in unit):
            # The lease could end before this send would: another sender may take the rows.
            return [_result(j, "held", j.attempts, None) for j in unit]
        plugin = registry.get(channel)
        if plugin is None:
            # A row queued by a driftctl that knows more channels: leave it for that one.
            reason = f"unknown notification channel {channel!r}"
            with self.lock:
                self.skipped[channel] = reason
                self.misconfigured.add(channel)
            return [_result(j, "held", j.attempts, reason) for j in unit]
        done: list[DeliveryResult] = []
        if plugin.capabilities.resolves and lead.event == "trigger":
            # Paging for a drift someone has already accepted or closed would page for nothing.
            decided = {j.outbox_id for j in unit if j.drift.status in _DECIDED}
            done = [
                _result(j, "cancelled", j.attempts, f"cancelled: the drift is {j.drift.status}")
                for j in unit
                if j.outbox_id in decided
            ]
            unit = [j for j in unit if j.outbox_id not in decided]
            if not unit:
                return done
        if lead.digest_id is None:
            note = notification_for(lead.alert, lead.drift, lead.event)
        else:
            note = digest_notification(
                lead.digest_id, unit, top=self.rules.digest_top, event=lead.event
            )
        try:
            self.sender(channel, note, self.cfg, self.rules.send_timeout)
        except ValidationError as exc:
            # A missing secret or channel block: nothing was sent, no attempt is spent.
            with self.lock:
                self.skipped[channel] = exc.message
                self.misconfigured.add(channel)
            return done + [_result(j, "held", j.attempts, exc.message) for j in unit]
        except DeliveryError as exc:
            if is_rate_limit(exc.status, exc.retry_after):
                return done + self._rate_limited(unit, exc)
            return done + self._failed(unit, exc.message, permanent=exc.permanent)
        except Exception as exc:
            # Only the type: an unexpected error's text could carry a resolved secret.
            message = f"{channel}: unexpected error while sending ({type(exc).__name__})"
            log.debug("unexpected delivery error", extra={"error_type": type(exc).__name__})
            return done + self._failed(unit, message, permanent=False)
        with self.lock:
            self.failures_in_a_row[channel] = 0
        return done + [_result(j, "sent", j.attempts + 1) for j in unit]

    def _failed(
        self, unit: list[repo.Job], message: str, *, permanent: bool
    ) -> list[DeliveryResult]:
        channel = unit[0].channel
        with self.lock:
            count = self.failures_in_a_row.get(channel, 0) + 1
            self.failures_in_a_row[channel] = count
            if not permanent and count >= CHANNEL_BREAKER:
                self.skipped[channel] = f"{channel} failed {count} times in a row"
        out = []
        for job in unit:
            attempts = job.attempts + 1
            give_up = permanent or attempts >= self.rules.max_attempts
            out.append(_result(job, "failed" if give_up else "retrying", attempts, message[:1000]))
        return out

    def _rate_limited(self, unit: list[repo.Job], exc: DeliveryError) -> list[DeliveryResult]:
        """Pause the channel only; retry the refused rows when the pause ends."""
        channel = unit[0].channel
        pause = self.pauses.pause(channel, exc.retry_after)
        if pause.total_seconds() > WAIT_CAP:
            with self.lock:
                self.skipped[channel] = f"{channel} is rate limited for {pause.total_seconds():g} s"
        out = []
        for job in unit:
            attempts = job.attempts + 1
            retry_at = self.pauses.retry_at(job.outbox_id, pause, attempts)
            outcome: Outcome = "failed" if attempts >= self.rules.max_attempts else "retrying"
            out.append(_result(job, outcome, attempts, exc.message[:1000], retry_at=retry_at))
        return out

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


_DECIDED = (DriftStatus.APPROVED.value, DriftStatus.RESOLVED.value)
