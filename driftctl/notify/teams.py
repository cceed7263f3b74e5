"""Microsoft Teams: an Adaptive Card posted to an incoming webhook or a Workflows URL.

Both kinds of URL take the same envelope, a ``message`` with one Adaptive Card attachment;
the legacy connector answers 200, Workflows 202. Teams renders Markdown in TextBlocks, so
AWS-originated text is cleaned of control characters and Markdown emphasis characters are
escaped. Teams refuses cards over about 28 KB: the differences are capped to fit.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import field_validator

from driftctl.notify import _http
from driftctl.notify.channel import ChannelConfig, check_http_url
from driftctl.notify.message import Notification, approval_commands, clean, difference_lines
from driftctl.notify.registry import Capabilities, Channel

CHANNEL = "teams"
MAX_CARD_BYTES = 28 * 1024  # Teams' limit for a message with a card
_COLOR = {"critical": "Attention", "warning": "Warning", "info": "Accent"}
_MARKDOWN = str.maketrans({c: f"\\{c}" for c in "\\*_~`[]<>#"})


class TeamsConfig(ChannelConfig):
    """``[notify.teams]``: the incoming webhook or Workflows URL (normally ``secret:NAME``)."""

    secret_fields = ("webhook_url",)

    webhook_url: str

    @field_validator("webhook_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_http_url(value)


def escape(text: str) -> str:
    """TEXT with control characters replaced and Markdown characters escaped."""
    return clean(text).translate(_MARKDOWN)


def build_card(note: Notification, *, diff_limit: int = 20) -> dict[str, Any]:
    """The Adaptive Card (schema 1.4) for NOTE."""
    drift = note.drift
    resolved = note.event == "resolve"
    prefix = "RESOLVED" if resolved else note.severity.value.upper()
    facts = [
        {"title": "Resource", "value": escape(f"{drift['resource_type']} {drift['resource_id']}")},
        {"title": "Region", "value": escape(drift["region"])},
        {"title": "Account", "value": escape(drift["account_id"] or "unknown")},
        {"title": "Drift", "value": escape(drift["drift_type"])},
        {"title": "Status", "value": escape(drift["status"])},
    ]
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": f"{prefix}: {escape(note.title)}",
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": "Good" if resolved else _COLOR[note.severity.value],
        },
        {"type": "FactSet", "facts": facts},
    ]
    if note.message:
        body.append({"type": "TextBlock", "text": escape(note.message), "wrap": True})
    diff = difference_lines(drift["difference"], limit=diff_limit)
    if diff.entries:
        lines = [escape(line) for line in diff.lines]
        if diff.omitted:
            lines.append(f"… and {diff.omitted} more")
        body.append({"type": "TextBlock", "text": "\n\n".join(lines), "wrap": True})
    body.append(
        {
            "type": "TextBlock",
            "text": "  \n".join(escape(c) for c in approval_commands(note)),
            "wrap": True,
            "isSubtle": True,
            "fontType": "Monospace",
        }
    )
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }


def build_payload(note: Notification) -> bytes:
    """The bytes posted for NOTE: the message envelope, shrunk until it fits MAX_CARD_BYTES."""
    for limit in (20, 10, 5, 0):
        envelope = {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": build_card(note, diff_limit=limit),
                }
            ],
        }
        data = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        if len(data) <= MAX_CARD_BYTES:
            break
    return data


def send(note: Notification, cfg: TeamsConfig, *, timeout: float = 10) -> None:
    """Post NOTE's card to Teams; raises DeliveryError (no secret in its message)."""
    cfg.require_resolved(CHANNEL)
    _http.post(
        cfg.webhook_url,
        build_payload(note),
        channel=CHANNEL,
        timeout=timeout,
        secrets=cfg.secret_values(),
    )


PLUGIN = Channel(
    name=CHANNEL,
    config=TeamsConfig,
    send=send,
    capabilities=Capabilities(max_message_bytes=MAX_CARD_BYTES),
    summary="Microsoft Teams incoming webhook or Workflows URL (Adaptive Card)",
)
