"""Following new alerts as they are committed (``alerts --follow``)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from driftctl.db.repositories import outbox as repo
from driftctl.services.alerts.listing import alert_to_dict
from driftctl.services.context import Context

if TYPE_CHECKING:
    pass

log = logging.getLogger("driftctl.services.alerts")


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
