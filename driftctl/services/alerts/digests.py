"""Digests: one message for a channel instead of one per alert when a scan raises many.

When one batch of alerts (a scan, or one ``alerts send`` raising approval_needed) gives a
channel more than ``[alerts] digest_threshold`` of them, that channel's outbox rows share a
``digest_id``. ``alerts send`` claims such rows together and sends one message listing them by
severity (the total, the counts, the ``digest_top`` most severe), and records every row. Channels
whose capabilities say ``digests = False`` (webhook, command: machines want each alert) never get
one; incident channels (PagerDuty, Opsgenie) open one incident for a digest unless their block
sets ``per_drift_incidents = true``. A digest incident is resolved when all its drifts are.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from driftctl.domain import AlertType, Severity
from driftctl.notify import DriftInfo, Notification, NotifyConfig, registry
from driftctl.notify import channels_for as _channels_for
from driftctl.notify.channel import IncidentConfig

if TYPE_CHECKING:
    from driftctl.db.models import Alert
    from driftctl.db.repositories.outbox import Job

_ORDER = {s.value: n for n, s in enumerate(sorted(Severity, key=lambda s: -s.rank))}


def takes_digests(cfg: NotifyConfig, channel: str) -> bool:
    """Whether CHANNEL gets digests: its capability, and for incident channels its setting."""
    plugin = registry.get(channel)
    block = cfg.blocks.get(channel)
    if plugin is None or block is None or not plugin.capabilities.digests:
        return False
    return not (isinstance(block, IncidentConfig) and block.per_drift_incidents)


def plan_outbox(
    cfg: NotifyConfig, alerts: Sequence[Alert], *, threshold: int | None
) -> tuple[dict[uuid.UUID, list[str]], dict[str, uuid.UUID]]:
    """The channels of each alert, and a new digest id for each channel over THRESHOLD."""
    channels = {a.id: _channels_for(cfg, a.type, a.severity) for a in alerts}
    per_channel = Counter(c for names in channels.values() for c in names)
    digests = {
        name: uuid.uuid4()
        for name, count in per_channel.items()
        if threshold and count > threshold and takes_digests(cfg, name)
    }
    return channels, digests


def units(jobs: Sequence[Job]) -> list[list[Job]]:
    """The jobs grouped into what is sent as one message: a digest's rows (by event), or one."""
    grouped: dict[tuple[uuid.UUID, str], list[Job]] = {}
    out: list[list[Job]] = []
    for job in jobs:
        if job.digest_id is None:
            out.append([job])
            continue
        key = (job.digest_id, job.event)
        if key not in grouped:
            grouped[key] = []
            out.append(grouped[key])
        grouped[key].append(job)
    return out


def fingerprint(digest_id: uuid.UUID) -> str:
    """The incident key of a digest (PagerDuty dedup_key, Opsgenie alias)."""
    return f"driftctl-digest-{digest_id}"


def title_for(jobs: Sequence[Job]) -> str:
    counts = Counter(j.alert.severity for j in jobs)
    parts = ", ".join(f"{counts[s]} {s}" for s in sorted(counts, key=_ORDER.__getitem__))
    return f"{len(jobs)} drift alerts from one scan ({parts})"


def digest_notification(
    digest_id: uuid.UUID, jobs: Sequence[Job], *, top: int, event: str = "trigger"
) -> Notification:
    """One message for the alerts of JOBS: the counts, then the TOP most severe by name."""
    ranked = sorted(jobs, key=lambda j: (_ORDER[j.alert.severity], j.alert.created_at))
    lines = [f"{title_for(jobs)}. The most severe:"]
    for job in ranked[:top]:
        d = job.drift
        lines.append(f"- {job.alert.severity.upper()}: {job.alert.title} ({d.region})")
    if len(ranked) > top:
        lines.append(f"… and {len(ranked) - top} more: run `driftctl alerts --unread`")
    regions = sorted({j.drift.region for j in jobs})
    accounts = sorted({j.drift.account_id for j in jobs if j.drift.account_id})
    types = {j.alert.type for j in jobs}
    info: DriftInfo = {
        "id": str(digest_id),
        "resource_type": "DIGEST",
        "resource_id": f"{len(jobs)} alerts",
        "region": regions[0] if len(regions) == 1 else f"{len(regions)} regions",
        "account_id": accounts[0] if len(accounts) == 1 else None,
        "drift_type": "digest",
        "status": "detected",
        "difference": {},
        "fingerprint": fingerprint(digest_id),
    }
    resolved = event == "resolve"
    return Notification(
        alert_id=str(digest_id),
        alert_type=AlertType(types.pop()) if len(types) == 1 else AlertType.DRIFT_DETECTED,
        severity=Severity(ranked[0].alert.severity),
        title=("All drifts decided: " if resolved else "") + title_for(jobs),
        message="\n".join(lines),
        drift=info,
        event="resolve" if resolved else "trigger",
        digest_total=len(jobs),
    )
