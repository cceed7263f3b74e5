"""Data integrity across scans: sources own their drifts, --no-store reads approvals, a widened
drift alerts again, a fix that did not hold reopens, and dead scans do not stay ``running``."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import uuid
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError
from sqlalchemy import func, select
from sqlmodel import col

from driftctl.db.models import Alert, Drift, Scan
from driftctl.db.types import utcnow
from driftctl.domain import ResolvedHow
from driftctl.services import drifts as drift_service
from driftctl.services.baselines import capture_baseline
from driftctl.services.recording import INTERRUPTED, runner_id
from driftctl.services.scanning import run_scan
from tests.cli.probe import DbProbe
from tests.conftest import run_cli
from tests.scan.estate import WORLD, World

REASON = "reviewed in the change board, CHG-2211"


def _ids(outcome: Any) -> dict[tuple[str, str], str]:
    return {(d["resource_id"], d["drift_type"]): d["id"] for d in outcome.result["drifts"]}


def _count(ctx: Any, model: Any) -> int:
    with ctx.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _open_rdp(world: World) -> None:
    world.estate.client("ec2").authorize_security_group_ingress(
        GroupId=world.estate.group_id,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": WORLD}]}
        ],
    )


def test_a_baseline_scan_leaves_the_state_scans_drifts_alone(world: World, ctx: Any) -> None:
    world.estate.drift()
    first = world.scan(ctx)
    ids = _ids(first)
    drift_service.approve(ctx, list(ids.values())[:2], reason=REASON)
    statuses = DbProbe(url="", ctx=ctx).statuses()
    alerts = _count(ctx, Alert)

    capture_baseline(ctx, "before-migration", world.options(regions=["us-east-1"]))
    from_baseline = run_scan(ctx, world.options(sources=["baseline://before-migration"]))
    assert from_baseline.exit_code == 0
    assert from_baseline.result["drifts"] == []
    assert DbProbe(url="", ctx=ctx).statuses() == statuses

    again = world.scan(ctx)
    assert _ids(again) == ids
    assert DbProbe(url="", ctx=ctx).statuses() == statuses
    assert _count(ctx, Alert) == alerts


def test_drifts_remember_which_sources_found_them(world: World, ctx: Any) -> None:
    world.estate.drift()
    world.scan(ctx)
    capture_baseline(ctx, "snap", world.options(regions=["us-east-1"]))
    _open_rdp(world)
    from_baseline = run_scan(ctx, world.options(sources=["baseline://snap"]))
    [found] = from_baseline.result["drifts"]
    assert found["difference"].keys() == {f"ingress[tcp:3389:{WORLD}]"}
    with ctx.read() as session:
        keys = session.execute(
            select(col(Drift.resource_type), col(Drift.source_key)).where(
                col(Drift.status) != "resolved"
            )
        ).all()
    by_source: dict[str, set[str]] = {}
    for rtype, key in keys:
        by_source.setdefault(key, set()).add(rtype)
    # The state scan's four drifts and the baseline scan's one, each under its own key.
    assert sorted(len(v) for v in by_source.values()) == [1, 3]
    assert "" not in by_source


def test_no_store_applies_the_databases_approvals_and_writes_nothing(
    world: World, ctx: Any, db_url: str
) -> None:
    world.estate.drift()
    first = world.scan(ctx)
    drift_service.approve(ctx, list(_ids(first).values()), reason=REASON)
    before = (_count(ctx, Drift), _count(ctx, Scan), DbProbe(url=db_url, ctx=ctx).snapshot())

    unstored = run_scan(ctx, world.options(store=False))
    assert unstored.exit_code == 0
    assert {d["status"] for d in unstored.result["drifts"]} == {"approved"}
    assert _ids(unstored) == _ids(first)
    assert unstored.result["scan"]["id"] is None

    # Through the CLI too: the existing database is read, not written.
    cli = run_cli(
        [
            "--db",
            db_url,
            "scan",
            "--from",
            str(world.state),
            "--region",
            "us-east-1",
            "--no-store",
            "--driftignore",
            str(world.root / ".driftignore"),
            "-o",
            "json",
        ]
    )
    assert cli.exit_code == 0, cli.stderr
    assert {d["status"] for d in cli.json()["drifts"]} == {"approved"}

    # A different difference than the approved one: shown detected again, and failing.
    world.estate.resize_instance("t3.xlarge")
    changed = run_scan(ctx, world.options(store=False))
    assert changed.exit_code == 1
    instance = next(d for d in changed.result["drifts"] if d["resource_type"] == "EC2")
    assert instance["status"] == "detected"
    assert (
        _count(ctx, Drift),
        _count(ctx, Scan),
        DbProbe(url=db_url, ctx=ctx).snapshot(),
    ) == before


def test_no_store_without_a_database_creates_none(world: World, tmp_path: Any) -> None:
    target = tmp_path / "never" / "driftctl.db"
    result = run_cli(
        [
            "--db",
            f"sqlite:///{target}",
            "scan",
            "--from",
            str(world.state),
            "--region",
            "us-east-1",
            "--no-store",
            "--fail-on",
            "never",
            "-o",
            "json",
        ]
    )
    assert result.exit_code == 0, result.stderr
    assert not target.exists()


def test_a_widened_drift_alerts_again_and_the_audit_says_what_changed(
    world: World, ctx: Any, db_url: str
) -> None:
    probe = DbProbe(url=db_url, ctx=ctx)
    world.estate.drift()
    first = world.scan(ctx)
    group = next(d for d in first.result["drifts"] if d["resource_type"] == "SECURITY_GROUP")
    alerts_before = len(probe.alerts(group["id"]))

    _open_rdp(world)
    world.scan(ctx)

    [updated] = [a for a in probe.audit(group["id"], "drift_updated")]
    assert updated.details is not None
    assert updated.details["added"] == [f"ingress[tcp:3389:{WORLD}]"]
    assert updated.details["removed"] == []
    new_alerts = probe.alerts(group["id"])[alerts_before:]
    assert len(new_alerts) == 1
    assert f"new since the last scan: ingress[tcp:3389:{WORLD}]" in new_alerts[0].message
    assert "widened" in new_alerts[0].title

    # The same, wider difference again: nothing new to say.
    world.scan(ctx)
    assert len(probe.alerts(group["id"])) == alerts_before + 1


def test_a_rejected_drift_whose_fix_did_not_hold_is_reopened(
    world: World, ctx: Any, db_url: str
) -> None:
    probe = DbProbe(url=db_url, ctx=ctx)
    world.estate.drift()
    first = world.scan(ctx)
    group = next(d for d in first.result["drifts"] if d["resource_type"] == "SECURITY_GROUP")
    drift_service.reject(ctx, [group["id"]], reason="port 22 must never be open to the world")
    drift_service.resolve(ctx, [group["id"]], how=ResolvedHow.MANUAL_FIX)
    assert probe.status(group["id"]) == "resolved"

    again = world.scan(ctx)  # AWS was left as it was
    reopened = next(d for d in again.result["drifts"] if d["resource_type"] == "SECURITY_GROUP")
    assert reopened["id"] == group["id"]
    assert reopened["status"] == "rejected"
    assert reopened["rejection_reason"] == "port 22 must never be open to the world"
    assert reopened["resolved_at"] is None
    [row] = probe.audit(group["id"], "drift_reopened")
    assert row.details is not None and row.details["why"] == "fix did not hold"
    actions = [a.action for a in probe.audit(group["id"]) if a.action.startswith("drift_")]
    assert actions == ["drift_created", "drift_rejected", "drift_resolved", "drift_reopened"]
    assert _count(ctx, Drift) == len(first.result["drifts"])


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert child.returncode == 0
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _running(ctx: Any, *, runner: str, heartbeat_age: timedelta) -> uuid.UUID:
    now = utcnow()
    scan = Scan(
        started_at=now - heartbeat_age,
        heartbeat_at=now - heartbeat_age,
        status="running",
        source="manual",
        driftctl_version="test",
        runner=runner,
    )
    with ctx.write() as session:
        session.add(scan)
    return scan.id


def test_scans_killed_while_running_are_marked_failed_by_the_next(
    world: World, ctx: Any, db_url: str
) -> None:
    host = runner_id().rsplit(":", 1)[0]
    killed = _running(ctx, runner=f"{host}:{_dead_pid()}", heartbeat_age=timedelta(seconds=5))
    alive = _running(ctx, runner=runner_id(), heartbeat_age=timedelta(seconds=5))
    elsewhere = _running(ctx, runner="other-host:4242", heartbeat_age=timedelta(minutes=30))
    busy = _running(ctx, runner="other-host:4343", heartbeat_age=timedelta(seconds=5))

    listed = run_cli(["--db", db_url, "scans", "--status", "running", "-o", "json"])
    assert listed.exit_code == 0, listed.stderr
    stale = {i["id"]: i["stale"] for i in listed.json()["items"]}
    assert stale == {str(killed): True, str(alive): False, str(elsewhere): True, str(busy): False}

    world.scan(ctx)

    with ctx.read() as session:
        rows = {s.id: s for s in session.execute(select(Scan)).scalars()}
    assert rows[killed].status == rows[elsewhere].status == "failed"
    assert rows[killed].errors == [INTERRUPTED]
    assert rows[alive].status == rows[busy].status == "running"
    finished = [s for s in rows.values() if s.runner == runner_id() and s.id != alive]
    assert [s.status for s in finished] == ["completed"]
    assert finished[0].heartbeat_at is not None

    history = run_cli(["--db", db_url, "scans", "-o", "json"]).json()
    assert history["pagination"]["total"] == 5
    assert {i["status"] for i in history["items"]} == {"failed", "running", "completed"}
    table = run_cli(["--db", db_url, "scans"])
    assert "INTERRUPTED" in table.stdout


def test_a_scan_that_fails_midway_is_not_left_running(world: World, ctx: Any) -> None:
    def broken() -> Any:
        raise ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "Scan")

    with contextlib.suppress(Exception):
        run_scan(ctx, world.options(session_factory=broken))
    with ctx.read() as session:
        statuses = list(session.execute(select(col(Scan.status))).scalars())
    assert "running" not in statuses


def test_scans_refuses_bad_options(db_url: str) -> None:
    for args, message in (
        (["--status", "sleeping"], "--status must be one of"),
        (["--limit", "0"], "--limit must be between 1 and 100"),
    ):
        result = run_cli(["--db", db_url, "scans", *args])
        assert result.exit_code == 2
        [line] = result.stderr.splitlines()
        assert message in line
