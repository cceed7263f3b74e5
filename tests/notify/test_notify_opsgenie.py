from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from driftctl.notify import opsgenie
from driftctl.notify.message import DeliveryError, Notification
from tests.notify.notify_helpers import RecordingServer

API_KEY = "0p5g3n1e-k3y-1234-5678-9abcdef01234"
FINGERPRINT = "3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a"


def cfg_for(server: RecordingServer) -> opsgenie.OpsgenieConfig:
    return opsgenie.OpsgenieConfig(api_key=API_KEY, api_url=server.url("/"))


def test_defaults() -> None:
    cfg = opsgenie.OpsgenieConfig(api_key="secret:og")
    assert cfg.api_url == "https://api.opsgenie.com"
    assert cfg.tags == ("driftctl",)


def test_create_uses_the_fingerprint_as_alias(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    http_server.answer(202, b'{"result":"Request will be processed","requestId":"r1"}')
    opsgenie.send(note(), cfg_for(http_server), timeout=5)

    [req] = http_server.requests
    assert (req.method, req.path) == ("POST", "/v2/alerts")
    assert req.headers["authorization"] == f"GenieKey {API_KEY}"
    body = json.loads(req.body)
    assert body["alias"] == FINGERPRINT
    assert body["priority"] == "P1"
    assert body["entity"] == "sg-0123456789abcdef0"
    assert len(body["message"]) <= 130
    assert "ingress[tcp:22:0.0.0.0/0]: (absent) → tcp:22:0.0.0.0/0" in body["description"]
    assert body["details"]["drift_id"] == "5f0c2a4e-1b7d-4c3e-9a51-2d8e6f1a9b03"


def test_resolve_closes_the_alert_by_alias(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    http_server.answer(202, b"{}")
    opsgenie.send(replace(note(), event="resolve"), cfg_for(http_server), timeout=5)
    [req] = http_server.requests
    assert req.path == f"/v2/alerts/{FINGERPRINT}/close?identifierType=alias"
    assert json.loads(req.body)["source"] == "driftctl"


@pytest.mark.parametrize(("status", "permanent"), [(422, True), (429, False), (503, False)])
def test_errors_never_show_the_key(
    http_server: RecordingServer,
    note: Callable[..., Notification],
    status: int,
    permanent: bool,
) -> None:
    http_server.answer(status, f'{{"message":"bad key {API_KEY}"}}'.encode())
    with pytest.raises(DeliveryError) as info:
        opsgenie.send(note(), cfg_for(http_server), timeout=5)
    assert info.value.permanent is permanent
    assert API_KEY not in info.value.message
