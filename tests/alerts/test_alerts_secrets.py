"""`secret set|list|delete`, headless machines, and no secret anywhere it should not be."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from driftctl.db.models import metadata
from tests.alerts.alerts_helpers import PD_KEY, SECRET_ENV, SECRETS, SLACK_PATH, Scenario
from tests.conftest import run_cli
from tests.fakes import MemoryKeyring
from tests.notify.notify_helpers import Recorded, RecordingServer


def test_secret_set_refuses_without_a_keyring() -> None:
    result = run_cli(["secret", "set", "slack_webhook"], stdin="https://hooks.example/x\n")
    assert result.exit_code == 2
    assert "DRIFTCTL_SECRET_SLACK_WEBHOOK" in result.stderr
    assert "no system keyring" in result.stderr
    assert "hooks.example" not in result.stdout + result.stderr
    assert run_cli(["secret", "set", "bad name"], stdin="x\n").exit_code == 2


def test_env_var_is_used_without_a_keyring(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("pagerduty",))
    s.raise_alert(s.add_drift(severity="critical"))
    assert s.cli("alerts", "send").exit_code == 0
    assert s.bodies("/pd")[0]["routing_key"] == PD_KEY
    listing = s.cli("secret", "list", "-o", "json")
    assert listing.exit_code == 0, listing.stderr
    (item,) = listing.json()["items"]
    assert item == {
        "name": "pd_key",
        "env_var": "DRIFTCTL_SECRET_PD_KEY",
        "found_in": ["env"],
        "used_by": ["notify.pagerduty.routing_key"],
    }
    assert PD_KEY not in listing.stdout


def test_keyring_set_list_use_delete(
    scenario: Callable[..., Scenario],
    http_server: RecordingServer,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = scenario(channels=("pagerduty",))
    monkeypatch.delenv(SECRET_ENV["pd_key"])
    stored = s.cli("secret", "set", "pd_key", stdin="key-from-the-keyring-91\nignored\n")
    assert stored.exit_code == 0, stored.stderr
    assert memory_keyring.get_password("driftctl", "pd_key") == "key-from-the-keyring-91"

    table = s.cli("secret", "list")
    assert "pd_key" in table.stdout and "keyring" in table.stdout
    assert "key-from-the-keyring-91" not in table.stdout + table.stderr

    s.raise_alert(s.add_drift(severity="critical"))
    assert s.cli("alerts", "send").exit_code == 0
    assert s.bodies("/pd")[0]["routing_key"] == "key-from-the-keyring-91"

    assert s.cli("secret", "delete", "pd_key").exit_code == 0
    assert memory_keyring.get_password("driftctl", "pd_key") is None
    assert s.cli("secret", "delete", "pd_key").exit_code == 3
    assert s.cli("secret", "list", "-o", "json").json()["items"][0]["found_in"] == []


def _dump_database(s: Scenario) -> str:
    parts: list[str] = []
    with s.ctx.read() as session:
        for table in metadata.sorted_tables:
            for row in session.execute(select(table)):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_no_secret_in_output_logs_or_database(
    scenario: Callable[..., Scenario], http_server: RecordingServer
) -> None:
    s = scenario(channels=("slack", "pagerduty", "webhook"))
    for _ in range(2):
        s.raise_alert(s.add_drift(severity="critical"))

    def echo(req: Recorded) -> bytes:
        # A hostile or careless endpoint that repeats what it was sent, secrets included.
        return req.path.encode() + b" " + req.body

    http_server.answer(500, echo)
    runs: list[Any] = [
        s.cli("alerts", "send", "-v", "--workers", "1"),
        s.cli("alerts", "send", "-o", "json", "-v"),
        s.cli("alerts", "test", "pagerduty", "-v"),
        s.cli("alerts", "test", "slack", "-o", "json", "-v"),
        s.cli("secret", "list", "-o", "json"),
    ]
    http_server.answer(400, echo)
    s.make_due()
    runs.append(s.cli("alerts", "send", "-o", "json", "-v"))
    runs.append(s.cli("alerts", "-o", "json"))

    assert any(r.exit_code == 6 for r in runs)
    assert any("HTTP 500" in r.stderr for r in runs)  # the errors themselves are reported
    captured = "\n".join(r.stdout + r.stderr for r in runs)
    database = _dump_database(s)
    assert "HTTP 400" in database
    for secret in SECRETS:
        assert secret not in captured
        assert secret not in database
    assert SLACK_PATH.split("/")[-1] not in captured + database
