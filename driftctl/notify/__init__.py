"""Notification channels (SPEC §8): one module per channel, listed in ``registry``.

Each channel module sends one Notification per call and raises DeliveryError, whose
``permanent`` flag tells the outbox whether a retry can help. ``config`` holds the ``[notify]``
settings and ``send_to``, which resolves ``secret:NAME`` values at send time.

The names below are loaded on first use: the CLI imports ``notify.registry`` for the channel
names, and that must not build every channel's pydantic model at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftctl.notify.config import NotifyConfig, channels_for, from_mapping, send_to
    from driftctl.notify.message import DeliveryError, DriftInfo, Notification

_HOME = {
    "NotifyConfig": "config",
    "channels_for": "config",
    "from_mapping": "config",
    "send_to": "config",
    "DeliveryError": "message",
    "DriftInfo": "message",
    "Notification": "message",
}

__all__ = [
    "DeliveryError",
    "DriftInfo",
    "Notification",
    "NotifyConfig",
    "channels_for",
    "from_mapping",
    "send_to",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
