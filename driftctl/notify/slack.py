"""Slack incoming webhook: one Block Kit message per notification.

The message has a header (severity and title), a section with the resource, the differences as
``path: expected → actual`` lines, and a context block with the commands to run next, plus a
plain ``text`` fallback for notifications and old clients. Slack interprets ``&``, ``<`` and
``>`` (``<!channel>``, ``<url|label>``), so every AWS-originated string is escaped.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import field_validator

from driftctl.notify import _http
from driftctl.notify.channel import ChannelConfig, check_http_url
from driftctl.notify.message import Notification, approval_commands, clean, difference_lines
from driftctl.notify.registry import Capabilities, Channel

CHANNEL = "slack"
_HEADER_LIMIT = 150  # Slack's limit for a header's plain_text
_SECTION_LIMIT = 3000  # Slack's limit for a section's text
_SEVERITY_MARK = {
    "critical": ":red_circle:",
    "warning": ":large_orange_circle:",
    "info": ":information_source:",
}


class SlackConfig(ChannelConfig):
    """``[notify.slack]``: an incoming webhook URL (normally ``secret:NAME``)."""

    secret_fields = ("webhook_url",)

    webhook_url: str

    @field_validator("webhook_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_http_url(value)


def escape(text: str) -> str:
    """Escape Slack's control characters ``&``, ``<`` and ``>`` (and terminal controls)."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_payload(note: Notification) -> dict[str, Any]:
    """Return the JSON body (``text`` + ``blocks``) posted to Slack for NOTE."""
    drift = note.drift
    severity = note.severity.value.upper()
    resolved = note.event == "resolve"
    prefix = "RESOLVED" if resolved else severity
    header = _shorten(f"{prefix}: {escape(note.title)}", _HEADER_LIMIT)
    account = drift["account_id"] or "unknown"
    resource = (
        f"*Resource:* `{_code(drift['resource_type'])}` `{_code(drift['resource_id'])}`\n"
        f"*Region:* {escape(drift['region'])}  *Account:* {escape(account)}\n"
        f"*Drift:* {escape(drift['drift_type'])}  *Status:* {escape(drift['status'])}"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": resource}},
    ]
    if note.message:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _shorten(escape(note.message), _SECTION_LIMIT)},
            }
        )
    diff_text = _differences(note)
    if diff_text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": diff_text}})
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"`{_code(command)}`"}
                for command in approval_commands(note)
            ],
        }
    )
    mark = ":white_check_mark:" if resolved else _SEVERITY_MARK[note.severity.value]
    text = (
        f"{mark} [driftctl] {prefix}: {escape(note.title)} — "
        f"{escape(drift['resource_type'])} {escape(drift['resource_id'])} "
        f"({escape(drift['region'])})"
    )
    return {"text": text, "blocks": blocks}


def send(note: Notification, cfg: SlackConfig, *, timeout: float = 10) -> None:
    """Post NOTE to the Slack webhook; raises DeliveryError (no secret in its message)."""
    cfg.require_resolved(CHANNEL)
    body = json.dumps(build_payload(note), ensure_ascii=False).encode("utf-8")
    _http.post(cfg.webhook_url, body, channel=CHANNEL, timeout=timeout, secrets=cfg.secret_values())


def _differences(note: Notification) -> str:
    """The differences as a code block that fits in one section (empty if there are none)."""
    diff = difference_lines(note.drift["difference"])
    lines: list[str] = []
    size = 0
    budget = _SECTION_LIMIT - 100  # room for the heading, fences and the "more" line
    for line in diff.lines:
        line = _shorten(_code(line), 600)
        if size + len(line) + 1 > budget:
            break
        lines.append(line)
        size += len(line) + 1
    if not lines:
        return ""
    omitted = diff.omitted + len(diff.lines) - len(lines)
    more = f"\n… and {omitted} more" if omitted else ""
    body = "\n".join(lines)
    return f"*Differences:*\n```{body}```{more}"


def _code(text: str) -> str:
    """Escape TEXT for use inside a code span or block, where a backtick would end it."""
    return escape(text).replace("`", "\u02cb")  # MODIFIER LETTER GRAVE ACCENT


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


PLUGIN = Channel(
    name=CHANNEL,
    config=SlackConfig,
    send=send,
    capabilities=Capabilities(max_message_bytes=40_000),
    summary="Slack incoming webhook (Block Kit message)",
)
