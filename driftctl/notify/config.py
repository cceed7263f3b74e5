"""The ``[notify]`` configuration, which channels an alert goes to, and sending to one of them.

Each ``[notify.<channel>]`` block is validated by the config model its channel registers
(``notify.registry``); an absent block disables the channel. Secrets stay ``"secret:NAME"``
references in the configuration object and are resolved only in send_to, for the one send, so a
resolved secret is never stored, cached or logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pydantic

from driftctl import secrets
from driftctl.domain import AlertType, Severity
from driftctl.errors import ValidationError
from driftctl.notify import registry
from driftctl.notify.channel import ChannelConfig
from driftctl.notify.message import Notification

C = TypeVar("C", bound=ChannelConfig)


@dataclass(frozen=True)
class NotifyConfig:
    """``[notify]``: the validated block of each configured channel, by channel name."""

    blocks: Mapping[str, ChannelConfig] = field(default_factory=dict)

    def channel(self, name: str) -> ChannelConfig | None:
        """Return the block of channel NAME, or None when it is not configured.

        Raises ValidationError for a name no channel is registered under.
        """
        if registry.get(name) is None:
            raise ValidationError(
                f"unknown notification channel {name!r} (known: {', '.join(registry.names())})"
            )
        return self.blocks.get(name)

    def configured(self) -> list[str]:
        """The configured channels, in delivery order."""
        return [name for name in registry.names() if name in self.blocks]

    def replace(self, name: str, block: ChannelConfig | None) -> NotifyConfig:
        """A copy with channel NAME's block replaced (None removes it)."""
        blocks = {k: v for k, v in self.blocks.items() if k != name}
        if block is not None:
            blocks[name] = block
        return NotifyConfig(blocks)

    def __getattr__(self, name: str) -> ChannelConfig | None:
        # ``cfg.slack``: the block of a registered channel, or None when it is not configured.
        if name.startswith("_") or registry.get(name) is None:
            raise AttributeError(name)
        return self.blocks.get(name)


def from_mapping(data: Mapping[str, Any]) -> NotifyConfig:
    """Build a NotifyConfig from the ``[notify]`` table; raises ValidationError on bad config."""
    if not isinstance(data, Mapping):
        raise ValidationError("invalid configuration: notify must be a table ([notify.<channel>])")
    blocks: dict[str, ChannelConfig] = {}
    for name in sorted(data, key=_registry_order):
        plugin = registry.get(name)
        if plugin is None:
            raise ValidationError(f"invalid configuration: notify.{name}: unknown setting")
        if not isinstance(data[name], Mapping):
            raise ValidationError(
                f"invalid configuration: notify.{name} must be a table ([notify.{name}])"
            )
        try:
            blocks[name] = plugin.validate(dict(data[name]))
        except pydantic.ValidationError as exc:
            raise ValidationError(_describe(name, exc)) from None
    return NotifyConfig(blocks)


def _registry_order(name: str) -> tuple[int, str]:
    order = registry.names()
    return (order.index(name), name) if name in order else (len(order), name)


def channels_for(
    cfg: NotifyConfig, alert_type: AlertType | str, severity: Severity | str
) -> list[str]:
    """Return the configured channels that take alerts of this type and severity, in order."""
    return [name for name in cfg.configured() if cfg.blocks[name].accepts(alert_type, severity)]


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
    plugin = registry.get(channel_name)
    if block is None or plugin is None:
        raise ValidationError(
            f"notification channel {channel_name!r} is not configured ([notify.{channel_name}])"
        )
    plugin.send(note, _resolved(block, secret_overrides), timeout=timeout)


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


def _describe(channel: str, exc: pydantic.ValidationError) -> str:
    """One line naming the first bad setting, never echoing its value (it may be a secret)."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    where = ".".join(str(part) for part in ("notify", channel, *first["loc"]))
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"invalid configuration: {where}: {message}{more}"
