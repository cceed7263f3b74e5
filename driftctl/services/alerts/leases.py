"""Outbox leases: short claims renewed while a sender lives, so a killed sender's rows are
taken over within one lease instead of being sent twice later."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from driftctl.db.repositories import outbox as repo
from driftctl.db.types import utcnow
from driftctl.services.context import Context

if TYPE_CHECKING:
    pass

log = logging.getLogger("driftctl.services.alerts")


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
