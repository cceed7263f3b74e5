"""Alerts (SPEC §8): the rules that raise them, the outbox that delivers them, and reading them.

Rules:
- ``drift_detected``: a scan found a new drift, or reopened an approved one, at or above
  ``[alerts] min_severity`` (default critical). A drift merely seen again raises nothing.
- ``approval_needed``: a drift at or above warning stays undecided (detected or triaged) longer
  than ``[alerts] approval_after`` (default 24h). Raised by ``scan`` and ``alerts send``, at most
  once per drift.
- ``remediation_failed``: reserved for the remediation engine, which does not exist yet.

Delivery: raising an alert writes one outbox row per channel that wants it, in the same
transaction. ``send_pending`` later claims due rows, sends them after the claim is committed and
records the result: at-least-once delivery, retried with exponential backoff.

One module per job: ``raising`` (settings, raising, resolve events), ``listing`` (list, read),
``delivery`` (the engine), ``leases`` (outbox claims), ``results`` (reports), ``preview``
(``--dry-run`` and test sends), ``follow``. This package re-exports their public names.
"""

from driftctl.services.alerts.delivery import (
    CHANNEL_BREAKER,
    Sender,
    send_pending,
)
from driftctl.services.alerts.follow import follow
from driftctl.services.alerts.leases import LEASE_FLOOR, _LeaseKeeper, lease_for
from driftctl.services.alerts.listing import (
    ReadResult,
    alert_to_dict,
    list_alerts,
    mark_read,
    resolve_alert_id,
)
from driftctl.services.alerts.messages import notification_for
from driftctl.services.alerts.preview import preview_pending, send_test
from driftctl.services.alerts.raising import (
    add_alerts,
    drift_alert,
    enqueue_resolve,
    notify_config,
    raise_approval_needed,
    record_alerts,
    rules_from_settings,
)
from driftctl.services.alerts.results import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    DeliveryReport,
    DeliveryResult,
    DryRun,
    Outcome,
    PlannedDelivery,
    backoff,
)

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "CHANNEL_BREAKER",
    "LEASE_FLOOR",
    "DeliveryReport",
    "DeliveryResult",
    "DryRun",
    "Outcome",
    "PlannedDelivery",
    "ReadResult",
    "Sender",
    "_LeaseKeeper",
    "add_alerts",
    "alert_to_dict",
    "backoff",
    "drift_alert",
    "enqueue_resolve",
    "follow",
    "lease_for",
    "list_alerts",
    "mark_read",
    "notification_for",
    "notify_config",
    "preview_pending",
    "raise_approval_needed",
    "record_alerts",
    "resolve_alert_id",
    "rules_from_settings",
    "send_pending",
    "send_test",
]
