"""Baselines: snapshots of the actual state, scanned later as an expected state
(``driftctl baseline capture NAME`` / ``--from baseline://NAME``), for accounts without IaC."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import col

from driftctl.db.models import Baseline
from driftctl.db.repositories import audit as audit_repo
from driftctl.domain import jsonable
from driftctl.errors import ValidationError
from driftctl.services.context import Context, timed

if TYPE_CHECKING:
    from driftctl.iac.sources import ExpectedState
    from driftctl.resources import ExpectedResource
    from driftctl.services.scanning import ScanOptions


def load_baseline(ctx: Context | None, name: str) -> list[ExpectedResource]:
    """The resources of baseline NAME as an expected state; ValidationError if unknown."""
    from sqlalchemy import select

    from driftctl.resources import ExpectedResource

    if ctx is None:
        raise ValidationError("baseline:// sources need the database (drop --no-store)")
    with ctx.read() as session:
        row = session.execute(select(Baseline).where(col(Baseline.name) == name)).scalars().first()
        if row is None:
            raise ValidationError(
                f"no baseline named {name!r}: see `driftctl baseline list`, or capture one "
                f"with `driftctl baseline capture {name}`"
            )
        return [
            ExpectedResource(
                resource_type=r["resource_type"],
                resource_id=r["resource_id"],
                attributes=r["attributes"],
                region=r.get("region"),
                account_id=r.get("account_id"),
                sources=[f"baseline://{name}"],
            )
            for r in row.resources
        ]


@timed
def capture_baseline(ctx: Context, name: str, options: ScanOptions) -> dict[str, Any]:
    """Snapshot the actual state as baseline NAME; ConflictError if the name is taken."""
    import re

    from sqlalchemy import select

    from driftctl.domain import Role
    from driftctl.errors import ConflictError

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name):
        raise ValidationError(
            f"invalid baseline name {name!r}: letters, digits, '.', '_' and '-' (max 100)"
        )
    from driftctl.services.scanning import validate

    validate(options)
    ctx.actor.require(Role.ENGINEER, "capture baselines")
    if not options.regions and not options.all_regions:
        raise ValidationError("give --region (repeatable) or --all-regions to capture a baseline")
    with ctx.read() as session:
        if session.execute(select(col(Baseline.id)).where(col(Baseline.name) == name)).first():
            raise ConflictError(f"a baseline named {name!r} already exists")
    from driftctl.services.scanning import scan_aws

    actual = scan_aws(options, _empty_expected())
    if not actual.complete:
        from driftctl.errors import ExternalServiceError

        failed = ", ".join(f"{e.resource_type}/{e.region}" for e in actual.errors)
        raise ExternalServiceError(f"baseline not saved: the scan could not read {failed}")
    resources = [
        {
            "resource_type": r.resource_type,
            "resource_id": r.resource_id,
            "region": r.region,
            "account_id": r.account_id,
            "attributes": jsonable(r.attributes),
        }
        for r in actual.resources
        if not r.is_default
    ]
    baseline = Baseline(
        name=name,
        resources=resources,
        resource_count=len(resources),
        account_ids=[actual.account_id] if actual.account_id else [],
        regions=list(actual.regions),
        created_by=ctx.actor.email,
    )
    with ctx.write() as session:
        session.add(baseline)
        audit_repo.append(
            session,
            action="baseline_captured",
            actor_id=ctx.actor.id,
            actor_email=ctx.actor.email,
            new_value={"name": name, "resources": len(resources)},
            user_agent=ctx.user_agent,
        )
    return baseline_to_dict(baseline)


def _empty_expected() -> ExpectedState:
    from driftctl.iac.sources import ExpectedState

    return ExpectedState(resources=[], origins=[])


def baseline_to_dict(b: Baseline) -> dict[str, Any]:
    result: dict[str, Any] = jsonable(
        {
            "id": b.id,
            "name": b.name,
            "resource_count": b.resource_count,
            "account_ids": b.account_ids,
            "regions": b.regions,
            "created_at": b.created_at,
            "created_by": b.created_by,
        }
    )
    return result


@timed
def list_baselines(ctx: Context) -> list[dict[str, Any]]:
    from sqlalchemy import select

    with ctx.read() as session:
        rows = session.execute(select(Baseline).order_by(col(Baseline.created_at).desc())).scalars()
        return [baseline_to_dict(b) for b in rows]
