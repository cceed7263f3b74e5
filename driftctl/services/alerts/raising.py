"""Raising alerts inside the caller's transaction, each with one outbox row per channel.

Also the ``[alerts]``/``[notify]`` settings, and the resolve events of incident channels.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from driftctl.db.models import SEVERITY_RANK, Alert, Drift
from driftctl.db.repositories import outbox as repo
from driftctl.domain import (
    UNDECIDED_STATUSES,
    AlertType,
    DriftStatus,
    Severity,
)
from driftctl.notify import NotifyConfig, registry
from driftctl.notify import from_mapping as _notify_from_mapping
from driftctl.notify.rules import AlertRules, alert_rules
from driftctl.services.alerts.digests import plan_outbox

if TYPE_CHECKING:
    from sqlmodel import Session

    from driftctl.config import Settings
    from driftctl.diff.compare import Finding

log = logging.getLogger("driftctl.services.alerts")


# --- settings --------------------------------------------------------------------------------


def rules_from_settings(settings: Settings) -> AlertRules:
    """Read ``[alerts]``; raises ValidationError naming the first bad or unknown key."""
    return alert_rules(settings.alerts or {})


def notify_config(settings: Settings) -> NotifyConfig:
    """The ``[notify]`` channels; raises ValidationError on bad configuration."""
    return _notify_from_mapping(settings.notify or {})


# --- raising alerts (inside the caller's transaction) ----------------------------------------


def drift_alert(drift_id: uuid.UUID, finding: Finding, now: datetime) -> Alert:
    """A drift_detected alert for a scan finding (not yet added to any session)."""
    severity = Severity(finding.severity).value
    paths = ", ".join(sorted(finding.difference)) or finding.drift_type.value
    title = f"{severity.capitalize()} drift on {finding.resource_type} {finding.resource_id}"
    return Alert(
        drift_id=drift_id,
        type=AlertType.DRIFT_DETECTED.value,
        severity=severity,
        title=title[:255],
        message=(
            f"{finding.resource_type} {finding.resource_id} in {finding.region} is "
            f"{finding.drift_type.value}: {paths}"
        ),
        created_at=now,
        updated_at=now,
    )


def record_alerts(
    session: Session, settings: Settings, candidates: Sequence[Alert], *, now: datetime
) -> list[Alert]:
    """Add the drift_detected CANDIDATES that pass ``[alerts] min_severity``, with their outbox.

    Raises ValidationError when ``[alerts]`` or ``[notify]`` is invalid.
    """
    rules = rules_from_settings(settings)
    wanted = [a for a in candidates if rules.wants(a.severity)]
    return add_alerts(
        session,
        notify_config(settings),
        wanted,
        now=now,
        digest_threshold=rules.digest_threshold,
    )


def add_alerts(
    session: Session,
    cfg: NotifyConfig,
    alerts: Sequence[Alert],
    *,
    now: datetime,
    digest_threshold: int | None = None,
) -> list[Alert]:
    """Insert ALERTS, one outbox row per channel that takes each, and NOTIFY followers.

    A channel taking more than DIGEST_THRESHOLD of them gets its rows grouped into one digest
    (None or 0: never).
    """
    if not alerts:
        return []
    session.add_all(alerts)
    # The outbox rows reference the alerts: insert those first.
    session.flush()
    channels, digest_ids = plan_outbox(cfg, alerts, threshold=digest_threshold)
    for alert in alerts:
        for channel in channels[alert.id]:
            repo.enqueue(
                session,
                alert_id=alert.id,
                channels=[channel],
                now=now,
                digest_id=digest_ids.get(channel),
            )
    session.flush()
    repo.notify_listeners(session, [a.id for a in alerts])
    return list(alerts)


def raise_approval_needed(session: Session, settings: Settings, *, now: datetime) -> list[Alert]:
    """Raise approval_needed for warning+ drifts undecided longer than ``approval_after``.

    At most one such alert per drift. Raises ValidationError on bad ``[alerts]``/``[notify]``.
    """
    rules = rules_from_settings(settings)
    cfg = notify_config(settings)
    repo.lock_approval_alerts(session)
    drifts = repo.drifts_awaiting_approval(
        session,
        detected_before=now - rules.approval_after,
        min_rank=SEVERITY_RANK[Severity.WARNING.value],
        statuses=[s.value for s in UNDECIDED_STATUSES],
    )
    alerts = [_approval_alert(d, now) for d in drifts]
    return add_alerts(session, cfg, alerts, now=now, digest_threshold=rules.digest_threshold)


def _approval_alert(drift: Drift, now: datetime) -> Alert:
    age = _describe_age(now - drift.detected_at)
    return Alert(
        drift_id=drift.id,
        type=AlertType.APPROVAL_NEEDED.value,
        severity=drift.severity,
        title=f"Approval needed: {drift.severity} drift on {drift.resource_type} "
        f"{drift.resource_id}"[:255],
        message=(
            f"{drift.resource_type} {drift.resource_id} in {drift.region} has been "
            f"{drift.status} for {age} without a decision: approve or reject it."
        ),
        created_at=now,
        updated_at=now,
    )


def _describe_age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 48:
        return f"{math.floor(hours / 24)} days"
    if hours >= 1:
        return f"{math.floor(hours)} hours"
    return f"{max(1, math.floor(delta.total_seconds() / 60))} minutes"


def enqueue_resolve(session: Session, drift_ids: Sequence[uuid.UUID], *, now: datetime) -> int:
    """Queue a resolve event on every incident channel (``Capabilities.resolves``: PagerDuty,
    Opsgenie) for drifts whose incident was (or may have been) opened there.

    Called when drifts are approved or resolved. Triggers still waiting in the outbox are
    cancelled instead (nothing was paged); returns how many resolve events were queued.
    """
    queued = 0
    for channel in registry.resolving():
        queued += _enqueue_resolve_on(session, channel, drift_ids, now=now)
    if queued:
        session.flush()
    return queued


def _enqueue_resolve_on(
    session: Session, channel: str, drift_ids: Sequence[uuid.UUID], *, now: datetime
) -> int:
    queued = 0
    digests: dict[uuid.UUID, uuid.UUID] = {}  # digest id -> one of its alerts
    grouped = repo.rows_for_drifts(session, list(drift_ids), channel=channel)
    for rows in grouped.values():
        triggers = [r for r in rows if r.event == "trigger"]
        waiting = [
            r.outbox_id
            for r in triggers
            if r.status == "pending" and (r.claimed_until is None or r.claimed_until < now)
        ]
        cancelled = set(
            repo.cancel_pending(
                session, waiting, now=now, reason="cancelled: the drift was decided before delivery"
            )
        )
        paged = [
            r for r in triggers if r.outbox_id not in cancelled and r.status in ("pending", "sent")
        ]
        for r in paged:
            if r.digest_id is not None:
                digests.setdefault(r.digest_id, r.alert_id)
        paged = [r for r in paged if r.digest_id is None]
        resolve_pending = any(
            r.event == "resolve" and r.status == "pending" and r.digest_id is None for r in rows
        )
        if paged and not resolve_pending:
            repo.enqueue(
                session,
                alert_id=paged[-1].alert_id,
                channels=[channel],
                now=now,
                event="resolve",
            )
            queued += 1
    decided = [DriftStatus.APPROVED.value, DriftStatus.RESOLVED.value]
    for digest_id, alert_id in digests.items():
        # A digest's incident stays open while any of its drifts is undecided.
        if repo.digest_undecided(session, digest_id, decided=decided) == 0 and (
            not repo.digest_has_resolve(session, digest_id)
        ):
            repo.enqueue(
                session,
                alert_id=alert_id,
                channels=[channel],
                now=now,
                event="resolve",
                digest_id=digest_id,
            )
            queued += 1
    return queued
