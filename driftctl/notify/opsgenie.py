"""Opsgenie Alert API v2: one alert per drift, closed when the drift is approved or resolved.

Create: ``POST {api_url}/v2/alerts`` with ``alias`` = the drift's fingerprint, so repeated
alerts for one open drift are de-duplicated by Opsgenie into one alert. Close: ``POST
{api_url}/v2/alerts/{alias}/close?identifierType=alias``. Both authenticate with
``Authorization: GenieKey <api_key>`` and are answered 202 (the request is queued). EU accounts
use ``api_url = "https://api.eu.opsgenie.com"``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from pydantic import Field, field_validator

from driftctl.notify import _http
from driftctl.notify.channel import IncidentConfig, check_http_url
from driftctl.notify.message import Notification, clean, difference_lines
from driftctl.notify.registry import Capabilities, Channel

CHANNEL = "opsgenie"
DEFAULT_API_URL = "https://api.opsgenie.com"
_MESSAGE_LIMIT = 130  # Opsgenie's limits
_ALIAS_LIMIT = 512
_DESCRIPTION_LIMIT = 15000
_DETAIL_LIMIT = 8000
PRIORITY = {"critical": "P1", "warning": "P3", "info": "P5"}


class OpsgenieConfig(IncidentConfig):
    """``[notify.opsgenie]``: an API integration key (normally ``secret:NAME``)."""

    secret_fields = ("api_key",)

    api_key: str = Field(min_length=1)
    api_url: str = DEFAULT_API_URL
    tags: tuple[str, ...] = ("driftctl",)

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_http_url(value).rstrip("/")


def alias(note: Notification) -> str:
    """The alert alias for NOTE's drift: its fingerprint (or its id if it has none)."""
    key = note.drift["fingerprint"] or f"driftctl:{note.drift['id']}"
    return key[:_ALIAS_LIMIT]


def build_create(note: Notification, cfg: OpsgenieConfig) -> dict[str, Any]:
    """The body of the create request for NOTE."""
    drift = note.drift
    diff = difference_lines(drift["difference"])
    lines = [clean(note.message), "", *diff.lines]
    if diff.omitted:
        lines.append(f"… and {diff.omitted} more")
    details = {
        "alert_id": note.alert_id,
        "alert_type": note.alert_type.value,
        "drift_id": drift["id"],
        "drift_type": drift["drift_type"],
        "status": drift["status"],
        "region": drift["region"],
        "account_id": drift["account_id"] or "",
        "resource_type": drift["resource_type"],
    }
    message = clean(note.title) or f"driftctl: {drift['resource_type']} {drift['resource_id']}"
    return {
        "message": message[:_MESSAGE_LIMIT],
        "alias": alias(note),
        "description": "\n".join(lines)[:_DESCRIPTION_LIMIT],
        "entity": clean(drift["resource_id"])[:_MESSAGE_LIMIT],
        "source": "driftctl",
        "priority": PRIORITY[note.severity.value],
        "tags": list(cfg.tags),
        "details": {k: clean(str(v))[:_DETAIL_LIMIT] for k, v in details.items()},
    }


def request_for(note: Notification, cfg: OpsgenieConfig) -> tuple[str, dict[str, Any]]:
    """(URL, body) of the request NOTE turns into: create for a trigger, close for a resolve."""
    if note.event == "resolve":
        url = f"{cfg.api_url}/v2/alerts/{quote(alias(note), safe='')}/close?identifierType=alias"
        return url, {"source": "driftctl", "note": "The drift was approved or resolved."}
    return f"{cfg.api_url}/v2/alerts", build_create(note, cfg)


def send(note: Notification, cfg: OpsgenieConfig, *, timeout: float = 10) -> None:
    """Create or close NOTE's Opsgenie alert; raises DeliveryError (no secret in its message)."""
    cfg.require_resolved(CHANNEL)
    url, body = request_for(note, cfg)
    _http.post(
        url,
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        channel=CHANNEL,
        timeout=timeout,
        headers={"Authorization": f"GenieKey {cfg.api_key}"},
        secrets=cfg.secret_values(),
    )


PLUGIN = Channel(
    name=CHANNEL,
    config=OpsgenieConfig,
    send=send,
    capabilities=Capabilities(resolves=True),
    summary="Opsgenie Alert API v2 (one alert per drift, closed when it is decided)",
)
