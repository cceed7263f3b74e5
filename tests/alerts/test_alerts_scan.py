"""Alerts raised by scans: rules, the outbox written in the scan's transaction, nothing lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from driftctl.services import drifts as drifts_svc
from tests.alerts.alerts_helpers import (
    BOTH_ENGINES,
    SG_PORT_22_WORLD,
    Scenario,
    channel_blocks,
    secret_env,
    write_config,
)
from tests.notify.notify_helpers import RecordingServer


def _alert_ids_in_bodies(s: Scenario) -> list[str]:
    return [b["alert"]["id"] for b in s.bodies("/hook")]


@BOTH_ENGINES
def test_channel_down_during_scan_loses_nothing(
    scenario: Callable[..., Scenario],
    run_scan: Callable[[Any], Any],
    http_server: RecordingServer,
    refused_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    down = refused_url.rsplit("/", 1)[0]
    s = scenario(channels=("webhook", "pagerduty"), url=down)

    outcome = run_scan(s.ctx)

    assert outcome.exit_code == 1  # drift found: the dead channel does not change that
    (drift,) = [d for d in outcome.result["drifts"] if d["severity"] == "critical"]
    assert drift["resource_type"] == "SECURITY_GROUP"
    (alert,) = s.alerts()
    assert (alert.type, alert.severity, str(alert.drift_id)) == (
        "drift_detected",
        "critical",
        drift["id"],
    )
    assert sorted((r.channel, r.status) for r in s.outbox()) == [
        ("pagerduty", "pending"),
        ("webhook", "pending"),
    ]

    # Sending while the channel is down: refused, kept for later.
    failed = s.cli("alerts", "send")
    assert failed.exit_code == 6
    assert "connection refused" in failed.stderr
    assert {(r.status, r.attempts) for r in s.outbox()} == {("pending", 1)}

    # The channel comes back (same config, now reachable).
    write_config(
        s.config_path, notify=channel_blocks(http_server, ("webhook", "pagerduty")), alerts={}
    )
    for name, value in secret_env(http_server.base_url).items():
        monkeypatch.setenv(name, value)
    s.make_due()
    assert s.cli("alerts", "send").exit_code == 0
    assert s.cli("alerts", "send").exit_code == 0  # a third run delivers nothing

    assert _alert_ids_in_bodies(s) == [str(alert.id)]
    assert [b["dedup_key"] for b in s.bodies("/pd")] == [drift["fingerprint"]]
    assert {r.status for r in s.outbox()} == {"sent"}
    (alert,) = s.alerts()
    assert alert.notified_pagerduty is True


def test_rescans_do_not_duplicate_and_min_severity_applies(
    scenario: Callable[..., Scenario],
    run_scan: Callable[[Any], Any],
    aws_account: dict[str, Any],
) -> None:
    s = scenario(channels=("webhook",))
    ec2 = aws_account["ec2"]
    # A warning-level drift too: the instance was resized outside Terraform.
    ec2.modify_instance_attribute(
        InstanceId=aws_account["instance"], InstanceType={"Value": "t3.large"}
    )

    first = run_scan(s.ctx)
    severities = sorted(d["severity"] for d in first.result["drifts"])
    assert severities == ["critical", "warning"]
    # Default [alerts] min_severity is critical: only the security group alerts.
    (alert,) = s.alerts()
    assert alert.severity == "critical"

    run_scan(s.ctx)
    assert len(s.alerts()) == 1  # merely seen again: no new alert
    assert len(s.outbox()) == 1


def test_min_severity_warning_alerts_on_warning_drifts(
    scenario: Callable[..., Scenario],
    run_scan: Callable[[Any], Any],
    aws_account: dict[str, Any],
) -> None:
    s = scenario(channels=("webhook",), alerts={"min_severity": "warning"})
    aws_account["ec2"].modify_instance_attribute(
        InstanceId=aws_account["instance"], InstanceType={"Value": "t3.large"}
    )
    run_scan(s.ctx)
    assert sorted(a.severity for a in s.alerts()) == ["critical", "warning"]


def test_a_reopened_drift_alerts_again(
    scenario: Callable[..., Scenario],
    run_scan: Callable[[Any], Any],
    aws_account: dict[str, Any],
) -> None:
    s = scenario(channels=("webhook",))
    first = run_scan(s.ctx)
    (drift,) = [d for d in first.result["drifts"] if d["severity"] == "critical"]
    drifts_svc.approve(s.ctx, [drift["id"]], reason="bastion access approved until Friday")
    run_scan(s.ctx)
    assert len(s.alerts()) == 1  # approved and unchanged: quiet

    # Someone opens RDP to the world as well: a different difference reopens the drift.
    aws_account["ec2"].authorize_security_group_ingress(
        GroupId=aws_account["sg"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 3389,
                "ToPort": 3389,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    again = run_scan(s.ctx)
    (reopened,) = [d for d in again.result["drifts"] if d["id"] == drift["id"]]
    assert reopened["status"] == "detected"
    alerts = s.alerts()
    assert [a.type for a in alerts] == ["drift_detected", "drift_detected"]
    assert {str(a.drift_id) for a in alerts} == {drift["id"]}
    assert len(s.outbox()) == 2


def test_a_scan_that_finds_the_fix_resolves_the_pagerduty_incident(
    scenario: Callable[..., Scenario],
    run_scan: Callable[[Any], Any],
    aws_account: dict[str, Any],
) -> None:
    s = scenario(channels=("pagerduty",))
    first = run_scan(s.ctx)
    (drift,) = [d for d in first.result["drifts"] if d["severity"] == "critical"]
    assert s.cli("alerts", "send").exit_code == 0

    # Someone closes port 22 again: the next scan resolves the drift by itself.
    aws_account["ec2"].revoke_security_group_ingress(
        GroupId=aws_account["sg"], IpPermissions=SG_PORT_22_WORLD
    )
    run_scan(s.ctx)

    assert s.cli("alerts", "send").exit_code == 0
    assert [(b["event_action"], b["dedup_key"]) for b in s.bodies("/pd")] == [
        ("trigger", drift["fingerprint"]),
        ("resolve", drift["fingerprint"]),
    ]
