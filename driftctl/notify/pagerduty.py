"""PagerDuty Events API v2: trigger an incident per drift, resolve it when the drift is resolved.

The drift's fingerprint is the ``dedup_key``, so repeated alerts for one open drift update one
incident and a resolve event closes it. PagerDuty answers 202 on success.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, field_validator

from driftctl.notify import _http
from driftctl.notify.channel import IncidentConfig, check_http_url
from driftctl.notify.message import Notification, clean, difference_lines
from driftctl.notify.registry import Capabilities, Channel

CHANNEL = "pagerduty"
DEFAULT_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
_SUMMARY_LIMIT = 1024  # PagerDuty's limit
_DEDUP_LIMIT = 255  # PagerDuty's limit


class PagerDutyConfig(IncidentConfig):
    """``[notify.pagerduty]``: an Events v2 routing key (normally ``secret:NAME``)."""

    secret_fields = ("routing_key",)

    routing_key: str = Field(min_length=1)
    events_url: str = DEFAULT_EVENTS_URL

    @field_validator("events_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_http_url(value)


def dedup_key(note: Notification) -> str:
    """The incident key for NOTE's drift: its fingerprint (or its id if it has none)."""
    key = note.drift["fingerprint"] or f"driftctl:{note.drift['id']}"
    return key[:_DEDUP_LIMIT]


def build_event(note: Notification, routing_key: str) -> dict[str, Any]:
    """Return the Events v2 body for NOTE (a resolve event carries only the keys it needs)."""
    if note.event == "resolve":
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup_key(note)}
    drift = note.drift
    diff = difference_lines(drift["difference"])
    details: dict[str, Any] = {
        "alert_id": note.alert_id,
        "alert_type": note.alert_type.value,
        "drift_id": drift["id"],
        "drift_type": drift["drift_type"],
        "status": drift["status"],
        "region": drift["region"],
        "account_id": drift["account_id"],
        "message": clean(note.message),
        "differences": {e.path: f"{e.expected} → {e.actual}" for e in diff.entries},
    }
    if diff.omitted:
        details["differences_omitted"] = diff.omitted
    summary = clean(note.title) or f"driftctl: {drift['resource_type']} {drift['resource_id']}"
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key(note),
        "client": "driftctl",
        "payload": {
            "summary": summary[:_SUMMARY_LIMIT],
            "source": "driftctl",
            # Our severities are a subset of PagerDuty's (critical, error, warning, info).
            "severity": note.severity.value,
            "component": clean(drift["resource_id"]),
            "group": drift["resource_type"],
            "class": note.alert_type.value,
            "custom_details": details,
        },
    }


def send(note: Notification, cfg: PagerDutyConfig, *, timeout: float = 10) -> None:
    """Send NOTE as a trigger or resolve event; raises DeliveryError (no secret in its message)."""
    cfg.require_resolved(CHANNEL)
    body = json.dumps(build_event(note, cfg.routing_key), ensure_ascii=False).encode("utf-8")
    _http.post(cfg.events_url, body, channel=CHANNEL, timeout=timeout, secrets=cfg.secret_values())


PLUGIN = Channel(
    name=CHANNEL,
    config=PagerDutyConfig,
    send=send,
    capabilities=Capabilities(resolves=True, max_message_bytes=512 * 1024),
    summary="PagerDuty Events API v2 (one incident per drift, resolved when it is decided)",
)
