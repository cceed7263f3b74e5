"""A scan writes its drifts in batches: the statement count does not grow with the drift count."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlmodel import col

from driftctl.db.models import Drift
from driftctl.services.scanning import ScanOptions, run_scan
from tests.iac.conftest import StateFactory
from tests.scan.estate import AMI, Estate, scan_session, write_json

INSTANCES = 60
_DRIFTS_TABLE = re.compile(r"\bdrifts\b")


@contextmanager
def statements(ctx: Any) -> Iterator[list[str]]:
    """Every SQL statement sent to the database meanwhile (an executemany counts once)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    engines = {id(e): e for e in (ctx.engine, ctx.read_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def on_drifts(seen: list[str], verb: str | None = None) -> list[str]:
    found = [s for s in seen if _DRIFTS_TABLE.search(s.lower())]
    return [s for s in found if s.upper().startswith(verb)] if verb else found


@pytest.mark.usefixtures("aws")
def test_drifts_are_inserted_updated_and_resolved_in_batches(ctx: Any, tmp_path: Path) -> None:
    ec2 = Estate().client("ec2")
    launched = ec2.run_instances(
        ImageId=AMI, InstanceType="t3.micro", MinCount=INSTANCES, MaxCount=INSTANCES
    )["Instances"]
    instance_ids = {i["InstanceId"] for i in launched}
    state = tmp_path / "empty.tfstate"
    write_json(state, StateFactory.doc())
    options = ScanOptions(
        sources=[str(state)],
        cwd=tmp_path,
        regions=["us-east-1"],
        resource_types=["EC2"],
        session_factory=scan_session,
    )

    with statements(ctx) as first_sql:
        first = run_scan(ctx, options)

    assert {d["resource_id"] for d in first.result["drifts"]} == instance_ids
    assert {d["drift_type"] for d in first.result["drifts"]} == {"unmanaged"}
    assert 1 <= len(on_drifts(first_sql, "INSERT")) <= 2
    assert len(on_drifts(first_sql)) <= 10
    # Drifts, their cost rows and audit rows together: nowhere near one statement per drift.
    assert len(first_sql) < INSTANCES // 2

    with statements(ctx) as second_sql:
        second = run_scan(ctx, options)

    assert {d["id"] for d in second.result["drifts"]} == {d["id"] for d in first.result["drifts"]}
    assert on_drifts(second_sql, "INSERT") == []
    assert 1 <= len(on_drifts(second_sql, "UPDATE")) <= 2
    assert len(on_drifts(second_sql)) <= 10
    assert len(second_sql) < INSTANCES // 2

    ec2.terminate_instances(InstanceIds=sorted(instance_ids))
    with statements(ctx) as third_sql:
        third = run_scan(ctx, options)

    assert third.result["drifts"] == []
    with ctx.read() as session:
        statuses = set(session.execute(select(col(Drift.status))).scalars())
    assert statuses == {"resolved"}
    assert len(on_drifts(third_sql)) <= 10
    assert len(third_sql) < INSTANCES // 2
