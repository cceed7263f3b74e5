"""Digests: a scan raising more alerts than [alerts] digest_threshold for a channel sends that
channel one message listing them; incident channels open one incident unless told otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from driftctl.db.models import Alert, Drift
from driftctl.db.types import utcnow
from driftctl.services import alerts as svc
from tests.alerts.alerts_helpers import BOTH_ENGINES, PD_KEY, SLACK_PATH, Scenario
from tests.notify.notify_helpers import RecordingServer

SG_DIFF = {
    "ingress[tcp:22:0.0.0.0/0]": {"change": "added", "expected": None, "actual": "tcp:22:0.0.0.0/0"}
}


def _scan_raises(s: Scenario, count: int, *, severity: str = "critical") -> list[Drift]:
    """COUNT drifts and their alerts raised in one batch, as one scan raises them."""
    drifts = [
        s.add_drift(
            resource_type="SECURITY_GROUP",
            resource_id=f"sg-{n:017x}",
            severity="warning" if n == 0 else severity,
            difference=SG_DIFF,
        )
        for n in range(count)
    ]
    now = utcnow()
    alerts = [
        Alert(
            drift_id=d.id,
            type="drift_detected",
            severity=d.severity,
            title=f"{d.severity.capitalize()} drift on SECURITY_GROUP {d.resource_id}",
            message="opened to the world",
            created_at=now,
            updated_at=now,
        )
        for d in drifts
    ]
    rules = svc.rules_from_settings(s.ctx.settings)
    with s.ctx.write() as session:
        svc.add_alerts(
            session,
            svc.notify_config(s.ctx.settings),
            alerts,
            now=now,
            digest_threshold=rules.digest_threshold,
        )
    return drifts


@BOTH_ENGINES
def test_a_big_scan_sends_one_digest_per_channel(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(
        channels=("slack", "pagerduty", "webhook"),
        alerts={"digest_threshold": 3, "digest_top": 2},
    )
    _scan_raises(s, 6)

    plan = s.cli("alerts", "send", "--dry-run", "-o", "json")
    assert plan.exit_code == 0, plan.stderr
    would: list[dict[str, Any]] = plan.json()["would_send"]
    by_channel = {c: [p for p in would if p["channel"] == c] for c in ("slack", "pagerduty")}
    assert [p["digest_of"] for p in by_channel["slack"]] == [6]
    assert [p["digest_of"] for p in by_channel["pagerduty"]] == [6]
    # The webhook is for machines: one request per alert, never a digest.
    assert [p["digest_of"] for p in would if p["channel"] == "webhook"] == [0] * 6
    table = s.cli("alerts", "send", "--dry-run")
    assert "(digest of 6)" in table.stdout
    assert "digest(s) for 12 alerts" in table.stderr

    sent = s.cli("alerts", "send", "-o", "json")
    assert sent.exit_code == 0, sent.stderr
    assert sent.json()["delivered"] == 18  # every row is recorded
    assert {r.status for r in s.outbox()} == {"sent"}
    [slack] = [r for r in http_server.requests if r.path == SLACK_PATH]
    text = slack.body.decode("utf-8")
    assert "6 drift alerts from one scan (5 critical, 1 warning)" in text
    assert "and 4 more" in text
    [incident] = s.bodies("/pd")
    assert incident["dedup_key"].startswith("driftctl-digest-")
    assert incident["payload"]["severity"] == "critical"
    assert len(s.bodies("/hook")) == 6
    listed = s.cli("alerts", "-o", "json", "--limit", "100").json()["items"]
    assert all(i["notified_channels"] == ["pagerduty", "slack", "webhook"] for i in listed)
    assert all(a.notified_slack and a.notified_pagerduty for a in s.alerts())


def test_at_the_threshold_each_alert_goes_alone(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("slack",), alerts={"digest_threshold": 3})
    _scan_raises(s, 3)
    assert s.cli("alerts", "send").exit_code == 0
    assert len(http_server.requests) == 3


def test_per_drift_incidents_keeps_one_incident_per_drift(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(
        channels=("slack", "pagerduty"),
        alerts={"digest_threshold": 3},
        extra={"pagerduty": {"per_drift_incidents": True}},
    )
    drifts = _scan_raises(s, 5)
    assert s.cli("alerts", "send").exit_code == 0
    assert len([r for r in http_server.requests if r.path == SLACK_PATH]) == 1
    keys = [b["dedup_key"] for b in s.bodies("/pd")]
    assert sorted(keys) == sorted(d.fingerprint for d in drifts)


@BOTH_ENGINES
def test_a_digest_incident_is_resolved_when_all_its_drifts_are(
    scenario: Callable[..., Scenario],
) -> None:
    s = scenario(channels=("pagerduty",), alerts={"digest_threshold": 2})
    drifts = _scan_raises(s, 3)
    assert s.cli("alerts", "send").exit_code == 0
    [trigger] = s.bodies("/pd")
    reason = ["--reason", "opened on purpose for a migration"]

    assert s.cli("approve", str(drifts[0].id), str(drifts[1].id), *reason).exit_code == 0
    assert [r for r in s.outbox() if r.event == "resolve"] == []
    assert s.cli("approve", str(drifts[2].id), *reason).exit_code == 0
    assert s.cli("alerts", "send").exit_code == 0
    assert s.bodies("/pd")[1:] == [
        {"routing_key": PD_KEY, "event_action": "resolve", "dedup_key": trigger["dedup_key"]}
    ]


def test_digest_settings_are_checked(scenario: Callable[..., Scenario]) -> None:
    import pytest

    from driftctl.errors import ValidationError

    with pytest.raises(ValidationError, match=r"alerts\.digest_threshold: a whole number >= 0"):
        scenario(channels=("slack",), alerts={"digest_threshold": -1})
