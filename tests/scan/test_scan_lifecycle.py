"""Drifts across scans: approval bound to a difference, reopening, auto-resolution, missing."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from sqlalchemy import func, select
from sqlmodel import col

from driftctl.db.models import CostMetric, Drift
from driftctl.services import drifts as drift_service
from tests.cli.probe import DbProbe
from tests.scan.estate import (
    BUCKET,
    DB,
    UNMANAGED_BUCKET,
    World,
    drift_keys,
    expected_drift_keys,
    hooked_scan_session,
)

REASON = "resized on purpose for the quarter-end batch"


def by_resource(outcome: Any) -> dict[str, dict[str, Any]]:
    return {d["resource_id"]: d for d in outcome.result["drifts"]}


def cost_rows(ctx: Any) -> dict[str, list[float]]:
    """Recorded monthly cost per drift id, one value per scan."""
    with ctx.read() as session:
        found = session.execute(select(col(CostMetric.drift_id), col(CostMetric.cost_usd))).all()
    out: dict[str, list[float]] = {}
    for drift_id, cost in found:
        out.setdefault(str(drift_id), []).append(float(cost))
    return out


def drift_count(ctx: Any) -> int:
    with ctx.read() as session:
        return int(session.execute(select(func.count()).select_from(Drift)).scalar_one())


def test_an_approval_holds_for_the_same_difference_and_a_new_one_reopens(
    world: World, ctx: Any, db_url: str
) -> None:
    probe = DbProbe(url=db_url, ctx=ctx)
    world.estate.drift()
    first = world.scan(ctx)
    assert first.exit_code == 1
    assert drift_keys(first.result["drifts"]) == expected_drift_keys(world.estate)
    ids = {d["resource_id"]: d["id"] for d in first.result["drifts"]}
    created = probe.audit(action="drift_created")
    assert {str(a.drift_id) for a in created} == set(ids.values())
    assert {a.details["scan_id"] for a in created if a.details} == {first.result["scan"]["id"]}
    critical = {d["id"] for d in first.result["drifts"] if d["severity"] == "critical"}
    alerted = {str(a.drift_id) for i in ids.values() for a in probe.alerts(i)}
    assert len(critical) == 2
    assert critical <= alerted
    drift_service.approve(ctx, list(ids.values()), reason=REASON)

    # The same differences again: still approved, nothing fails, nothing new.
    second = world.scan(ctx)
    assert second.exit_code == 0
    assert {d["resource_id"]: d["id"] for d in second.result["drifts"]} == ids
    assert {d["status"] for d in second.result["drifts"]} == {"approved"}
    assert drift_count(ctx) == 4
    assert probe.audit(action="drift_reopened") == []
    # One cost row per drift and scan, so cost can be charted over time.
    costs = cost_rows(ctx)
    assert {drift_id: len(values) for drift_id, values in costs.items()} == {
        drift_id: 2 for drift_id in ids.values()
    }
    ec2_cost = by_resource(first)[world.estate.instance_id]["cost_impact_monthly"]
    assert ec2_cost > 0
    assert costs[ids[world.estate.instance_id]] == [ec2_cost, ec2_cost]

    # The instance moved on to another size: that is not what was approved.
    world.estate.resize_instance("t3.xlarge")
    third = world.scan(ctx)
    assert third.exit_code == 1
    ec2_id = ids[world.estate.instance_id]
    ec2 = by_resource(third)[world.estate.instance_id]
    assert ec2["id"] == ec2_id
    assert ec2["status"] == "detected"
    assert ec2["approved_at"] is None and ec2["approval_reason"] is None
    assert ec2["difference"]["instance_type"]["actual"] == "t3.xlarge"
    others = {d["status"] for d in third.result["drifts"] if d["id"] != ec2_id}
    assert others == {"approved"}
    [reopened] = probe.audit(action="drift_reopened")
    assert str(reopened.drift_id) == ec2_id
    assert reopened.details is not None
    assert reopened.details["scan_id"] == third.result["scan"]["id"]
    assert reopened.old_value is not None and reopened.old_value["status"] == "approved"
    assert drift_count(ctx) == 4


def test_a_drift_fixed_in_aws_is_resolved_by_the_next_full_scan(
    world: World, ctx: Any, db_url: str
) -> None:
    probe = DbProbe(url=db_url, ctx=ctx)
    world.estate.drift()
    first = world.scan(ctx)
    ids = {d["id"] for d in first.result["drifts"]}
    approved = first.result["drifts"][0]["id"]
    drift_service.approve(ctx, [approved], reason=REASON)

    world.estate.undo_drift()  # also deletes the unmanaged bucket
    fixed = world.scan(ctx)

    assert fixed.exit_code == 0
    assert fixed.result["drifts"] == []
    scan_id = fixed.result["scan"]["id"]
    for drift_id in ids:
        row = probe.drift(drift_id)
        assert (row.status, row.resolved_how) == ("resolved", "manual-fix"), row.resource_id
        assert row.resolved_at is not None
        [audit] = probe.audit(drift_id, action="drift_resolved")
        assert audit.details is not None and audit.details["scan_id"] == scan_id
        assert audit.new_value == {"status": "resolved", "resolved_how": "manual-fix"}
    assert probe.audit(approved, action="drift_resolved")[0].old_value == {"status": "approved"}


def test_a_rejected_drift_keeps_failing_until_fixed(world: World, ctx: Any) -> None:
    world.estate.resize_instance("t3.large")
    [drift] = world.scan(ctx).result["drifts"]
    drift_service.reject(ctx, [drift["id"]], reason="nobody asked for a bigger instance")

    again = world.scan(ctx, fail_on="warning")

    assert again.exit_code == 1
    assert [(d["id"], d["status"]) for d in again.result["drifts"]] == [(drift["id"], "rejected")]


def test_a_deleted_resource_is_missing_and_a_deleted_unmanaged_bucket_resolves(
    world: World, ctx: Any, db_url: str
) -> None:
    probe = DbProbe(url=db_url, ctx=ctx)
    s3 = world.estate.client("s3")
    s3.create_bucket(Bucket=UNMANAGED_BUCKET)
    world.estate.client("rds").delete_db_instance(DBInstanceIdentifier=DB, SkipFinalSnapshot=True)

    first = world.scan(ctx)

    assert first.exit_code == 1
    assert drift_keys(first.result["drifts"]) == {
        ("RDS", DB, "missing", "warning", ()),
        # no public access block on it: not exposed, but unguarded
        ("S3", UNMANAGED_BUCKET, "unmanaged", "warning", ()),
    }
    missing = by_resource(first)[DB]
    assert missing["expected_state"]["instance_class"] == "db.t3.micro"
    assert missing["expected_state"].get("password") in (None, "(sensitive)")
    unmanaged_id = by_resource(first)[UNMANAGED_BUCKET]["id"]

    s3.delete_bucket(Bucket=UNMANAGED_BUCKET)
    second = world.scan(ctx)

    assert [(d["resource_id"], d["id"]) for d in second.result["drifts"]] == [(DB, missing["id"])]
    assert probe.status(missing["id"]) == "detected"
    row = probe.drift(unmanaged_id)
    assert (row.status, row.resolved_how) == ("resolved", "manual-fix")
    [audit] = probe.audit(unmanaged_id, action="drift_resolved")
    assert audit.details is not None
    assert audit.details["scan_id"] == second.result["scan"]["id"]


def _deny(operation: str) -> Any:
    def hook(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform this"}},
            operation,
        )

    return hook


def test_a_type_the_scan_could_not_read_keeps_its_open_drifts(
    world: World, ctx: Any, db_url: str
) -> None:
    probe = DbProbe(url=db_url, ctx=ctx)
    world.estate.drift()
    first = world.scan(ctx)
    ids = {(d["resource_type"], d["resource_id"]): d["id"] for d in first.result["drifts"]}
    world.estate.undo_drift()  # everything fixed, but S3 cannot be read this time
    denied = hooked_scan_session(hooks=[("before-call.s3.ListBuckets", _deny("ListBuckets"))])

    partial = world.scan(ctx, session_factory=denied)

    assert partial.exit_code == 6
    assert partial.result["scan"]["status"] == "partial"
    assert [(e["resource_type"], e["code"]) for e in partial.result["scan"]["errors"]] == [
        ("S3", "AccessDenied")
    ]
    statuses = {key: probe.status(drift_id) for key, drift_id in ids.items()}
    assert statuses == {
        ("EC2", world.estate.instance_id): "resolved",
        ("SECURITY_GROUP", world.estate.group_id): "resolved",
        ("S3", BUCKET): "detected",
        ("S3", UNMANAGED_BUCKET): "detected",
    }
