"""``driftctl summary``: counts, open cost, the daily trend, the timeline, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from driftctl.db.types import utcnow
from driftctl.services import drifts as drift_service
from driftctl.services.summary import build_summary, scan_costs
from driftctl.services.timeline import build_timeline
from driftctl.types import registry
from tests.costs.seed import seed_estate
from tests.factories import insert_drifts, make_drift


@pytest.fixture
def seeded(ctx: Any) -> Any:
    return seed_estate(ctx, utcnow())


def test_open_drift_counts_and_cost(ctx: Any, seeded: Any) -> None:
    summary = build_summary(ctx, now=seeded.now)

    assert summary.open_total == 5
    assert summary.undecided_total == 3
    assert summary.resolved_total == 2
    assert summary.by_status == {"detected": 2, "triaged": 1, "approved": 1, "rejected": 1}
    assert summary.by_severity == {"critical": 2, "warning": 2, "info": 1}
    # Every registered type is listed, with 0 where it has no open drift.
    counts = {"EC2": 2, "SECURITY_GROUP": 1, "S3": 1, "RDS": 1}
    assert summary.by_type == {name: counts.get(name, 0) for name in registry.names()}
    assert summary.by_drift_type == {"modified": 3, "missing": 1, "unmanaged": 1}
    assert summary.by_region == {"eu-west-1": 2, "us-east-1": 2, "us-west-2": 1}
    assert summary.open_cost_impact_monthly == Decimal("150.67")
    assert summary.cost_by_type["EC2"] == Decimal("45.55")
    assert summary.cost_by_type["RDS"] == Decimal("105.12")
    assert summary.cost_by_severity == {
        "critical": Decimal("105.12"),
        "warning": Decimal("45.55"),
        "info": Decimal("0.00"),
    }


def test_the_daily_trend(ctx: Any, seeded: Any) -> None:
    summary = build_summary(ctx, now=seeded.now)

    trend = summary.trend
    assert len(trend) == 30
    assert trend[0].day == seeded.day(29) and trend[-1].day == seeded.today
    by_day = {p.day: p for p in trend}
    detected = {p.day: p.detected for p in trend if p.detected}
    assert detected == {seeded.day(0): 1, seeded.day(2): 1, seeded.day(5): 2, seeded.day(10): 1}
    resolved = {p.day: p.resolved for p in trend if p.resolved}
    assert resolved == {seeded.day(3): 1, seeded.day(1): 1}
    # E (resolved 3 days ago) and G (still open) were open when the window started.
    assert by_day[seeded.day(29)].open == 2
    assert [by_day[seeded.day(n)].open for n in (11, 10, 5, 3, 2, 1, 0)] == [2, 3, 5, 4, 5, 4, 5]
    assert trend[-1].open == summary.open_total
    # Per day, the last cost each drift had: A 30.37 (not 20.00) + D 105.12 today.
    costs = {p.day: p.cost_impact_monthly for p in trend if p.cost_impact_monthly is not None}
    assert costs == {seeded.day(0): Decimal("135.49"), seeded.day(1): Decimal("115.18")}


def test_the_scan_series(ctx: Any, seeded: Any) -> None:
    points = scan_costs(ctx, now=seeded.now)

    assert [(p.scan_id, p.status, p.drifts, p.cost_impact_monthly) for p in points] == [
        (seeded.scans["s1"].id, "completed", 2, Decimal("115.18")),
        (seeded.scans["s2"].id, "completed", 2, Decimal("125.12")),
        (seeded.scans["s3"].id, "partial", 1, Decimal("30.37")),
    ]
    assert build_summary(ctx, now=seeded.now).scans == tuple(points)


def test_a_short_window(ctx: Any, seeded: Any) -> None:
    summary = build_summary(ctx, days=3, now=seeded.now)

    assert [p.day for p in summary.trend] == [seeded.day(2), seeded.day(1), seeded.day(0)]
    assert [p.open for p in summary.trend] == [5, 4, 5]
    assert summary.open_total == 5


def test_the_timeline(ctx: Any, seeded: Any) -> None:
    timeline = build_timeline(ctx, days=7, now=seeded.now)

    assert [p.day for p in timeline.points] == [seeded.day(n) for n in range(6, -1, -1)]
    events = {
        p.day: (p.detected, p.approved, p.rejected, p.resolved) for p in timeline.points if p.total
    }
    assert events == {
        seeded.day(5): (2, 1, 0, 0),
        seeded.day(4): (0, 0, 1, 0),
        seeded.day(3): (0, 0, 0, 1),
        seeded.day(2): (1, 0, 0, 0),
        seeded.day(1): (0, 0, 0, 1),
        seeded.day(0): (1, 0, 0, 0),
    }
    assert timeline.totals() == {"detected": 4, "approved": 1, "rejected": 1, "resolved": 2}


def test_the_timeline_counts_workflow_actions(ctx: Any) -> None:
    now = utcnow()
    ids = insert_drifts(ctx, *(make_drift(detected_at=now) for _ in range(4)))
    drift_service.approve(ctx, [ids[0]], reason="scaled up for the launch")
    drift_service.reject(ctx, [ids[1], ids[2]], reason="must never be open to the world")
    from driftctl.domain import ResolvedHow

    drift_service.resolve(ctx, [ids[1]], how=ResolvedHow.MANUAL_FIX)

    today = build_timeline(ctx, days=1).points[-1]

    assert (today.detected, today.approved, today.rejected, today.resolved) == (4, 1, 2, 1)


@contextmanager
def count_statements(ctx: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engines = {id(e): e for e in (ctx.engine, ctx.read_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def test_the_summary_is_aggregated_by_the_database(ctx: Any, seeded: Any) -> None:
    with count_statements(ctx) as small:
        build_summary(ctx, now=seeded.now)
    insert_drifts(
        ctx,
        *(
            make_drift(region=f"ap-south-{n % 3 + 1}", detected_at=seeded.now - timedelta(days=n))
            for n in range(60)
        ),
    )
    with count_statements(ctx) as large:
        summary = build_summary(ctx, now=seeded.now)

    assert summary.open_total == 65
    selects = [s for s in large if s.lstrip().upper().startswith("SELECT")]
    assert len(large) == len(small)
    assert all("GROUP BY" in s.upper() or "COUNT(" in s.upper() for s in selects), selects


# --- the command ---------------------------------------------------------------------------------


def test_summary_json(cli: Any, db_url: str, seeded: Any) -> None:
    result = cli(["--db", db_url, "summary", "-o", "json"])

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert list(data) == [
        "generated_at",
        "open_total",
        "undecided_total",
        "resolved_total",
        "open_cost_impact_monthly",
        "by_status",
        "by_severity",
        "by_type",
        "by_drift_type",
        "by_region",
        "cost_by_type",
        "cost_by_severity",
        "trend",
        "scans",
    ]
    assert data["open_total"] == 5
    assert data["open_cost_impact_monthly"] == 150.67
    assert data["by_severity"] == {"critical": 2, "warning": 2, "info": 1}
    assert data["cost_by_type"]["EC2"] == 45.55
    assert data["trend"]["days"] == 30
    assert len(data["trend"]["points"]) == 30
    assert list(data["trend"]["points"][-1]) == [
        "date",
        "detected",
        "resolved",
        "open",
        "cost_impact_monthly",
    ]
    assert data["trend"]["points"][-1]["open"] == 5
    assert [s["drifts"] for s in data["scans"]] == [2, 2, 1]
    assert [s["cost_impact_monthly"] for s in data["scans"]] == [115.18, 125.12, 30.37]


def test_summary_as_plain_text(cli: Any, db_url: str, seeded: Any) -> None:
    result = cli(["--db", db_url, "summary", "--days", "7"])

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Open drifts               5" in lines
    assert "Open monthly cost impact  150.67 USD" in lines
    assert any(line.split()[:4] == ["severity", "critical", "2", "105.12"] for line in lines)
    assert any(line.split()[:3] == ["region", "us-west-2", "1"] for line in lines)
    header = lines.index("date        detected  resolved  open  cost_usd_month  open_chart")
    days = lines[header + 1 : header + 8]
    assert len(days) == 7
    assert days[-1].split()[3] == "5"
    assert days[-1].endswith("#" * 30)
    assert "\x1b" not in result.stdout
    assert "3 scans recorded" in result.stdout


def test_timeline_json_and_text(cli: Any, db_url: str, seeded: Any) -> None:
    result = cli(["--db", db_url, "summary", "--timeline", "--days", "7", "-o", "json"])

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["days"] == 7
    assert data["totals"] == {"detected": 4, "approved": 1, "rejected": 1, "resolved": 2}
    assert len(data["points"]) == 7
    assert list(data["points"][0]) == ["date", "detected", "approved", "rejected", "resolved"]

    text = cli(["--db", db_url, "summary", "--timeline", "--days", "7"])
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["date", "detected", "approved", "rejected", "resolved", "chart"]
    assert len(lines) == 1 + 7 + 1
    assert lines[-1] == "total  detected 4  approved 1  rejected 1  resolved 2"


def test_an_empty_database(cli: Any, db_url: str) -> None:
    result = cli(["--db", db_url, "summary", "-o", "json"])

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["open_total"] == 0
    assert data["open_cost_impact_monthly"] == 0.0
    assert data["scans"] == []
    assert all(p["open"] == 0 and p["cost_impact_monthly"] is None for p in data["trend"]["points"])
    assert cli(["--db", db_url, "summary"]).exit_code == 0


@pytest.mark.parametrize("days", ["0", "367", "-3"])
def test_bad_days_exit_2(cli: Any, days: str) -> None:
    result = cli(["summary", "--days", days])

    assert result.exit_code == 2
    assert "--days must be between 1 and 366" in result.stderr
