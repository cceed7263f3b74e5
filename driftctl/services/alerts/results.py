"""What a delivery run reports: per-row results, counts, the dry-run plan, retry times."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from driftctl.db.types import utcnow
from driftctl.domain import jsonable

if TYPE_CHECKING:
    from driftctl.db.repositories.outbox import Job

log = logging.getLogger("driftctl.services.alerts")


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
    # A digest: how many alerts the one message stands for (0: a single alert).
    digest_of: int = 0

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


BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ATTEMPTS+1: 1m, 2m, 4m, … capped at 1h."""
    exponent = min(max(attempts - 1, 0), 12)
    delay: timedelta = BACKOFF_BASE * (2**exponent)
    return min(delay, BACKOFF_CAP)


def _result(
    job: Job,
    outcome: Outcome,
    attempts: int,
    error: str | None = None,
    *,
    retry_at: datetime | None = None,
) -> DeliveryResult:
    """The result of JOB; a retry is due after the backoff unless RETRY_AT says when."""
    next_at = (retry_at or utcnow() + backoff(attempts)) if outcome == "retrying" else None
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
