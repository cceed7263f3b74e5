"""Outbox leases: claims take exactly what they ask for, are renewed while a sender lives, and
a killed sender's rows are taken over within one lease instead of being sent twice later."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from driftctl.db.models import NotificationOutbox
from driftctl.db.repositories import outbox as repo
from driftctl.db.types import utcnow
from driftctl.services import alerts as svc
from tests.alerts.alerts_helpers import BOTH_ENGINES, Scenario
from tests.notify.notify_helpers import RecordingServer

SG_DIFF = {
    "ingress[tcp:22:0.0.0.0/0]": {"change": "added", "expected": None, "actual": "tcp:22:0.0.0.0/0"}
}


def _alerts(s: Scenario, count: int) -> None:
    for n in range(count):
        drift = s.add_drift(
            resource_type="SECURITY_GROUP",
            resource_id=f"sg-{n:017x}",
            severity="critical",
            difference=SG_DIFF,
        )
        s.raise_alert(drift)


@BOTH_ENGINES
def test_a_claim_takes_exactly_the_rows_it_asks_for(scenario: Callable[..., Scenario]) -> None:
    s = scenario(channels=("webhook",))
    _alerts(s, 170)
    now = utcnow()

    taken: list[int] = []
    for limit in (50, 10, 200):
        with s.ctx.write() as session:
            ids = repo.claim_due(
                session, now=now, lease_until=now + timedelta(minutes=1), limit=limit
            )
        taken.append(len(ids))

    # 50 + 10, then the 110 left: never more than asked, never a row twice.
    assert taken == [50, 10, 110]
    assert all(r.claimed_until is not None for r in s.outbox())


@BOTH_ENGINES
def test_a_renewal_extends_only_the_lease_this_sender_holds(
    scenario: Callable[..., Scenario],
) -> None:
    s = scenario(channels=("webhook",))
    _alerts(s, 2)
    now = utcnow()
    held = now + timedelta(seconds=30)
    with s.ctx.write() as session:
        ours = repo.claim_due(session, now=now, lease_until=held, limit=2)
    # A row this sender lost (it stalled past its lease) was taken over by another one.
    taken_over = now + timedelta(seconds=45)
    with s.ctx.write() as session:
        session.execute(
            update(NotificationOutbox)
            .where(col(NotificationOutbox.id) == ours[1])
            .values(claimed_until=taken_over)
        )

    keeper = svc._LeaseKeeper(s.ctx, ours, held, timedelta(seconds=30))
    keeper.renew()

    by_id = {r.id: r for r in s.outbox()}
    assert by_id[ours[0]].claimed_until is not None and by_id[ours[0]].claimed_until > held
    assert by_id[ours[1]].claimed_until == taken_over
    assert keeper.may_send(ours[0], send_timeout=1)
    assert not keeper.may_send(ours[1], send_timeout=1)


def test_rows_a_killed_sender_left_leased_are_taken_over_and_sent_once(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("webhook",))
    _alerts(s, 12)
    # A sender was killed after claiming 5 rows: its lease runs out a moment from now (a short
    # lease, renewed while a sender lives, is what bounds this).
    now = utcnow()
    with s.ctx.write() as session:
        dead = repo.claim_due(session, now=now, lease_until=now + timedelta(seconds=1), limit=5)
    assert len(dead) == 5

    result = s.cli("alerts", "send", "-o", "json")

    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = result.json()
    assert (report["delivered"], report["still_due"]) == (12, 0)
    assert {r.status for r in s.outbox()} == {"sent"}
    # Each row went out once.
    assert len(http_server.requests) == 12


def test_the_lease_outlasts_three_sends_and_has_a_floor() -> None:
    assert svc.lease_for(10.0) == timedelta(seconds=30)
    assert svc.lease_for(1.0) == timedelta(seconds=svc.LEASE_FLOOR)
