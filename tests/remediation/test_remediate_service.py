"""``services.remediation`` on the scan estate in moto, recorded in SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from driftctl.errors import ExitCode, ExternalServiceError, ForbiddenError
from driftctl.services import drifts as drifts_svc
from driftctl.services import remediation as svc
from driftctl.services.audit import list_audit, verify
from tests.scan.estate import SSH_WORLD, WORLD, World, _tcp, hooked_scan_session, scan_session

HTTPS_INTERNAL = "ingress[tcp:443:10.0.0.0/8]"


def _open_ssh(world: World) -> None:
    world.estate.client("ec2").authorize_security_group_ingress(
        GroupId=world.estate.group_id, IpPermissions=[_tcp(22, WORLD)]
    )


def _close_https(world: World) -> None:
    world.estate.client("ec2").revoke_security_group_ingress(
        GroupId=world.estate.group_id, IpPermissions=[_tcp(443, "10.0.0.0/8")]
    )


def _group_drift(world: World, ctx: Any) -> dict[str, Any]:
    outcome = world.scan(ctx, resource_types=["SECURITY_GROUP"])
    [drift] = [d for d in outcome.result["drifts"] if d["resource_type"] == "SECURITY_GROUP"]
    return dict(drift)


def _options(*ids: str, **overrides: Any) -> svc.RemediateOptions:
    values: dict[str, Any] = {
        "ids": list(ids),
        "session_factory": scan_session,
        "settle_delays": (),
    }
    values.update(overrides)
    return svc.RemediateOptions(**values)


def _actions(ctx: Any, drift_id: str) -> list[str]:
    """The drift's audit actions, oldest first."""
    page = list_audit(ctx, drift=drift_id, limit=1000)
    return [row["action"] for row in reversed(page.items)]


def test_a_rejected_rule_is_revoked_and_the_drift_resolved(world: World, ctx: Any) -> None:
    _open_ssh(world)
    drift = _group_drift(world, ctx)
    drifts_svc.reject(ctx, [drift["id"]], reason="port 22 must stay closed")

    prepared = svc.prepare(ctx, _options(drift["id"]))
    [plan] = prepared.plans
    assert plan.ready, plan.refused
    assert [(c.name, c.fixes) for c in plan.calls] == [
        ("ec2:RevokeSecurityGroupIngress", (SSH_WORLD,))
    ]
    applied = svc.apply(ctx, prepared, _options(drift["id"]))

    assert applied.exit_code == ExitCode.OK
    assert [r.outcome for r in applied.results] == ["resolved"]
    shown = drifts_svc.show_drift(ctx, drift["id"])
    assert (shown["status"], shown["resolved_how"]) == ("resolved", "auto-remediate")
    assert _actions(ctx, drift["id"])[-3:] == [
        "remediation_planned",
        "remediation_call",
        "drift_resolved",
    ]
    call_row = next(r for r in shown["audit_trail"] if r["action"] == "remediation_call")
    assert call_row["details"]["operation"] == "ec2:RevokeSecurityGroupIngress"
    assert call_row["details"]["result"] == "ok"
    assert verify(ctx).ok
    # AWS is back to the IaC: a new scan finds nothing on the group.
    again = world.scan(ctx, resource_types=["SECURITY_GROUP"])
    assert [d for d in again.result["drifts"] if d["status"] != "resolved"] == []


def test_an_approved_drift_is_refused(world: World, ctx: Any) -> None:
    _open_ssh(world)
    drift = _group_drift(world, ctx)
    drifts_svc.approve(ctx, [drift["id"]], reason="bastion access for the migration")

    prepared = svc.prepare(ctx, _options(drift["id"]))

    [plan] = prepared.plans
    assert not plan.ready
    assert "approved" in (plan.refused or "")
    assert prepared.refusal_exit_code == ExitCode.CONFLICT
    assert svc.apply(ctx, prepared, _options(drift["id"])).results == []


def test_missing_and_unmanaged_resources_are_refused(world: World, ctx: Any) -> None:
    ec2 = world.estate.client("ec2")
    extra = ec2.create_security_group(
        GroupName="wizard", Description="made by hand", VpcId=world.estate.vpc_id
    )["GroupId"]
    world.estate.client("iam").delete_role(RoleName="estate-role")
    outcome = world.scan(ctx, resource_types=["SECURITY_GROUP", "IAM_ROLE"])
    by_kind = {d["drift_type"]: d["id"] for d in outcome.result["drifts"]}

    prepared = svc.prepare(ctx, _options(by_kind["missing"], by_kind["unmanaged"]))

    reasons = {p.drift_type: p.refused or "" for p in prepared.plans}
    assert "never re-created" in reasons["missing"]
    assert "--delete-unmanaged" in reasons["unmanaged"]
    assert {c.name for p in prepared.plans for c in p.calls} <= {"ec2:DeleteSecurityGroup"}

    deleting = svc.prepare(ctx, _options(by_kind["unmanaged"], delete_unmanaged=True))
    [plan] = deleting.plans
    assert plan.ready and plan.deletes
    applied = svc.apply(ctx, deleting, _options(by_kind["unmanaged"], delete_unmanaged=True))
    assert [r.outcome for r in applied.results] == ["resolved"]
    groups = ec2.describe_security_groups()["SecurityGroups"]
    assert extra not in {g["GroupId"] for g in groups}


def test_a_drift_changed_since_the_scan_is_refused(world: World, ctx: Any) -> None:
    _open_ssh(world)
    drift = _group_drift(world, ctx)
    # Someone closes the port by hand after the scan.
    world.estate.client("ec2").revoke_security_group_ingress(
        GroupId=world.estate.group_id, IpPermissions=[_tcp(22, WORLD)]
    )

    prepared = svc.prepare(ctx, _options(drift["id"]))

    [plan] = prepared.plans
    assert plan.stale
    assert "changed since the scan" in (plan.refused or "")


def test_a_denied_second_call_leaves_the_drift_open_and_raises_an_alert(
    world: World, ctx: Any
) -> None:
    from driftctl.config import load_settings
    from driftctl.services.context import open_context

    _open_ssh(world)
    _close_https(world)
    drift = _group_drift(world, ctx)
    drifts_svc.reject(ctx, [drift["id"]], reason="rules must match the IaC")

    def deny(**_: Any) -> None:
        error = {"Error": {"Code": "UnauthorizedOperation", "Message": "no Password=hunter2"}}
        raise ClientError(error, "AuthorizeSecurityGroupIngress")  # type: ignore[arg-type]

    factory = hooked_scan_session(hooks=[("before-call.ec2.AuthorizeSecurityGroupIngress", deny)])
    options = _options(drift["id"], session_factory=factory)
    # A webhook channel takes remediation_failed alerts of any severity.
    settings = load_settings(database_url=str(ctx.engine.url.render_as_string(False)))
    settings.notify = {
        "webhook": {
            "url": "http://127.0.0.1:9/hook",
            "signing_secret": "test-signing-key",
            "min_severity": "info",
        },
    }
    alerting = open_context(settings, command="pytest")
    try:
        prepared = svc.prepare(alerting, options)
        [plan] = prepared.plans
        assert [c.name for c in plan.calls] == [
            "ec2:RevokeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupIngress",
        ]
        applied = svc.apply(alerting, prepared, options)
    finally:
        alerting.dispose()

    assert applied.exit_code == ExitCode.EXTERNAL
    [result] = applied.results
    assert result.outcome == "failed"
    assert [(c.operation, c.result) for c in result.calls] == [
        ("ec2:RevokeSecurityGroupIngress", "ok"),
        ("ec2:AuthorizeSecurityGroupIngress", "UnauthorizedOperation"),
    ]
    shown = drifts_svc.show_drift(ctx, drift["id"])
    assert shown["status"] == "rejected"
    assert _actions(ctx, drift["id"])[-4:] == [
        "remediation_planned",
        "remediation_call",
        "remediation_call",
        "remediation_failed",
    ]
    [alert] = [a for a in shown["alerts"] if a["type"] == "remediation_failed"]
    assert "1 of 2 calls made" in alert["message"]
    assert "ec2:RevokeSecurityGroupIngress" in alert["message"]
    _assert_outbox(ctx, alert["id"], ["webhook"])
    text = repr(shown)
    assert "hunter2" not in text
    assert verify(ctx).ok
    # The claim is released: a later run may try again (and now only re-authorizes).
    retry = svc.prepare(ctx, _options(drift["id"]))
    assert retry.plans[0].refused and "changed since the scan" in retry.plans[0].refused


def _assert_outbox(ctx: Any, alert_id: str, channels: list[str]) -> None:
    import uuid

    from sqlalchemy import select

    from driftctl.db.models import NotificationOutbox

    with ctx.read() as session:
        rows = session.execute(
            select(NotificationOutbox.channel).where(
                NotificationOutbox.alert_id == uuid.UUID(alert_id)
            )
        ).all()
    assert sorted(r[0] for r in rows) == channels


def test_a_claimed_drift_is_a_conflict_for_the_second_run(world: World, ctx: Any) -> None:
    _open_ssh(world)
    drift = _group_drift(world, ctx)
    first = svc.prepare(ctx, _options(drift["id"]))
    second = svc.prepare(ctx, _options(drift["id"]))
    # The first run holds the claim while its calls are made.
    token = "another-run"
    assert svc._claim(ctx, first.items[0], token) is None

    applied = svc.apply(ctx, second, _options(drift["id"]))

    [result] = applied.results
    assert result.outcome == "conflict"
    assert "another driftctl remediate is running" in (result.error or "")
    assert applied.exit_code == ExitCode.CONFLICT
    assert [c for c in result.calls] == []


def test_a_viewer_may_not_remediate(world: World, ctx: Any) -> None:
    import dataclasses

    from driftctl.domain import Role

    viewer = dataclasses.replace(ctx, actor=dataclasses.replace(ctx.actor, role=Role.VIEWER))
    with pytest.raises(ForbiddenError):
        svc.prepare(viewer, _options("abcdef12"))


def test_all_rejected_selects_only_rejected_drifts(world: World, ctx: Any) -> None:
    _open_ssh(world)
    drift = _group_drift(world, ctx)
    assert svc.prepare(ctx, _options(all_rejected=True)).items == []
    drifts_svc.reject(ctx, [drift["id"]], reason="port 22 must stay closed")
    prepared = svc.prepare(ctx, _options(all_rejected=True))
    assert [str(i.drift_id) for i in prepared.items] == [drift["id"]]


def test_credentials_for_another_account_are_refused(world: World, ctx: Any) -> None:
    from sqlalchemy import update

    from driftctl.db.models import Drift

    _open_ssh(world)
    drift = _group_drift(world, ctx)
    # As if the drift had been recorded with another account's credentials.
    with ctx.write() as session:
        session.execute(update(Drift).values(account_id="210987654321"))

    prepared = svc.prepare(ctx, _options(drift["id"]))

    [plan] = prepared.plans
    assert "account 210987654321" in (plan.refused or "")
    assert plan.calls == [] or not plan.ready
    assert _ssh_open_in(world)


def _ssh_open_in(world: World) -> bool:
    [group] = world.estate.client("ec2").describe_security_groups(GroupIds=[world.estate.group_id])[
        "SecurityGroups"
    ]
    return any(p.get("FromPort") == 22 for p in group["IpPermissions"])


def test_a_resource_that_cannot_be_read_again_is_refused_with_exit_6(
    world: World, ctx: Any
) -> None:
    _open_ssh(world)
    drift = _group_drift(world, ctx)

    def deny(**_: Any) -> None:
        error = {"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}
        raise ClientError(error, "DescribeSecurityGroups")  # type: ignore[arg-type]

    factory = hooked_scan_session(hooks=[("before-call.ec2.DescribeSecurityGroups", deny)])
    # Nothing at all could be read: the whole run stops (exit 6), before any claim or call.
    with pytest.raises(ExternalServiceError) as info:
        svc.prepare(ctx, _options(drift["id"], session_factory=factory))
    assert info.value.exit_code == ExitCode.EXTERNAL
    assert drifts_svc.show_drift(ctx, drift["id"])["status"] == "detected"


def test_an_unreadable_type_among_readable_ones_refuses_its_drift_with_exit_6(
    world: World, ctx: Any
) -> None:
    _open_ssh(world)
    world.estate.client("iam").tag_role(
        RoleName="estate-role", Tags=[{"Key": "Owner", "Value": "someone"}]
    )
    outcome = world.scan(ctx, resource_types=["SECURITY_GROUP", "IAM_ROLE"])
    ids = [d["id"] for d in outcome.result["drifts"]]
    assert len(ids) == 2

    def deny(**_: Any) -> None:
        error = {"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}
        raise ClientError(error, "DescribeSecurityGroups")  # type: ignore[arg-type]

    factory = hooked_scan_session(hooks=[("before-call.ec2.DescribeSecurityGroups", deny)])
    prepared = svc.prepare(ctx, _options(*ids, session_factory=factory))

    unreadable = [p for p in prepared.plans if p.unreadable]
    assert [p.resource_type for p in unreadable] == ["SECURITY_GROUP"]
    assert "could not re-read" in (unreadable[0].refused or "")
    assert prepared.refusal_exit_code == ExitCode.EXTERNAL
