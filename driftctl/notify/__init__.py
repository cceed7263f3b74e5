"""Notification channels (SPEC §8): Slack, e-mail, PagerDuty and a generic signed webhook.

Each channel module sends one Notification per call and raises DeliveryError, whose
``permanent`` flag tells the outbox whether a retry can help. ``config`` holds the ``[notify]``
settings and ``send_to``, which resolves ``secret:NAME`` values at send time.
"""

from driftctl.notify.config import NotifyConfig, channels_for, from_mapping, send_to
from driftctl.notify.message import DeliveryError, DriftInfo, Notification

__all__ = [
    "DeliveryError",
    "DriftInfo",
    "Notification",
    "NotifyConfig",
    "channels_for",
    "from_mapping",
    "send_to",
]
