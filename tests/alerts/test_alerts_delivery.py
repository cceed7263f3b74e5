"""`alerts send`: exact payloads, notified flags, retries with backoff, permanent failures."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest

from driftctl.db.types import utcnow
from tests.alerts.alerts_helpers import BOTH_ENGINES, HOOK_SECRET, PD_KEY, SLACK_PATH, Scenario
from tests.notify.notify_helpers import RecordingServer, SmtpServer

SG_DIFF = {
    "ingress[tcp:22:0.0.0.0/0]": {"change": "added", "expected": None, "actual": "tcp:22:0.0.0.0/0"}
}


def _critical_sg(s: Scenario) -> Any:
    return s.add_drift(
        resource_type="SECURITY_GROUP",
        resource_id="sg-0a1b2c3d4e5f60718",
        severity="critical",
        difference=SG_DIFF,
        expected_state={"ingress": []},
        actual_state={"ingress": ["tcp:22:0.0.0.0/0"]},
    )


def test_exact_payloads_reach_each_channel(
    scenario: Callable[..., Scenario], http_server: RecordingServer, smtp_server: SmtpServer
) -> None:
    s = scenario(channels=("slack", "email", "pagerduty", "webhook"), smtp=smtp_server)
    drift = _critical_sg(s)
    alert = s.raise_alert(drift)
    assert {row.channel for row in s.outbox()} == {"slack", "email", "pagerduty", "webhook"}

    result = s.cli("alerts", "send")

    assert result.exit_code == 0, result.stderr
    title = "Critical drift on SECURITY_GROUP sg-0a1b2c3d4e5f60718"
    message = (
        "SECURITY_GROUP sg-0a1b2c3d4e5f60718 in us-east-1 is modified: ingress[tcp:22:0.0.0.0/0]"
    )
    # PagerDuty: the whole Events v2 body, dedup_key = the drift's fingerprint.
    (pd,) = s.bodies("/pd")
    assert pd == {
        "routing_key": PD_KEY,
        "event_action": "trigger",
        "dedup_key": drift.fingerprint,
        "client": "driftctl",
        "payload": {
            "summary": title,
            "source": "driftctl",
            "severity": "critical",
            "component": "sg-0a1b2c3d4e5f60718",
            "group": "SECURITY_GROUP",
            "class": "drift_detected",
            "custom_details": {
                "alert_id": str(alert.id),
                "alert_type": "drift_detected",
                "drift_id": str(drift.id),
                "drift_type": "modified",
                "status": "detected",
                "region": "us-east-1",
                "account_id": "123456789012",
                "message": message,
                "differences": {"ingress[tcp:22:0.0.0.0/0]": "(absent) → tcp:22:0.0.0.0/0"},
            },
        },
    }
    # Webhook: the exact signed bytes.
    (hook,) = [r for r in http_server.requests if r.path == "/hook"]
    expected_body = {
        "alert": {
            "id": str(alert.id),
            "type": "drift_detected",
            "severity": "critical",
            "title": title,
            "message": message,
        },
        "drift": {
            "id": str(drift.id),
            "resource_type": "SECURITY_GROUP",
            "resource_id": "sg-0a1b2c3d4e5f60718",
            "region": "us-east-1",
            "account_id": "123456789012",
            "drift_type": "modified",
            "status": "detected",
            "difference": SG_DIFF,
            "fingerprint": drift.fingerprint,
        },
        "event": "trigger",
    }
    raw = json.dumps(expected_body, sort_keys=True, separators=(",", ":")).encode()
    assert hook.body == raw
    digest = hmac.new(HOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert hook.headers["x-driftctl-signature"] == f"sha256={digest}"
    assert hook.headers["x-driftctl-event"] == "trigger"
    # Slack: posted to the secret webhook path, with the title and the approval commands.
    (slack_req,) = [r for r in http_server.requests if r.path == SLACK_PATH]
    slack = json.loads(slack_req.body)
    assert slack["text"] == (
        f":red_circle: [driftctl] CRITICAL: {title} — SECURITY_GROUP sg-0a1b2c3d4e5f60718 "
        "(us-east-1)"
    )
    assert slack["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"CRITICAL: {title}", "emoji": True},
    }
    assert {"type": "mrkdwn", "text": f"`driftctl show {drift.id}`"} in slack["blocks"][-1][
        "elements"
    ]
    # E-mail: one message to the configured recipient.
    (mail,) = smtp_server.handler.messages
    parsed: Message = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert mail.rcpt_tos == ["platform@example.com"]
    assert str(parsed["Subject"]).strip() == f"[driftctl] CRITICAL {title}"
    assert parsed["X-Driftctl-Alert-Id"] == str(alert.id)

    rows = s.outbox()
    assert {r.status for r in rows} == {"sent"}
    assert all(r.attempts == 1 and r.sent_at is not None and r.last_error is None for r in rows)
    (stored,) = s.alerts()
    assert (stored.notified_slack, stored.notified_email, stored.notified_pagerduty) == (
        True,
        True,
        True,
    )
    # Nothing is due any more: a second run sends nothing and succeeds.
    again = s.cli("alerts", "send")
    assert again.exit_code == 0
    assert len(http_server.requests) == 3


@BOTH_ENGINES
def test_pagerduty_resolve_after_approve(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("pagerduty", "slack"))
    drift = _critical_sg(s)
    s.raise_alert(drift)
    assert s.cli("alerts", "send").exit_code == 0

    approved = s.cli("approve", str(drift.id)[:8], "--reason", "opened on purpose for a migration")
    assert approved.exit_code == 0, approved.stderr
    resolve_rows = [r for r in s.outbox() if r.event == "resolve"]
    assert [(r.channel, r.status) for r in resolve_rows] == [("pagerduty", "pending")]

    assert s.cli("alerts", "send").exit_code == 0
    assert s.bodies("/pd")[-1] == {
        "routing_key": PD_KEY,
        "event_action": "resolve",
        "dedup_key": drift.fingerprint,
    }
    # Slack is not told twice, and the resolve goes out once.
    assert s.cli("alerts", "send").exit_code == 0
    assert len([r for r in http_server.requests if r.path == SLACK_PATH]) == 1
    assert [b["event_action"] for b in s.bodies("/pd")] == ["trigger", "resolve"]


@BOTH_ENGINES
def test_opsgenie_alert_per_drift_closed_on_approve(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("opsgenie", "teams"))
    http_server.answer(202, b'{"result":"Request will be processed"}')
    drift = _critical_sg(s)
    s.raise_alert(drift)
    assert s.cli("alerts", "send").exit_code == 0
    [create] = [r for r in http_server.requests if r.path.startswith("/og")]
    assert create.path == "/og/v2/alerts"
    assert create.headers["authorization"] == f"GenieKey {PD_KEY}"
    assert json.loads(create.body)["alias"] == drift.fingerprint

    approved = s.cli("approve", str(drift.id)[:8], "--reason", "opened on purpose for a migration")
    assert approved.exit_code == 0, approved.stderr
    resolve_rows = [r for r in s.outbox() if r.event == "resolve"]
    # Opsgenie closes its alert like PagerDuty resolves; Teams only posts messages.
    assert [(r.channel, r.status) for r in resolve_rows] == [("opsgenie", "pending")]
    assert s.cli("alerts", "send").exit_code == 0
    og = [r.path for r in http_server.requests if r.path.startswith("/og")]
    assert og == ["/og/v2/alerts", f"/og/v2/alerts/{drift.fingerprint}/close?identifierType=alias"]
    assert len([r for r in http_server.requests if r.path == "/teams"]) == 1
    listed = s.cli("alerts", "-o", "json")
    assert listed.json()["items"][0]["notified_channels"] == ["opsgenie", "teams"]


def test_a_trigger_not_yet_sent_is_cancelled_by_approval(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("pagerduty",))
    drift = _critical_sg(s)
    s.raise_alert(drift)
    s.cli("approve", str(drift.id), "--reason", "accepted before anyone was paged")

    (row,) = s.outbox()
    assert row.status == "failed"
    assert row.last_error is not None and row.last_error.startswith("cancelled")
    assert s.cli("alerts", "send").exit_code == 0
    assert http_server.requests == []


@BOTH_ENGINES
def test_http_500_schedules_a_retry_with_backoff(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("webhook",))
    s.raise_alert(_critical_sg(s))
    http_server.answer(500, b"upstream exploded")

    before = utcnow()
    result = s.cli("alerts", "send")
    after = utcnow()

    assert result.exit_code == 6
    assert "not delivered" in result.stderr
    (row,) = s.outbox()
    assert row.status == "pending"
    assert row.attempts == 1
    assert row.claimed_until is None
    assert row.last_error is not None and "HTTP 500" in row.last_error
    assert before + timedelta(minutes=1) <= row.next_attempt_at <= after + timedelta(minutes=1)
    # Not due yet: a run now sends nothing, and nothing due is left undelivered.
    assert s.cli("alerts", "send").exit_code == 0
    assert len(http_server.requests) == 1

    # The second failure doubles the delay.
    s.make_due()
    before = utcnow()
    assert s.cli("alerts", "send").exit_code == 6
    (row,) = s.outbox()
    assert row.attempts == 2
    assert row.next_attempt_at >= before + timedelta(minutes=2)

    http_server.answer(200, b"ok")
    s.make_due()
    assert s.cli("alerts", "send").exit_code == 0
    (row,) = s.outbox()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_backoff_doubles_and_is_capped_at_an_hour() -> None:
    from driftctl.services.alerts import backoff

    assert [backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_http_429_is_retried(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("webhook",))
    s.raise_alert(_critical_sg(s))
    http_server.answer(429, b"slow down", headers={"Retry-After": "0"})
    assert s.cli("alerts", "send").exit_code == 6
    # Retried within the run after Retry-After a few times, then left for a later run.
    (row,) = s.outbox()
    assert (row.status, row.attempts) == ("pending", 6)
    assert len(http_server.requests) == 6
    assert row.next_attempt_at > utcnow() + timedelta(seconds=60)


@BOTH_ENGINES
def test_http_400_fails_permanently_with_last_error(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("pagerduty",))
    s.raise_alert(_critical_sg(s))
    http_server.answer(400, b'{"status":"invalid event","message":"Event object is invalid"}')

    result = s.cli("alerts", "send", "-o", "json")

    assert result.exit_code == 6
    report = result.json()
    assert (report["failed"], report["delivered"]) == (1, 0)
    (row,) = s.outbox()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error is not None
    assert "HTTP 400" in row.last_error and "Event object is invalid" in row.last_error
    # A failed row is not retried.
    assert s.cli("alerts", "send").exit_code == 0
    assert len(http_server.requests) == 1


def test_gives_up_after_max_attempts(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("webhook",), alerts={"max_attempts": 2})
    s.raise_alert(_critical_sg(s))
    http_server.answer(503)
    assert s.cli("alerts", "send").exit_code == 6
    s.make_due()
    assert s.cli("alerts", "send").exit_code == 6
    (row,) = s.outbox()
    assert (row.status, row.attempts) == ("failed", 2)


def test_a_hanging_endpoint_times_out_and_is_retried(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("webhook",), alerts={"send_timeout": 0.5})
    s.raise_alert(_critical_sg(s))
    http_server.hang()
    assert s.cli("alerts", "send").exit_code == 6
    (row,) = s.outbox()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error is not None and "timed out" in row.last_error


def test_a_dead_channel_is_left_alone_after_a_few_failures(
    scenario: Callable[..., Scenario], refused_url: str
) -> None:
    s = scenario(channels=("webhook",), url=refused_url.rsplit("/", 1)[0])
    for _ in range(6):
        s.raise_alert(_critical_sg_unique(s))

    result = s.cli("alerts", "send", "--workers", "1", "-o", "json")

    assert result.exit_code == 6
    report = result.json()
    # Three refused connections trip the channel; the rest wait without spending an attempt.
    assert (report["retrying"], report["held"], report["still_due"]) == (3, 3, 3)
    assert sorted(r.attempts for r in s.outbox()) == [0, 0, 0, 1, 1, 1]
    assert all(r.status == "pending" and r.claimed_until is None for r in s.outbox())


def _critical_sg_unique(s: Scenario) -> Any:
    return s.add_drift(resource_type="SECURITY_GROUP", severity="critical", difference=SG_DIFF)


def test_missing_secret_keeps_rows_pending_without_spending_attempts(
    scenario: Callable[..., Scenario],
    http_server: RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = scenario(channels=("slack", "webhook"))
    s.raise_alert(_critical_sg(s))
    monkeypatch.delenv("DRIFTCTL_SECRET_SLACK_WEBHOOK")

    result = s.cli("alerts", "send")

    assert result.exit_code == 6
    assert "DRIFTCTL_SECRET_SLACK_WEBHOOK" in result.stderr
    rows = {r.channel: r for r in s.outbox()}
    assert (rows["webhook"].status, rows["webhook"].attempts) == ("sent", 1)
    slack = rows["slack"]
    assert (slack.status, slack.attempts, slack.claimed_until) == ("pending", 0, None)
    assert slack.last_error is not None and "DRIFTCTL_SECRET_SLACK_WEBHOOK" in slack.last_error

    monkeypatch.setenv("DRIFTCTL_SECRET_SLACK_WEBHOOK", http_server.url(SLACK_PATH))
    assert s.cli("alerts", "send").exit_code == 0
    assert {r.status for r in s.outbox()} == {"sent"}


def test_dry_run_shows_without_sending_or_claiming(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("slack", "webhook"))
    alert = s.raise_alert(_critical_sg(s))

    result = s.cli("alerts", "send", "--dry-run", "-o", "json")

    assert result.exit_code == 0, result.stderr
    planned = result.json()["would_send"]
    assert sorted((p["channel"], p["alert_id"]) for p in planned) == [
        ("slack", str(alert.id)),
        ("webhook", str(alert.id)),
    ]
    assert http_server.requests == []
    assert all(r.claimed_until is None and r.status == "pending" for r in s.outbox())
    table = s.cli("alerts", "send", "--dry-run")
    assert table.exit_code == 0
    assert "would send 2 notification(s)" in table.stderr


def test_channel_filters_decide_which_rows_are_written(
    scenario: Callable[..., Scenario],
) -> None:
    s = scenario(channels=("slack", "webhook"), min_severity="critical")
    s.raise_alert(s.add_drift(severity="warning"))
    assert s.outbox() == []
    s.raise_alert(_critical_sg(s))
    assert sorted(r.channel for r in s.outbox()) == ["slack", "webhook"]


def test_alerts_test_command(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("pagerduty", "webhook"))

    ok = s.cli("alerts", "test", "pagerduty")

    assert ok.exit_code == 0, ok.stderr
    trigger, resolve = s.bodies("/pd")
    assert trigger["event_action"] == "trigger"
    assert trigger["payload"]["summary"] == "driftctl test notification"
    assert resolve == {
        "routing_key": PD_KEY,
        "event_action": "resolve",
        "dedup_key": trigger["dedup_key"],
    }
    assert s.outbox() == []  # a test is not queued

    http_server.answer(500)
    failed = s.cli("alerts", "test", "webhook")
    assert failed.exit_code == 6
    assert "HTTP 500" in failed.stderr
    assert s.cli("alerts", "test", "slack").exit_code == 2  # not configured
    assert s.cli("alerts", "test", "fax").exit_code == 2
