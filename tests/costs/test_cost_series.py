"""The cost time series: three real scans (moto) while an instance's type keeps changing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from sqlalchemy import select
from sqlmodel import col

from driftctl.db.models import CostMetric, Drift
from driftctl.services.drifts import show_drift
from driftctl.services.scanning import COST_KEY, ScanOptions, run_scan
from driftctl.services.summary import build_summary, scan_costs

ACCOUNT = "123456789012"


def write_state(path: Path, instance_id: str) -> Path:
    """A version-4 state that declares one t3.medium instance."""
    state = {
        "version": 4,
        "terraform_version": "1.7.5",
        "serial": 3,
        "lineage": "2f0c5a1e-6a51-4c39-9d4e-0a1d7e0c9b11",
        "outputs": {},
        "resources": [
            {
                "mode": "managed",
                "type": "aws_instance",
                "name": "web",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [
                    {
                        "schema_version": 1,
                        "attributes": {
                            "id": instance_id,
                            "arn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{instance_id}",
                            "instance_type": "t3.medium",
                        },
                        "sensitive_attributes": [],
                    }
                ],
            }
        ],
    }
    path.write_text(json.dumps(state), encoding="utf-8")
    return path


def test_cost_metrics_follow_the_instance_type_across_three_scans(ctx: Any, tmp_path: Path) -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        instance_id = ec2.run_instances(
            ImageId="ami-12345678", InstanceType="t3.medium", MinCount=1, MaxCount=1
        )["Instances"][0]["InstanceId"]
        state = write_state(tmp_path / "terraform.tfstate", instance_id)
        options = ScanOptions(
            sources=[str(state)],
            session_factory=lambda: boto3.Session(region_name="us-east-1"),
            cwd=tmp_path,
            resource_types=["EC2"],
        )
        outcomes = []
        for instance_type in ("t3.large", "t3.xlarge", "t3.small"):
            ec2.modify_instance_attribute(
                InstanceId=instance_id, InstanceType={"Value": instance_type}
            )
            outcomes.append(run_scan(ctx, options))

    scan_ids = [o.result["scan"]["id"] for o in outcomes]
    assert [o.result["scan"]["status"] for o in outcomes] == ["completed"] * 3
    # One drift throughout (re-scans update it), priced anew by each scan.
    drift_ids = {d["id"] for o in outcomes for d in o.result["drifts"]}
    assert len(drift_ids) == 1
    assert [o.result["drifts"][0]["cost_impact_monthly"] for o in outcomes] == [
        30.37,  # (0.0832 - 0.0416) x 730
        91.1,  # (0.1664 - 0.0416) x 730
        15.18,  # |0.0208 - 0.0416| x 730: a saving, stored as an absolute value
    ]
    with ctx.read() as session:
        rows = list(
            session.execute(select(CostMetric).order_by(col(CostMetric.recorded_at))).scalars()
        )
        drift = session.execute(select(Drift)).scalars().one()
    assert [str(r.scan_id) for r in rows] == scan_ids
    assert {str(r.drift_id) for r in rows} == drift_ids
    assert [r.cost_usd for r in rows] == [Decimal("30.37"), Decimal("91.10"), Decimal("15.18")]
    assert [r.cost_projected_monthly for r in rows] == [r.cost_usd for r in rows]
    assert drift.cost_impact_monthly == Decimal("15.18")
    assert drift.difference["instance_type"]["actual"] == "t3.small"
    assert drift.difference["instance_type"][COST_KEY] == -15.18

    series = scan_costs(ctx)
    assert [str(p.scan_id) for p in series] == scan_ids
    assert [(p.drifts, p.cost_impact_monthly) for p in series] == [
        (1, Decimal("30.37")),
        (1, Decimal("91.10")),
        (1, Decimal("15.18")),
    ]
    summary = build_summary(ctx, days=1)
    assert summary.open_cost_impact_monthly == Decimal("15.18")
    # The day's cost is the last one the drift had, not the sum of three scans.
    assert summary.trend[-1].cost_impact_monthly == Decimal("15.18")
    history = show_drift(ctx, drift_ids.pop())["cost_history"]
    assert [h["cost_usd"] for h in history] == [30.37, 91.1, 15.18]


def test_show_draws_the_cost_history(cli: Any, db_url: str, ctx: Any) -> None:
    from datetime import timedelta

    from driftctl.db.types import utcnow
    from tests.factories import insert_drifts, make_drift

    now = utcnow()
    (drift_id,) = insert_drifts(ctx, make_drift())
    with ctx.write() as session:
        for hours, cost in ((3, "30.37"), (2, "91.10"), (1, "15.18")):
            at = now - timedelta(hours=hours)
            session.add(
                CostMetric(
                    drift_id=drift_id,
                    cost_usd=Decimal(cost),
                    recorded_at=at,
                    period_start=at - timedelta(days=30),
                    period_end=at,
                )
            )

    result = cli(["--db", db_url, "show", drift_id])

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("Cost history (USD/month, per scan)")
    assert lines[start + 1].split() == ["recorded_at", "cost_usd", "chart"]
    rows = [line.split() for line in lines[start + 2 : start + 5]]
    assert [r[2] for r in rows] == ["30.37", "91.10", "15.18"]
    assert [len(r[3]) for r in rows] == [10, 30, 5]
    assert {ch for r in rows for ch in r[3]} == {"#"}
