"""Build rows for tests without going through a scan."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from driftctl.db.models import SEVERITY_RANK, Drift
from driftctl.db.types import utcnow
from driftctl.domain import difference_hash, fingerprint


def make_drift(**overrides: Any) -> Drift:
    """A realistic open EC2 drift; any column can be overridden."""
    n = uuid.uuid4().hex[:17]
    values: dict[str, Any] = {
        "resource_id": f"i-{n}",
        "resource_type": "EC2",
        "region": "us-east-1",
        "account_id": "123456789012",
        "drift_type": "modified",
        "severity": "warning",
        "status": "detected",
        "difference": {
            "instance_type": {"change": "changed", "expected": "t3.medium", "actual": "t3.large"}
        },
        "expected_state": {"instance_type": "t3.medium"},
        "actual_state": {"instance_type": "t3.large"},
        "cost_impact_monthly": Decimal("30.37"),
        "detected_by": "manual",
        "detected_at": utcnow() - timedelta(hours=1),
    }
    values.update(overrides)
    values.setdefault("severity_rank", SEVERITY_RANK[values["severity"]])
    values.setdefault(
        "fingerprint",
        fingerprint(
            values["account_id"],
            values["region"],
            values["resource_type"],
            values["resource_id"],
            values["drift_type"],
        ),
    )
    values.setdefault("difference_hash", difference_hash(values["difference"]))
    return Drift(**values)


def insert_drifts(ctx: Any, *drifts: Drift) -> list[str]:
    """Insert drifts in one transaction; returns their ids as strings."""
    with ctx.write() as session:
        for d in drifts:
            session.add(d)
    return [str(d.id) for d in drifts]
