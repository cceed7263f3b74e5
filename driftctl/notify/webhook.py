"""Generic webhook: a signed JSON POST for receivers of your own.

Request (stable; fields are only ever added):

    POST <url>
    Content-Type: application/json
    User-Agent: driftctl/<version>
    X-Driftctl-Event: trigger | resolve
    X-Driftctl-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, key = signing_secret>

    {"alert": {"id", "type", "severity", "title", "message"},
     "drift": {"id", "resource_type", "resource_id", "region", "account_id", "drift_type",
               "status", "difference", "fingerprint"},
     "event": "trigger" | "resolve"}

The body is UTF-8 JSON with sorted keys. Receivers must verify the signature over the raw body
they received (not a re-serialisation) with a constant-time comparison, e.g. Python's
``hmac.compare_digest``. Any 2xx answer is success.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from pydantic import Field, field_validator

from driftctl.notify import _http
from driftctl.notify.channel import ChannelConfig, check_http_url
from driftctl.notify.message import Notification
from driftctl.notify.registry import Capabilities, Channel

CHANNEL = "webhook"
SIGNATURE_HEADER = "X-Driftctl-Signature"
EVENT_HEADER = "X-Driftctl-Event"


class WebhookConfig(ChannelConfig):
    """``[notify.webhook]``: the receiver's URL and the shared signing secret."""

    # The URL is treated as a secret too: receivers often carry a token in its path or query.
    secret_fields = ("url", "signing_secret")

    url: str
    signing_secret: str = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_http_url(value)


def build_body(note: Notification) -> bytes:
    """Return the exact bytes posted for NOTE (the shape in this module's docstring)."""
    body: dict[str, Any] = {
        "alert": {
            "id": note.alert_id,
            "type": note.alert_type.value,
            "severity": note.severity.value,
            "title": note.title,
            "message": note.message,
        },
        "drift": dict(note.drift),
        "event": note.event,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def signature(body: bytes, secret: str) -> str:
    """Return the X-Driftctl-Signature value for BODY: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send(note: Notification, cfg: WebhookConfig, *, timeout: float = 10) -> None:
    """POST NOTE, signed, to the webhook URL; raises DeliveryError (no secret in its message)."""
    cfg.require_resolved(CHANNEL)
    body = build_body(note)
    headers = {
        SIGNATURE_HEADER: signature(body, cfg.signing_secret),
        EVENT_HEADER: note.event,
    }
    _http.post(
        cfg.url,
        body,
        channel=CHANNEL,
        timeout=timeout,
        headers=headers,
        secrets=cfg.secret_values(),
    )


PLUGIN = Channel(
    name=CHANNEL,
    config=WebhookConfig,
    send=send,
    capabilities=Capabilities(digests=False),
    summary="generic signed JSON webhook",
)
