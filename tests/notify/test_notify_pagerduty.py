from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from driftctl import __version__
from driftctl.notify import pagerduty
from driftctl.notify.message import DeliveryError, Notification
from tests.notify.notify_helpers import RecordingServer

ROUTING_KEY = "R0UT1NGKEY0123456789abcdef012345"
FINGERPRINT = "3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a"


def cfg_for(server: RecordingServer) -> pagerduty.PagerDutyConfig:
    return pagerduty.PagerDutyConfig(routing_key=ROUTING_KEY, events_url=server.url("/v2/enqueue"))


def test_default_events_url() -> None:
    cfg = pagerduty.PagerDutyConfig(routing_key="secret:pd")
    assert cfg.events_url == "https://events.pagerduty.com/v2/enqueue"


def test_trigger_event(http_server: RecordingServer, note: Callable[..., Notification]) -> None:
    http_server.answer(202, b'{"status":"success","message":"Event processed"}')
    pagerduty.send(note(), cfg_for(http_server), timeout=5)

    [req] = http_server.requests
    assert (req.method, req.path) == ("POST", "/v2/enqueue")
    assert req.headers["content-type"] == "application/json"
    assert req.headers["user-agent"] == f"driftctl/{__version__}"
    assert json.loads(req.body) == {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": FINGERPRINT,
        "client": "driftctl",
        "payload": {
            "summary": "sg-0123456789abcdef0 opens port 22 to 0.0.0.0/0",
            "source": "driftctl",
            "severity": "critical",
            "component": "sg-0123456789abcdef0",
            "group": "SECURITY_GROUP",
            "class": "drift_detected",
            "custom_details": {
                "alert_id": "a1b2c3d4-0000-4000-8000-000000000001",
                "alert_type": "drift_detected",
                "drift_id": "5f0c2a4e-1b7d-4c3e-9a51-2d8e6f1a9b03",
                "drift_type": "modified",
                "status": "detected",
                "region": "eu-west-1",
                "account_id": "123456789012",
                "message": "Ingress rule added outside Terraform.",
                "differences": {
                    "ingress[tcp:22:0.0.0.0/0]": "(absent) → tcp:22:0.0.0.0/0",
                    "tags.Owner": "platform → <!channel> & co",
                },
            },
        },
    }


@pytest.mark.parametrize(("ours", "theirs"), [("warning", "warning"), ("info", "info")])
def test_severity_mapping(
    http_server: RecordingServer, note: Callable[..., Notification], ours: str, theirs: str
) -> None:
    http_server.answer(202)
    pagerduty.send(note(severity=ours), cfg_for(http_server), timeout=5)
    assert json.loads(http_server.requests[0].body)["payload"]["severity"] == theirs


def test_resolve_event_carries_only_the_keys(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    http_server.answer(202)
    pagerduty.send(note(event="resolve"), cfg_for(http_server), timeout=5)
    assert json.loads(http_server.requests[0].body) == {
        "routing_key": ROUTING_KEY,
        "event_action": "resolve",
        "dedup_key": FINGERPRINT,
    }


def test_dedup_key_falls_back_to_drift_id(note: Callable[..., Notification]) -> None:
    n = note(drift={"fingerprint": ""})
    assert pagerduty.dedup_key(n) == "driftctl:5f0c2a4e-1b7d-4c3e-9a51-2d8e6f1a9b03"


def test_many_differences_are_capped(note: Callable[..., Notification]) -> None:
    difference = {f"tags.k{i:02d}": {"expected": None, "actual": "v"} for i in range(30)}
    event = pagerduty.build_event(note(drift={"difference": difference}), ROUTING_KEY)
    details = event["payload"]["custom_details"]
    assert len(details["differences"]) == 20
    assert details["differences_omitted"] == 10


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (429, False), (500, False)])
def test_errors_are_classified(
    http_server: RecordingServer,
    note: Callable[..., Notification],
    status: int,
    permanent: bool,
) -> None:
    http_server.answer(status, b'{"status":"invalid event","errors":["bad"]}')
    with pytest.raises(DeliveryError) as info:
        pagerduty.send(note(), cfg_for(http_server), timeout=5)
    assert (info.value.permanent, info.value.status) == (permanent, status)
    assert info.value.message.startswith(
        f"pagerduty: POST {http_server.base_url} answered HTTP {status}: "
    )


def test_timeout_and_refused_are_retryable(
    http_server: RecordingServer, refused_url: str, note: Callable[..., Notification]
) -> None:
    http_server.hang()
    with pytest.raises(DeliveryError) as info:
        pagerduty.send(note(), cfg_for(http_server), timeout=0.5)
    assert info.value.permanent is False
    refused = pagerduty.PagerDutyConfig(routing_key=ROUTING_KEY, events_url=refused_url)
    with pytest.raises(DeliveryError) as info:
        pagerduty.send(note(), refused, timeout=5)
    assert info.value.permanent is False
