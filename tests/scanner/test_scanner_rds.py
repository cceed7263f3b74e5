"""RDS DB instances read back in the canonical form, paginated."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from scanner_helpers import make_plan

from driftctl.scanner import scan_actual

pytestmark = pytest.mark.usefixtures("aws")


def _client() -> Any:
    return boto3.client("rds", region_name="us-east-1")


def _create(identifier: str, **extra: Any) -> None:
    params: dict[str, Any] = {
        "DBInstanceIdentifier": identifier,
        "DBInstanceClass": "db.t3.micro",
        "Engine": "postgres",
        "AllocatedStorage": 20,
        "MasterUsername": "app",
        "MasterUserPassword": "not-a-real-password",
    }
    params.update(extra)
    _client().create_db_instance(**params)


def _databases(**plan: Any) -> dict[str, Any]:
    scan = scan_actual(make_plan(["RDS"], **plan))
    assert scan.errors == []
    assert scan.read_ok == {("RDS", "us-east-1")}
    return {r.resource_id: r for r in scan.resources}


def test_instance_reads_back_in_canonical_form() -> None:
    _create(
        "orders",
        DBInstanceClass="db.m5.large",
        EngineVersion="15.4",
        AllocatedStorage=100,
        MultiAZ=True,
        PubliclyAccessible=False,
        StorageEncrypted=True,
        DeletionProtection=True,
        BackupRetentionPeriod=7,
        Tags=[{"Key": "team", "Value": "payments"}],
    )

    found = _databases()["orders"]

    assert (found.region, found.account_id) == ("us-east-1", "123456789012")
    assert found.attributes == {
        "instance_class": "db.m5.large",
        "engine": "postgres",
        "engine_version": "15.4",
        "allocated_storage": 100,
        "multi_az": True,
        "publicly_accessible": False,
        "storage_encrypted": True,
        "deletion_protection": True,
        "backup_retention_period": 7,
        "tags": {"team": "payments"},
    }


def test_each_changed_attribute_shows_up() -> None:
    _create("billing", EngineVersion="15.4", Tags=[{"Key": "team", "Value": "a"}])
    before = _databases()["billing"].attributes
    arn = _client().describe_db_instances(DBInstanceIdentifier="billing")["DBInstances"][0][
        "DBInstanceArn"
    ]

    _client().modify_db_instance(
        DBInstanceIdentifier="billing",
        DBInstanceClass="db.t3.large",
        EngineVersion="16.1",
        AllocatedStorage=50,
        MultiAZ=True,
        PubliclyAccessible=True,
        DeletionProtection=True,
        BackupRetentionPeriod=14,
        ApplyImmediately=True,
    )
    _client().add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "team", "Value": "b"}])
    after = _databases()["billing"].attributes

    assert {k for k in before if before[k] != after[k]} == {
        "instance_class",
        "engine_version",
        "allocated_storage",
        "multi_az",
        "publicly_accessible",
        "deletion_protection",
        "backup_retention_period",
        "tags",
    }
    assert after["instance_class"] == "db.t3.large"
    assert after["allocated_storage"] == 50
    assert after["publicly_accessible"] is True
    assert after["tags"] == {"team": "b"}


def test_encryption_is_read() -> None:
    _create("plain")
    _create("sealed", StorageEncrypted=True)

    found = _databases()

    assert found["plain"].attributes["storage_encrypted"] is False
    assert found["sealed"].attributes["storage_encrypted"] is True


def test_listing_spans_several_pages() -> None:
    # DescribeDBInstances accepts no page smaller than 20.
    names = {f"db-{n:02d}" for n in range(21)}
    for name in names:
        _create(name)

    scan = scan_actual(make_plan(["RDS"], page_size=5))

    assert {r.resource_id for r in scan.resources} == names
    assert scan.api_calls["rds:DescribeDBInstances"] == 2
