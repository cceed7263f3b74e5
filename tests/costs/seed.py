"""A small, fully known estate of drifts, scans, cost metrics and audit rows for summary tests.

Every timestamp is placed relative to one ``now`` so the expected per-day figures do not depend
on the time of day the tests run.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from driftctl.db.models import CostMetric, Drift, Scan
from driftctl.db.repositories import audit as audit_repo
from tests.factories import insert_drifts, make_drift


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass
class Seeded:
    now: datetime
    drifts: dict[str, Drift] = field(default_factory=dict)
    scans: dict[str, Scan] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.now.date()

    def day(self, offset: int) -> date:
        """The UTC day ``offset`` days before today."""
        return self.today - timedelta(days=offset)


def _scan(started_at: datetime, status: str = "completed") -> Scan:
    return Scan(
        started_at=started_at,
        finished_at=started_at + timedelta(seconds=5),
        status=status,
        source="manual",
        driftctl_version="test",
    )


def seed_estate(ctx: Any, now: datetime, *, xss_tag: str | None = None) -> Seeded:
    """Seven drifts (five open), four scans with cost metrics, and audit rows on known days."""
    seeded = Seeded(now=now)

    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    extra_tags = {"tags.Owner": {"change": "changed", "expected": "team-a", "actual": xss_tag}}
    specs: dict[str, dict[str, Any]] = {
        "A": dict(
            status="detected",
            severity="warning",
            resource_type="EC2",
            region="us-east-1",
            cost_impact_monthly=Decimal("30.37"),
            detected_at=ago(0),
        ),
        "B": dict(
            status="triaged",
            severity="critical",
            resource_type="SECURITY_GROUP",
            region="eu-west-1",
            cost_impact_monthly=Decimal("0"),
            detected_at=ago(2),
            resource_id="sg-0123456789abcdef0",
            difference={
                "ingress[tcp:22:0.0.0.0/0]": {
                    "change": "added",
                    "expected": None,
                    "actual": "tcp:22:0.0.0.0/0",
                }
            },
        ),
        "C": dict(
            status="approved",
            severity="info",
            resource_type="S3",
            region="us-east-1",
            cost_impact_monthly=Decimal("0"),
            detected_at=ago(5),
            resource_id="acme-logs",
            difference=extra_tags
            if xss_tag
            else {"tags.Owner": {"change": "changed", "expected": "team-a", "actual": "team-b"}},
        ),
        "D": dict(
            status="rejected",
            severity="critical",
            resource_type="RDS",
            region="eu-west-1",
            drift_type="unmanaged",
            resource_id="shadow-db",
            cost_impact_monthly=Decimal("105.12"),
            detected_at=ago(5),
            difference={},
        ),
        "E": dict(
            status="resolved",
            severity="warning",
            resource_type="EC2",
            region="us-east-1",
            cost_impact_monthly=Decimal("60.74"),
            detected_at=ago(40),
            resolved_at=ago(3),
            resolved_how="manual-fix",
        ),
        "F": dict(
            status="resolved",
            severity="info",
            resource_type="IAM_ROLE",
            region="global",
            cost_impact_monthly=Decimal("0"),
            detected_at=ago(10),
            resolved_at=ago(1),
            resolved_how="acknowledged",
            resource_id="ci-deploy",
        ),
        "G": dict(
            status="detected",
            severity="warning",
            resource_type="EC2",
            region="us-west-2",
            drift_type="missing",
            difference={},
            cost_impact_monthly=Decimal("15.18"),
            detected_at=ago(45),
        ),
    }
    for name, spec in specs.items():
        seeded.drifts[name] = make_drift(**spec)
    insert_drifts(ctx, *seeded.drifts.values())

    today, yesterday = midnight(seeded.day(0)), midnight(seeded.day(1))
    seeded.scans = {
        "s1": _scan(yesterday + timedelta(hours=5)),
        "s2": _scan(today + timedelta(hours=1)),
        "s3": _scan(today + timedelta(hours=2), status="partial"),
        "failed": _scan(today + timedelta(hours=3), status="failed"),
    }
    metrics = [
        ("s1", "D", "100.00"),
        ("s1", "G", "15.18"),
        ("s2", "A", "20.00"),
        ("s2", "D", "105.12"),
        ("s3", "A", "30.37"),
    ]
    with ctx.write() as session:
        session.add_all(seeded.scans.values())
        session.flush()
        for scan_name, drift_name, cost in metrics:
            scan = seeded.scans[scan_name]
            session.add(
                CostMetric(
                    id=uuid.uuid4(),
                    drift_id=seeded.drifts[drift_name].id,
                    scan_id=scan.id,
                    cost_usd=Decimal(cost),
                    cost_projected_monthly=Decimal(cost),
                    recorded_at=scan.started_at,
                    period_start=scan.started_at - timedelta(days=30),
                    period_end=scan.started_at,
                )
            )
        for action, drift_name, days_ago in (
            ("drift_approved", "C", 5),
            ("drift_rejected", "D", 4),
            ("drift_resolved", "E", 3),
            ("drift_triaged", "B", 2),
            ("drift_resolved", "F", 1),
            ("alert_read", "B", 1),
            ("drift_approved", "E", 40),
        ):
            audit_repo.append(
                session,
                action=action,
                drift_id=seeded.drifts[drift_name].id,
                actor_email="alice@example.com",
                created_at=ago(days_ago),
            )
    return seeded
