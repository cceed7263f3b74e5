"""Per-channel rate limits: a 429 (or a 503 with Retry-After) pauses that channel only.

The row that was refused is retried once the pause ends (``Retry-After`` when the service sent
one, else ``DEFAULT_PAUSE``), and the channel's other rows wait unsent, without spending an
attempt, while every other channel keeps going. A pause up to ``WAIT_CAP`` is waited out within
the same ``alerts send`` run (a row at most ``RATE_RETRIES_IN_RUN`` times); a longer one leaves
the channel for a later run.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta

from driftctl.db.types import utcnow
from driftctl.services.alerts.results import backoff

DEFAULT_PAUSE = 2.0
WAIT_CAP = 60.0
# How many times one row refused for a rate limit is retried within one run.
RATE_RETRIES_IN_RUN = 5


def is_rate_limit(status: int | None, retry_after: float | None) -> bool:
    """Whether a failed send was the service asking us to slow down."""
    return status == 429 or (status == 503 and retry_after is not None)


class ChannelPauses:
    """Until when each channel is paused (monotonic clock), shared by a run's workers."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        # Rows refused for a rate limit in this run, and how often.
        self._refusals: dict[uuid.UUID, int] = {}
        self._lock = threading.Lock()

    def pause(self, channel: str, retry_after: float | None) -> timedelta:
        """Pause CHANNEL for RETRY_AFTER seconds (or the default); returns the pause."""
        seconds = DEFAULT_PAUSE if retry_after is None else max(retry_after, 0.0)
        with self._lock:
            until = time.monotonic() + seconds
            self._until[channel] = max(self._until.get(channel, 0.0), until)
        return timedelta(seconds=seconds)

    def paused(self, channel: str) -> bool:
        with self._lock:
            return self._until.get(channel, 0.0) > time.monotonic()

    def active(self) -> list[str]:
        """The channels paused right now."""
        now = time.monotonic()
        with self._lock:
            return sorted(c for c, until in self._until.items() if until > now)

    def next_end(self) -> float | None:
        """Seconds until the first active pause ends (None: no channel is paused)."""
        now = time.monotonic()
        with self._lock:
            ends = [until - now for until in self._until.values() if until > now]
        return min(ends) if ends else None

    def retry_at(self, outbox_id: uuid.UUID, pause: timedelta, attempts: int) -> datetime:
        """When a refused row is due again: after the pause, or, refused more than
        RATE_RETRIES_IN_RUN times in this run, after the usual backoff too."""
        with self._lock:
            refusals = self._refusals.get(outbox_id, 0) + 1
            self._refusals[outbox_id] = refusals
        if refusals > RATE_RETRIES_IN_RUN:
            return utcnow() + max(pause, backoff(attempts))
        return utcnow() + pause
