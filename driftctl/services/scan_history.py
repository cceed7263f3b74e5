"""``driftctl scans``: the scan history, newest first, with scans that died while running."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from driftctl.db.models import Scan
from driftctl.db.types import utcnow
from driftctl.domain import ScanStatus, jsonable
from driftctl.errors import ValidationError
from driftctl.services.context import Context, timed
from driftctl.services.listing import Page, check_page

STATUSES = tuple(s.value for s in ScanStatus)


@timed
def list_scans(ctx: Context, *, status: str | None = None, page: int = 1, limit: int = 20) -> Page:
    """One page of scans, newest first; ValidationError for a bad status, page or limit.

    A ``running`` scan whose process is gone is shown with ``"stale": true`` (the next scan
    marks it failed).
    """
    from driftctl.services.recording import is_dead, runner_id

    if status is not None and status not in STATUSES:
        raise ValidationError(f"--status must be one of {', '.join(STATUSES)}")
    offset = check_page(page, limit)
    host = runner_id().rsplit(":", 1)[0]
    now = utcnow()
    where = [] if status is None else [col(Scan.status) == status]
    with ctx.read() as session:
        total = int(
            session.execute(select(func.count()).select_from(Scan).where(*where)).scalar_one()
        )
        rows = session.execute(
            select(Scan)
            .where(*where)
            .order_by(col(Scan.started_at).desc(), col(Scan.id).desc())
            .offset(offset)
            .limit(limit)
        ).scalars()
        items = []
        for scan in rows:
            item = scan_to_dict(scan)
            item["stale"] = scan.status == ScanStatus.RUNNING.value and is_dead(
                scan.runner, scan.heartbeat_at or scan.started_at, host, now
            )
            items.append(item)
    return Page(items=items, total=total, page=page, page_size=limit)


def scan_to_dict(scan: Scan) -> dict[str, Any]:
    """A scans row in the ``scans -o json`` shape (the table's columns)."""
    drifts = scan.modified + scan.missing + scan.unmanaged
    out: dict[str, Any] = jsonable(
        {
            "id": scan.id,
            "started_at": scan.started_at,
            "finished_at": scan.finished_at,
            "status": scan.status,
            "source": scan.source,
            "iac_sources": scan.iac_sources,
            "account_ids": scan.account_ids,
            "regions": scan.regions,
            "resource_types_read": scan.resource_types_read,
            "total_resources": scan.total_resources,
            "managed": scan.managed,
            "unmanaged": scan.unmanaged,
            "missing": scan.missing,
            "modified": scan.modified,
            "in_sync": scan.in_sync,
            "drifts": drifts,
            "errors": scan.errors,
            "api_calls": scan.api_calls,
            "driftctl_version": scan.driftctl_version,
            "actor_email": scan.actor_email,
            "source_key": scan.source_key,
            "heartbeat_at": scan.heartbeat_at,
            "runner": scan.runner,
        }
    )
    return out
