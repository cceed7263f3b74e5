"""``driftctl remediate`` and ``resolve --how auto-remediate`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftctl.services import drifts as drifts_svc
from tests.cli.databases import _migrate
from tests.conftest import run_cli
from tests.scan.estate import SSH_WORLD, WORLD, World, _tcp


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the command line behaves the same on both engines, and the service tests
    (test_remediate_service.py) and the process race run on both."""
    url = f"sqlite:///{tmp_path / 'driftctl.db'}"
    _migrate(url)
    return url


@pytest.fixture
def ssh_drift(world: World, ctx: Any) -> str:
    """SSH opened to the world on the estate's group, scanned and rejected: the drift id."""
    world.estate.client("ec2").authorize_security_group_ingress(
        GroupId=world.estate.group_id, IpPermissions=[_tcp(22, WORLD)]
    )
    outcome = world.scan(ctx, resource_types=["SECURITY_GROUP"])
    [drift] = outcome.result["drifts"]
    drifts_svc.reject(ctx, [drift["id"]], reason="port 22 must stay closed")
    return str(drift["id"])


def _url(ctx: Any) -> str:
    return str(ctx.engine.url.render_as_string(hide_password=False))


def _ssh_open(world: World) -> bool:
    [group] = world.estate.client("ec2").describe_security_groups(GroupIds=[world.estate.group_id])[
        "SecurityGroups"
    ]
    return any(p.get("FromPort") == 22 for p in group["IpPermissions"])


def test_dry_run_prints_the_plan_and_changes_nothing(
    world: World, ctx: Any, ssh_drift: str
) -> None:
    result = run_cli(["--db", _url(ctx), "remediate", ssh_drift[:8], "--dry-run"])

    assert result.exit_code == 0, result.stderr
    assert "ec2:RevokeSecurityGroupIngress" in result.stdout
    assert SSH_WORLD in result.stdout
    assert "ready" in result.stdout
    assert _ssh_open(world)
    assert drifts_svc.show_drift(ctx, ssh_drift)["status"] == "rejected"


def test_without_a_terminal_it_needs_yes(world: World, ctx: Any, ssh_drift: str) -> None:
    result = run_cli(["--db", _url(ctx), "remediate", ssh_drift])

    assert result.exit_code == 2
    assert "ec2:RevokeSecurityGroupIngress" in result.stdout  # the plan is still shown
    assert "--yes" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _ssh_open(world)


def test_yes_runs_the_plan_and_resolves(world: World, ctx: Any, ssh_drift: str) -> None:
    result = run_cli(["--db", _url(ctx), "-o", "json", "remediate", ssh_drift, "--yes"])

    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["summary"] == {"drifts": 1, "ready": 1, "refused": 0, "calls": 1}
    [plan] = body["plans"]
    assert plan["status"] == "ready"
    assert plan["calls"][0]["operation"] == "ec2:RevokeSecurityGroupIngress"
    assert plan["calls"][0]["fixes"] == [SSH_WORLD]
    assert body["results"] == [
        {
            "drift_id": ssh_drift,
            "resource_type": "SECURITY_GROUP",
            "resource_id": world.estate.group_id,
            "outcome": "resolved",
            "calls": [
                {
                    "operation": "ec2:RevokeSecurityGroupIngress",
                    "region": "us-east-1",
                    "result": "ok",
                }
            ],
            "error": None,
        }
    ]
    assert body["exit_code"] == 0
    assert not _ssh_open(world)
    shown = drifts_svc.show_drift(ctx, ssh_drift)
    assert (shown["status"], shown["resolved_how"]) == ("resolved", "auto-remediate")


def test_resolve_auto_remediate_is_remediate_yes(world: World, ctx: Any, ssh_drift: str) -> None:
    result = run_cli(["--db", _url(ctx), "resolve", ssh_drift, "--how", "auto-remediate"])

    assert result.exit_code == 0, result.stderr
    assert f"resolved {ssh_drift[:8]}" in result.stdout
    assert not _ssh_open(world)
    assert drifts_svc.show_drift(ctx, ssh_drift)["resolved_how"] == "auto-remediate"


def test_a_terminal_is_asked_and_no_changes_nothing(
    world: World, ctx: Any, ssh_drift: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from driftctl.cli import console

    monkeypatch.setattr(console, "stdin_is_tty", lambda: True)
    declined = run_cli(["--db", _url(ctx), "remediate", ssh_drift], stdin="n\n")
    assert declined.exit_code == 0
    assert "Run 1 AWS call on 1 resource" in declined.stderr
    assert "Nothing was changed." in declined.stderr
    assert _ssh_open(world)

    accepted = run_cli(["--db", _url(ctx), "remediate", ssh_drift], stdin="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert not _ssh_open(world)


def test_an_approved_drift_exits_4_and_names_why(world: World, ctx: Any) -> None:
    world.estate.client("ec2").authorize_security_group_ingress(
        GroupId=world.estate.group_id, IpPermissions=[_tcp(22, WORLD)]
    )
    [drift] = world.scan(ctx, resource_types=["SECURITY_GROUP"]).result["drifts"]
    drifts_svc.approve(ctx, [drift["id"]], reason="bastion access for the migration")

    result = run_cli(["--db", _url(ctx), "remediate", drift["id"], "--yes"])

    assert result.exit_code == 4
    assert "approved" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _ssh_open(world)


def test_deleting_an_unmanaged_group_needs_its_id_typed(world: World, ctx: Any) -> None:
    ec2 = world.estate.client("ec2")
    extra = ec2.create_security_group(
        GroupName="wizard", Description="made by hand", VpcId=world.estate.vpc_id
    )["GroupId"]
    [drift] = world.scan(ctx, resource_types=["SECURITY_GROUP"]).result["drifts"]
    base = ["--db", _url(ctx), "remediate", drift["id"], "--yes"]

    refused = run_cli(base)
    assert refused.exit_code == 4
    assert "--delete-unmanaged" in refused.stderr

    unconfirmed = run_cli([*base, "--delete-unmanaged"])
    assert unconfirmed.exit_code == 2
    assert f"--confirm-delete {extra}" in unconfirmed.stderr

    deleted = run_cli([*base, "--delete-unmanaged", "--confirm-delete", extra])
    assert deleted.exit_code == 0, deleted.stderr
    groups = {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert extra not in groups


def test_markdown_plan_escapes_aws_values(world: World, ctx: Any, ssh_drift: str) -> None:
    result = run_cli(["--db", _url(ctx), "-o", "markdown", "remediate", ssh_drift, "--dry-run"])

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "### driftctl remediation plan"
    [row] = [line for line in lines if line.startswith(f"| `{ssh_drift[:8]}`")]
    assert "`ec2:RevokeSecurityGroupIngress`" in row
    # Every row has the header's four cells: nothing in a value broke the table.
    assert row.count(" | ") + 2 == lines[lines.index("| Drift | Resource | Region | Plan |")].count(
        "|"
    )


def test_nothing_selected_says_so(world: World, ctx: Any) -> None:
    result = run_cli(["--db", _url(ctx), "remediate", "--all-rejected"])
    assert result.exit_code == 0
    assert "No drifts to remediate." in result.stderr


def test_no_selection_is_a_usage_error(ctx: Any) -> None:
    result = run_cli(["--db", _url(ctx), "remediate"])
    assert result.exit_code == 2
    assert "--all-rejected" in result.stderr
