"""Scan results in the SPEC §6 ``scan -o json`` shape, built without AWS or a database."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from driftctl.domain import fingerprint

# A tag value that tries Rich markup, a terminal escape, HTML, a table break and a link at once.
HOSTILE = "[bold red]x[/] \x1b[31mred <script>x</script> | [a](b)"
ACCOUNT = "123456789012"


def make_drift(**overrides: Any) -> dict[str, Any]:
    """One drift as ``scan -o json`` prints it; any key can be overridden."""
    drift: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "resource_id": "i-0abc1234def567890",
        "resource_type": "EC2",
        "region": "us-east-1",
        "account_id": ACCOUNT,
        "drift_type": "modified",
        "severity": "warning",
        "cost_impact_monthly": 30.37,
        "status": "detected",
        "difference": {
            "instance_type": {
                "change": "changed",
                "expected": "t3.medium",
                "actual": "t3.large",
                "monthly_cost_delta": 30.37,
            }
        },
        "iac_source": "./states/prod.tfstate#module.web.aws_instance.app[0]",
        "detected_at": "2024-05-01T10:00:05+00:00",
        "last_seen_at": "2024-05-01T10:00:05+00:00",
    }
    drift.update(overrides)
    drift.setdefault(
        "fingerprint",
        fingerprint(
            drift["account_id"],
            drift["region"],
            drift["resource_type"],
            drift["resource_id"],
            drift["drift_type"],
        ),
    )
    return drift


def make_result(
    drifts: list[dict[str, Any]] | None = None, *, status: str = "completed", **scan: Any
) -> dict[str, Any]:
    """A whole scan result around DRIFTS; counts follow the drifts, errors from ``scan``."""
    drifts = drifts or []
    modified = sum(1 for d in drifts if d["drift_type"] == "modified")
    missing = sum(1 for d in drifts if d["drift_type"] == "missing")
    unmanaged = sum(1 for d in drifts if d["drift_type"] == "unmanaged")
    in_sync = 7
    managed = modified + in_sync
    total = managed + unmanaged
    by_severity = {
        s: sum(1 for d in drifts if d["severity"] == s) for s in ("critical", "warning", "info")
    }
    scan_part: dict[str, Any] = {
        "id": "7f3e2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6",
        "started_at": "2024-05-01T10:00:00+00:00",
        "finished_at": "2024-05-01T10:00:12.250000+00:00",
        "status": status,
        "source": "manual",
        "account_ids": [ACCOUNT],
        "regions": ["eu-west-1", "us-east-1"],
        "errors": [],
        "api_calls": {"ec2:DescribeInstances": 2, "s3:ListBuckets": 1},
        "iac_sources": ["./states/prod.tfstate", "./states/shared.tfstate"],
    }
    scan_part.update(scan)
    return {
        "scan": scan_part,
        "summary": {
            "total_resources": total,
            "managed": managed,
            "unmanaged": unmanaged,
            "missing": missing,
            "modified": modified,
            "in_sync": in_sync,
            "coverage": round(managed / total, 4) if total else 0.0,
            "by_severity": by_severity,
        },
        "drifts": drifts,
        "exit_code": 6 if status != "completed" else (1 if drifts else 0),
    }


def realistic_drifts() -> list[dict[str, Any]]:
    """Every drift kind and severity, a cost, an approval, an unstored drift, hostile tags."""
    return [
        make_drift(
            id="0c1d2e3f-0000-4000-8000-000000000001",
            resource_id="sg-0123456789abcdef0",
            resource_type="SECURITY_GROUP",
            severity="critical",
            cost_impact_monthly=0.0,
            status="triaged",
            difference={
                "ingress[tcp:22:0.0.0.0/0]": {
                    "change": "added",
                    "expected": None,
                    "actual": {"protocol": "tcp", "from_port": 22, "to_port": 22},
                }
            },
            iac_source="./states/prod.tfstate#aws_security_group.web",
        ),
        make_drift(
            id="1a2b3c4d-0000-4000-8000-000000000002",
            difference={
                "instance_type": {
                    "change": "changed",
                    "expected": "t3.medium",
                    "actual": "t3.large",
                    "monthly_cost_delta": 30.37,
                },
                "tags.Owner": {"change": "changed", "expected": "team-a", "actual": HOSTILE},
            },
        ),
        make_drift(
            id="2b3c4d5e-0000-4000-8000-000000000003",
            resource_id="orders-db",
            resource_type="RDS",
            region="eu-west-1",
            severity="critical",
            cost_impact_monthly=0.0,
            difference={
                "publicly_accessible": {"change": "changed", "expected": False, "actual": True}
            },
            iac_source="./states/prod.tfstate#aws_db_instance.orders, "
            "./states/shared.tfstate#aws_db_instance.orders",
        ),
        make_drift(
            id=None,
            resource_id="legacy-assets",
            resource_type="S3",
            drift_type="missing",
            severity="warning",
            cost_impact_monthly=0.0,
            status="approved",
            approval_reason="bucket retired on purpose, see ticket OPS-42",
            difference={},
            iac_source="./states/shared.tfstate#aws_s3_bucket.legacy",
        ),
        make_drift(
            id="4d5e6f70-0000-4000-8000-000000000005",
            resource_id="ci-admin",
            resource_type="IAM_ROLE",
            region="global",
            drift_type="unmanaged",
            severity="info",
            cost_impact_monthly=0.0,
            difference={},
            iac_source=None,
        ),
        make_drift(
            id="5e6f7081-0000-4000-8000-000000000006",
            resource_id="i-0fedcba9876543210",
            severity="info",
            cost_impact_monthly=0.0,
            difference={"tags.Team": {"change": "removed", "expected": "payments", "actual": None}},
        ),
    ]


SCAN_ERRORS = [
    {
        "resource_type": "RDS",
        "region": "us-east-1",
        "code": "AccessDenied",
        "message": "User: arn:aws:iam::123456789012:user/ci is not authorized to perform "
        "rds:DescribeDBInstances",
    },
    {
        "resource_type": "S3",
        "region": "eu-west-1",
        "code": "RequestTimeout",
        "message": "Read timeout on endpoint URL",
    },
]


@pytest.fixture
def partial_result() -> dict[str, Any]:
    """A partial scan with drifts of every kind and severity and two scan errors."""
    return make_result(realistic_drifts(), status="partial", errors=copy.deepcopy(SCAN_ERRORS))


@pytest.fixture
def clean_result() -> dict[str, Any]:
    """A completed scan that found nothing."""
    return make_result([])
