"""The notification channels driftctl knows, each declared by its own module.

A channel module defines ``PLUGIN = Channel(...)``: its name, the pydantic model of its
``[notify.<name>]`` block, the function that sends one Notification, and what it can do
(``Capabilities``). Everything else (configuration, ``alerts test`` choices, the delivery
engine, the docs check) loops over ``channels()`` instead of naming channels. Adding a channel
is one module plus one line in ``CHANNEL_NAMES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftctl.notify.channel import ChannelConfig

# The registration list: one module per channel, in delivery order (importing this module
# loads none of them, so the CLI can name the channels cheaply).
CHANNEL_NAMES = ("slack", "email", "pagerduty", "webhook", "teams", "opsgenie", "command")


@dataclass(frozen=True)
class Capabilities:
    """What a channel can do, so the delivery engine never names a channel."""

    # Opens one incident per drift and closes it with a "resolve" event when the drift is
    # approved or resolved; a trigger for a drift decided before delivery is cancelled.
    resolves: bool = False
    # Takes one digest message for a scan that raised many alerts.
    digests: bool = True
    # Largest message body the receiving service accepts (None: no known limit).
    max_message_bytes: int | None = None


SendFn = Callable[..., None]


@dataclass(frozen=True)
class Channel:
    """One notification channel: its name, config model, sender and capabilities."""

    name: str
    config: type[ChannelConfig]
    # send(note, cfg, *, timeout) with every secret of cfg already resolved.
    send: SendFn
    capabilities: Capabilities
    summary: str

    def validate(self, data: Any) -> ChannelConfig:
        """Build this channel's config block (raises pydantic.ValidationError)."""
        return self.config.model_validate(data)


@cache
def _load() -> dict[str, Channel]:
    found: dict[str, Channel] = {}
    for module_name in CHANNEL_NAMES:
        module = importlib.import_module(f"driftctl.notify.{module_name}")
        plugin = module.PLUGIN
        if not isinstance(plugin, Channel) or plugin.name != module_name:
            raise RuntimeError(f"driftctl.notify.{module_name}.PLUGIN is not its Channel")
        found[plugin.name] = plugin
    return found


def channels() -> list[Channel]:
    """Every registered channel, in delivery order."""
    return list(_load().values())


def names() -> tuple[str, ...]:
    """The registered channel names, in delivery order."""
    return tuple(_load())


def get(name: str) -> Channel | None:
    """The channel called NAME, or None."""
    return _load().get(name)


def resolving() -> tuple[str, ...]:
    """Channels that open and close incidents (``Capabilities.resolves``)."""
    return tuple(c.name for c in channels() if c.capabilities.resolves)
