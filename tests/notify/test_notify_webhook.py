from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

import pytest

from driftctl import __version__
from driftctl.notify import webhook
from driftctl.notify.message import DeliveryError, Notification
from tests.notify.notify_helpers import RecordingServer

SIGNING_SECRET = "whsec-7f3a9c2e-signing"


def cfg_for(url: str) -> webhook.WebhookConfig:
    return webhook.WebhookConfig(url=url, signing_secret=SIGNING_SECRET)


def test_signed_post(http_server: RecordingServer, note: Callable[..., Notification]) -> None:
    n = note()
    webhook.send(n, cfg_for(http_server.url("/driftctl?token=abc")), timeout=5)

    [req] = http_server.requests
    assert (req.method, req.path) == ("POST", "/driftctl?token=abc")
    assert req.headers["content-type"] == "application/json"
    assert req.headers["user-agent"] == f"driftctl/{__version__}"
    assert req.headers["x-driftctl-event"] == "trigger"
    # The receiver's check: HMAC-SHA256 over the exact bytes received.
    expected = hmac.new(SIGNING_SECRET.encode(), req.body, hashlib.sha256).hexdigest()
    assert req.headers["x-driftctl-signature"] == f"sha256={expected}"
    assert json.loads(req.body) == {
        "alert": {
            "id": "a1b2c3d4-0000-4000-8000-000000000001",
            "type": "drift_detected",
            "severity": "critical",
            "title": "sg-0123456789abcdef0 opens port 22 to 0.0.0.0/0",
            "message": "Ingress rule added outside Terraform.",
        },
        "drift": dict(n.drift),
        "event": "trigger",
    }


def test_body_is_stable_and_signature_depends_on_secret(
    note: Callable[..., Notification],
) -> None:
    body = webhook.build_body(note())
    assert body == webhook.build_body(note())
    assert body.startswith(b'{"alert":{"id":')  # sorted keys, compact separators
    assert webhook.signature(body, "a") != webhook.signature(body, "b")
    assert webhook.signature(body + b" ", "a") != webhook.signature(body, "a")


def test_resolve_event_header(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    webhook.send(note(event="resolve"), cfg_for(http_server.url()), timeout=5)
    req = http_server.requests[0]
    assert req.headers["x-driftctl-event"] == "resolve"
    assert json.loads(req.body)["event"] == "resolve"


@pytest.mark.parametrize(("status", "permanent"), [(401, True), (429, False), (502, False)])
def test_errors_hide_the_url_path(
    http_server: RecordingServer,
    note: Callable[..., Notification],
    status: int,
    permanent: bool,
) -> None:
    http_server.answer(status)
    with pytest.raises(DeliveryError) as info:
        webhook.send(note(), cfg_for(http_server.url("/hooks/tok3n-in-path")), timeout=5)
    assert info.value.permanent is permanent
    assert info.value.message == f"webhook: POST {http_server.base_url} answered HTTP {status}"


def test_timeout_is_retryable(
    http_server: RecordingServer, note: Callable[..., Notification]
) -> None:
    http_server.hang()
    with pytest.raises(DeliveryError) as info:
        webhook.send(note(), cfg_for(http_server.url("/h")), timeout=0.5)
    assert info.value.permanent is False
    assert "timed out" in info.value.message
