"""approval_needed: raised once for warning+ drifts left undecided too long."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from driftctl.db.types import utcnow
from driftctl.errors import ValidationError
from driftctl.services import alerts as svc
from tests.alerts.alerts_helpers import BOTH_ENGINES, Scenario
from tests.notify.notify_helpers import RecordingServer


@BOTH_ENGINES
def test_raised_once_for_an_old_undecided_warning_drift(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("webhook",), min_severity="warning")
    two_days_ago = utcnow() - timedelta(days=2)
    old = s.add_drift(severity="warning", detected_at=two_days_ago)
    triaged = s.add_drift(severity="critical", status="triaged", detected_at=two_days_ago)
    s.add_drift(severity="warning", detected_at=utcnow() - timedelta(hours=2))  # too young
    s.add_drift(severity="info", detected_at=two_days_ago)  # below warning
    s.add_drift(severity="warning", status="approved", detected_at=two_days_ago)  # decided

    first = s.cli("alerts", "send", "-o", "json")

    assert first.exit_code == 0, first.stderr
    assert first.json()["approval_alerts_raised"] == 2
    alerts = s.alerts()
    assert sorted((str(a.drift_id), a.type) for a in alerts) == sorted(
        [(str(old.id), "approval_needed"), (str(triaged.id), "approval_needed")]
    )
    by_drift = {a.drift_id: a for a in alerts}
    assert by_drift[old.id].severity == "warning"
    assert by_drift[old.id].title == f"Approval needed: warning drift on EC2 {old.resource_id}"
    assert "detected for 2 days without a decision" in by_drift[old.id].message
    assert sorted(b["alert"]["type"] for b in s.bodies("/hook")) == ["approval_needed"] * 2

    # Later runs (and scans) do not raise it again while that alert exists.
    second = s.cli("alerts", "send", "-o", "json")
    assert second.json()["approval_alerts_raised"] == 0
    with s.ctx.write() as session:
        assert svc.raise_approval_needed(session, s.ctx.settings, now=utcnow()) == []
    assert len(s.alerts()) == 2
    assert len(http_server.requests) == 2


def test_approval_after_is_configurable(scenario: Callable[..., Scenario]) -> None:
    s = scenario(channels=("webhook",), alerts={"approval_after": "1h"})
    drift = s.add_drift(severity="warning", detected_at=utcnow() - timedelta(hours=2))
    with s.ctx.write() as session:
        (alert,) = svc.raise_approval_needed(session, s.ctx.settings, now=utcnow())
    assert alert.drift_id == drift.id
    # min_severity of the channel (info here) decides delivery: one outbox row.
    assert [r.channel for r in s.outbox()] == ["webhook"]


def test_scan_raises_approval_needed_too(
    scenario: Callable[..., Scenario], run_scan: Callable[[Any], Any]
) -> None:
    s = scenario(channels=("webhook",))
    old = s.add_drift(severity="warning", detected_at=utcnow() - timedelta(days=3))
    run_scan(s.ctx)
    types = {(a.drift_id, a.type) for a in s.alerts()}
    assert (old.id, "approval_needed") in types


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"min_severity": "loud"}, "alerts.min_severity"),
        ({"approval_after": "tomorrow"}, "alerts.approval_after"),
        ({"approval_after": "0h"}, "alerts.approval_after"),
        ({"max_attempts": 0}, "alerts.max_attempts"),
        ({"send_timeout": -1}, "alerts.send_timeout"),
        ({"retries": 3}, "alerts.retries"),
    ],
)
def test_bad_alerts_settings_are_refused(
    db_url: str, config_path: Path, table: dict[str, Any], message: str
) -> None:
    from driftctl.config import load_settings
    from tests.alerts.alerts_helpers import write_config
    from tests.conftest import run_cli

    write_config(config_path, notify={}, alerts=table)
    # Refused when the file is loaded, by every command alike (not only by the ones that send).
    with pytest.raises(ValidationError) as info:
        load_settings(config_path=config_path, database_url=db_url)
    assert message in info.value.message
    assert str(config_path) in info.value.message
    for command in (["alerts", "send"], ["list"]):
        result = run_cli([*command, "--db", db_url, "--config", str(config_path)])
        assert result.exit_code == 2, command
        assert message in result.stderr
        assert result.stdout == ""
