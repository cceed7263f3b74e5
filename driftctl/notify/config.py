"""The ``[notify]`` configuration, which channels an alert goes to, and sending to one of them.

Secrets stay ``"secret:NAME"`` references in the configuration object and are resolved only in
send_to, for the one send, so a resolved secret is never stored, cached or logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict

from driftctl import secrets
from driftctl.domain import AlertType, Severity
from driftctl.errors import ValidationError
from driftctl.notify import email, pagerduty, slack, webhook
from driftctl.notify.channel import ChannelConfig
from driftctl.notify.email import EmailConfig
from driftctl.notify.message import Notification
from driftctl.notify.pagerduty import PagerDutyConfig
from driftctl.notify.slack import SlackConfig
from driftctl.notify.webhook import WebhookConfig

# Delivery order when an alert goes to several channels.
CHANNELS: tuple[str, ...] = ("slack", "email", "pagerduty", "webhook")

C = TypeVar("C", bound=ChannelConfig)


class NotifyConfig(BaseModel):
    """``[notify]``: one optional block per channel; an absent block disables the channel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slack: SlackConfig | None = None
    email: EmailConfig | None = None
    pagerduty: PagerDutyConfig | None = None
    webhook: WebhookConfig | None = None

    def channel(self, name: str) -> ChannelConfig | None:
        """Return the block of channel NAME, or None when it is not configured."""
        if name not in CHANNELS:
            raise ValidationError(
                f"unknown notification channel {name!r} (known: {', '.join(CHANNELS)})"
            )
        block: ChannelConfig | None = getattr(self, name)
        return block


def from_mapping(data: Mapping[str, Any]) -> NotifyConfig:
    """Build a NotifyConfig from the ``[notify]`` table; raises ValidationError on bad config."""
    if not isinstance(data, Mapping):
        raise ValidationError("invalid configuration: notify must be a table ([notify.<channel>])")
    try:
        return NotifyConfig.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        raise ValidationError(_describe(exc)) from None


def channels_for(
    cfg: NotifyConfig, alert_type: AlertType | str, severity: Severity | str
) -> list[str]:
    """Return the configured channels that take alerts of this type and severity, in order."""
    names = []
    for name in CHANNELS:
        block = cfg.channel(name)
        if block is not None and block.accepts(alert_type, severity):
            names.append(name)
    return names


def send_to(
    channel_name: str,
    note: Notification,
    cfg: NotifyConfig,
    secret_overrides: Mapping[str, str] | None = None,
    *,
    timeout: float = 10,
) -> None:
    """Deliver NOTE through one configured channel, resolving its secrets for this send only.

    Raises ValidationError when the channel is unknown or not configured, or a secret cannot be
    found (nothing was sent: keep the message pending); DeliveryError when delivery failed.
    """
    block = cfg.channel(channel_name)
    if block is None:
        raise ValidationError(
            f"notification channel {channel_name!r} is not configured ([notify.{channel_name}])"
        )
    if isinstance(block, SlackConfig):
        slack.send(note, _resolved(block, secret_overrides), timeout=timeout)
    elif isinstance(block, EmailConfig):
        email.send(note, _resolved(block, secret_overrides), timeout=timeout)
    elif isinstance(block, PagerDutyConfig):
        pagerduty.send(note, _resolved(block, secret_overrides), timeout=timeout)
    elif isinstance(block, WebhookConfig):
        webhook.send(note, _resolved(block, secret_overrides), timeout=timeout)
    else:  # pragma: no cover - CHANNELS and the model list the same four
        raise ValidationError(f"notification channel {channel_name!r} cannot send")


def _resolved(block: C, overrides: Mapping[str, str] | None) -> C:
    """A copy of BLOCK with every ``secret:NAME`` string replaced by the secret's value."""
    update = {
        name: secrets.resolve(value, overrides=overrides)
        for name in type(block).model_fields
        if secrets.is_secret_ref(value := getattr(block, name))
    }
    # model_copy skips validation on purpose: a resolved URL is checked at send time, and
    # validating here could put the secret into a pydantic error message.
    return block.model_copy(update=update) if update else block


def _describe(exc: pydantic.ValidationError) -> str:
    """One line naming the first bad setting, never echoing its value (it may be a secret)."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    where = ".".join(str(part) for part in ("notify", *first["loc"]))
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"invalid configuration: {where}: {message}{more}"
