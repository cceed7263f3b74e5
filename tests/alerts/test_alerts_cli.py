"""`alerts` listing, `alerts read`, and `alerts --follow`."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from driftctl.db.models import AuditLog
from driftctl.db.types import utcnow
from driftctl.domain import Role
from driftctl.errors import ForbiddenError
from driftctl.services import alerts as svc
from driftctl.services.context import Actor
from tests.alerts.alerts_helpers import BOTH_ENGINES, Scenario, driftctl_command


def _three_alerts(s: Scenario) -> list[Any]:
    now = utcnow()
    crit = s.add_drift(severity="critical", resource_id="sg-0aaaaaaaaaaaaaaaa")
    warn = s.add_drift(severity="warning")
    return [
        s.raise_alert(crit, created_at=now - timedelta(minutes=3)),
        s.raise_alert(warn, created_at=now - timedelta(minutes=2)),
        s.raise_alert(
            warn,
            type="approval_needed",
            title="Approval needed",
            created_at=now - timedelta(minutes=1),
        ),
    ]


def test_list_json_envelope_filters_and_paging(scenario: Callable[..., Scenario]) -> None:
    s = scenario(channels=("webhook",))
    crit, warn, approval = _three_alerts(s)

    result = s.cli("alerts", "-o", "json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["pagination"] == {
        "total": 3,
        "page": 1,
        "page_size": 20,
        "total_pages": 1,
        "has_more": False,
    }
    assert [i["id"] for i in data["items"]] == [str(approval.id), str(warn.id), str(crit.id)]
    first = data["items"][-1]
    for key in ("drift_id", "type", "severity", "title", "message", "is_read", "read_at"):
        assert key in first
    assert first["notified_slack"] is False
    assert first["resource_id"] == "sg-0aaaaaaaaaaaaaaaa"
    assert first["created_at"].endswith("+00:00")

    only_crit = s.cli("alerts", "--severity", "critical", "-o", "json").json()
    assert [i["id"] for i in only_crit["items"]] == [str(crit.id)]
    approvals = s.cli("alerts", "--type", "approval_needed", "-o", "json").json()
    assert [i["id"] for i in approvals["items"]] == [str(approval.id)]
    page2 = s.cli("alerts", "--limit", "2", "--page", "2", "-o", "json").json()
    assert [i["id"] for i in page2["items"]] == [str(crit.id)]
    assert page2["pagination"]["has_more"] is False

    table = s.cli("alerts")
    assert table.exit_code == 0
    assert str(crit.id)[:8] in table.stdout
    assert "3 alerts" in table.stderr

    assert s.cli("alerts", "--severity", "loud").exit_code == 2
    assert s.cli("alerts", "--type", "remediation_failed", "-o", "json").json()["items"] == []
    assert s.cli("alerts", "--limit", "500").exit_code == 2


@BOTH_ENGINES
def test_read_by_prefix_and_all(scenario: Callable[..., Scenario]) -> None:
    s = scenario(channels=("webhook",))
    crit, warn, approval = _three_alerts(s)

    one = s.cli("alerts", "read", str(crit.id)[:8])

    assert one.exit_code == 0, one.stderr
    assert one.stdout == f"read {crit.id}\n"
    unread = s.cli("alerts", "--unread", "-o", "json").json()
    assert {i["id"] for i in unread["items"]} == {str(warn.id), str(approval.id)}

    again = s.cli("alerts", "read", str(crit.id), "-o", "json")
    assert again.json() == {"marked": [], "already_read": [str(crit.id)]}

    everything = s.cli("alerts", "read", "--all", "-o", "json")
    assert sorted(everything.json()["marked"]) == sorted([str(warn.id), str(approval.id)])
    assert s.cli("alerts", "--unread", "-o", "json").json()["items"] == []
    stored = {a.id: a for a in s.alerts()}
    assert all(a.is_read and a.read_at is not None for a in stored.values())

    with s.ctx.read() as session:
        rows = list(
            session.execute(
                select(AuditLog).where(col(AuditLog.action) == "alert_read").order_by(AuditLog.seq)
            ).scalars()
        )
    assert [r.new_value["alert_id"] for r in rows if r.new_value] == [
        str(crit.id),
        *sorted([str(warn.id), str(approval.id)]),
    ]
    assert rows[0].drift_id == crit.drift_id
    assert s.cli("audit", "verify").exit_code == 0


def test_read_errors(scenario: Callable[..., Scenario]) -> None:
    s = scenario(channels=("webhook",))
    _three_alerts(s)
    assert s.cli("alerts", "read", str(uuid.uuid4())).exit_code == 3
    assert s.cli("alerts", "read", "ffffffff").exit_code == 3
    assert s.cli("alerts", "read", "abc").exit_code == 2  # prefix too short
    assert s.cli("alerts", "read", "not-an-id!").exit_code == 2
    assert s.cli("alerts", "read").exit_code == 2
    both = s.cli("alerts", "read", "--all", "abcdef12")
    assert both.exit_code == 2
    # All or nothing: one unknown id leaves the known one unread.
    (first, *_) = s.alerts()
    assert s.cli("alerts", "read", str(first.id), str(uuid.uuid4())).exit_code == 3
    assert s.alerts()[0].is_read is False


def test_viewers_cannot_read_or_send(scenario: Callable[..., Scenario]) -> None:
    s = scenario(channels=("webhook",))
    _three_alerts(s)
    s.ctx.actor = Actor(email="viewer@example.com", role=Role.VIEWER, id=None)
    with pytest.raises(ForbiddenError):
        svc.mark_read(s.ctx, [], all_unread=True)
    with pytest.raises(ForbiddenError):
        svc.send_pending(s.ctx)
    assert svc.list_alerts(s.ctx).total == 3  # listing is fine


def _start_follow(s: Scenario, *extra: str) -> subprocess.Popen[str]:
    args = ["alerts", "--follow", "--max-events", "1", "--poll-interval", "0.1", *extra]
    proc = subprocess.Popen(
        [*driftctl_command(), *args, "--db", s.db_url, "--config", str(s.config_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    # The follower says so once it is watching; alerts raised after that line are streamed.
    line = proc.stderr.readline()
    assert "following new alerts" in line, line + proc.stderr.read()
    return proc


@BOTH_ENGINES
def test_follow_streams_an_alert_raised_by_another_connection(
    scenario: Callable[..., Scenario],
) -> None:
    s = scenario(channels=("webhook",))
    old = s.raise_alert(s.add_drift(severity="critical"))  # before following: not shown
    proc = _start_follow(s, "-o", "json")
    try:
        new = s.raise_alert(s.add_drift(severity="critical", resource_id="sg-0fff000111222333"))
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    (line,) = out.splitlines()
    item = json.loads(line)
    assert item["id"] == str(new.id) != str(old.id)
    assert item["resource_id"] == "sg-0fff000111222333"


def test_follow_table_lines(scenario: Callable[..., Scenario]) -> None:
    s = scenario(channels=("webhook",))
    proc = _start_follow(s)
    try:
        new = s.raise_alert(s.add_drift(severity="critical", resource_id="i-0123\x1b[31mred"))
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    (line,) = out.splitlines()
    assert "critical  drift_detected  " + str(new.id)[:8] in line
    assert "\x1b" not in line and "\\x1b[31mred" in line
