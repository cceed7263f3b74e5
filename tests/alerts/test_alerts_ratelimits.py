"""Rate limits: a 429 pauses that channel for its Retry-After; the other channels keep going."""

from __future__ import annotations

import time
from collections.abc import Callable

from driftctl.notify._http import parse_retry_after
from tests.alerts.alerts_helpers import BOTH_ENGINES, SLACK_PATH, Scenario
from tests.notify.notify_helpers import Recorded, RecordingServer

SG_DIFF = {
    "ingress[tcp:22:0.0.0.0/0]": {"change": "added", "expected": None, "actual": "tcp:22:0.0.0.0/0"}
}


def test_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 120 ") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("999999999") == 24 * 3600.0


@BOTH_ENGINES
def test_a_429_pauses_only_its_channel(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("slack", "webhook"))
    for n in range(5):
        s.raise_alert(
            s.add_drift(
                resource_type="SECURITY_GROUP",
                resource_id=f"sg-{n:017x}",
                severity="critical",
                difference=SG_DIFF,
            )
        )
    times: list[tuple[str, float]] = []
    refused: list[bool] = []

    def reply(req: Recorded) -> bytes:
        times.append((req.path, time.monotonic()))
        if req.path == SLACK_PATH and not refused:
            refused.append(True)
            http_server.status = 429
            http_server.reply_headers = {"Retry-After": "1"}
            return b"rate_limited"
        http_server.status = 200
        http_server.reply_headers = {}
        return b"ok"

    http_server.reply = reply

    # One worker, so no other Slack send is already in flight when the 429 arrives.
    result = s.cli("alerts", "send", "-o", "json", "--workers", "1")

    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert (report["delivered"], report["retrying"], report["held"]) == (10, 0, 0)
    assert {r.status for r in s.outbox()} == {"sent"}
    slack = [t for p, t in times if p == SLACK_PATH]
    hooks = [t for p, t in times if p == "/hook"]
    # Slack was asked once more than it has messages; each alert reached it once.
    assert (len(slack), len(hooks)) == (6, 5)
    # Slack waited out its second after the 429; the webhook did not wait for it.
    assert min(slack[1:]) - slack[0] >= 0.95
    assert max(hooks) < slack[0] + 0.95
    # The refused row spent one attempt; the held ones spent none.
    assert sorted(r.attempts for r in s.outbox() if r.channel == "slack") == [1, 1, 1, 1, 2]
