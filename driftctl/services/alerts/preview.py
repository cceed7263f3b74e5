"""What ``alerts send`` would do (``--dry-run``), and test sends to one channel."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from driftctl.db.models import SEVERITY_RANK
from driftctl.db.repositories import outbox as repo
from driftctl.db.types import utcnow
from driftctl.domain import (
    UNDECIDED_STATUSES,
    AlertType,
    Role,
    Severity,
)
from driftctl.errors import ExternalServiceError, ValidationError
from driftctl.notify import DeliveryError, DriftInfo, Notification, registry, send_to
from driftctl.services.alerts.digests import title_for, units
from driftctl.services.alerts.listing import alert_to_dict
from driftctl.services.alerts.raising import _approval_alert, notify_config, rules_from_settings
from driftctl.services.alerts.results import DryRun, PlannedDelivery
from driftctl.services.context import Context, timed

if TYPE_CHECKING:
    pass

log = logging.getLogger("driftctl.services.alerts")


@timed
def send_test(ctx: Context, channel: str) -> None:
    """Send a test notification to CHANNEL now (incident channels: open, then close).

    Raises ValidationError (unknown or unconfigured channel, missing secret), ExternalServiceError
    (delivery failed), ForbiddenError (below engineer).
    """
    ctx.actor.require(Role.ENGINEER, "send test notifications")
    cfg = notify_config(ctx.settings)
    if cfg.channel(channel) is None:
        raise ValidationError(
            f"notification channel {channel!r} is not configured ([notify.{channel}])"
        )
    timeout = rules_from_settings(ctx.settings).send_timeout
    test_id = uuid.uuid4()
    info: DriftInfo = {
        "id": str(test_id),
        "resource_type": "SECURITY_GROUP",
        "resource_id": "sg-driftctl-test",
        "region": "us-east-1",
        "account_id": None,
        "drift_type": "modified",
        "status": "detected",
        "difference": {
            "description": {"change": "changed", "expected": "before", "actual": "after"}
        },
        "fingerprint": f"driftctl-test-{test_id}",
    }
    note = Notification(
        alert_id=str(test_id),
        alert_type=AlertType.DRIFT_DETECTED,
        severity=Severity.INFO,
        title="driftctl test notification",
        message="This is a test sent by `driftctl alerts test`; no drift is involved.",
        drift=info,
    )
    try:
        send_to(channel, note, cfg, timeout=timeout)
        plugin = registry.get(channel)
        if plugin is not None and plugin.capabilities.resolves:
            send_to(channel, replace(note, event="resolve"), cfg, timeout=timeout)
    except DeliveryError as exc:
        raise ExternalServiceError(exc.message) from None


@timed
def preview_pending(ctx: Context, *, limit: int = 1000) -> DryRun:
    """What ``alerts send`` would deliver and raise now; reads only. ForbiddenError if viewer."""
    ctx.actor.require(Role.ENGINEER, "send notifications")
    rules = rules_from_settings(ctx.settings)
    notify_config(ctx.settings)
    now = utcnow()
    with ctx.read() as session:
        jobs = repo.due_jobs(session, now=now, limit=limit)
        awaiting = repo.drifts_awaiting_approval(
            session,
            detected_before=now - rules.approval_after,
            min_rank=SEVERITY_RANK[Severity.WARNING.value],
            statuses=[s.value for s in UNDECIDED_STATUSES],
        )
        approvals = [alert_to_dict(_approval_alert(d, now), d) for d in awaiting]
    planned = []
    for unit in units(jobs):
        lead = unit[0]
        digest = lead.digest_id is not None
        planned.append(
            PlannedDelivery(
                str(lead.outbox_id),
                str(lead.digest_id if digest else lead.alert.id),
                lead.channel,
                lead.event,
                lead.attempts,
                min((j.alert.severity for j in unit), key=lambda s: -Severity(s).rank),
                title_for(unit) if digest else lead.alert.title,
                len(unit) if digest else 0,
            )
        )
    return DryRun(planned=planned, approval_alerts=approvals)
