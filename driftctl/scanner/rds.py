"""RDS DB instances: one paginated DescribeDBInstances per region (tags come in TagList)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.domain import ResourceType
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext, Scope, TypeInfo

if TYPE_CHECKING:
    from mypy_boto3_rds.type_defs import DBInstanceTypeDef


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every DB instance in ``region``; AWS errors propagate to the runner."""
    client = ctx.aws.client("rds", region)
    pages = client.get_paginator("describe_db_instances").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(20, 100)}
    )
    found = [
        to_resource(db, region, ctx.account_id)
        for page in pages
        for db in page.get("DBInstances", [])
    ]
    return Collected(resources=found)


def to_resource(db: DBInstanceTypeDef, region: str, account_id: str | None) -> ActualResource:
    """One DescribeDBInstances item in the canonical RDS form."""
    attributes: dict[str, Any] = {
        "instance_class": db.get("DBInstanceClass"),
        "engine": db.get("Engine"),
        "engine_version": db.get("EngineVersion"),
        "allocated_storage": int(db.get("AllocatedStorage", 0)),
        "multi_az": bool(db.get("MultiAZ", False)),
        "publicly_accessible": bool(db.get("PubliclyAccessible", False)),
        "storage_encrypted": bool(db.get("StorageEncrypted", False)),
        "deletion_protection": bool(db.get("DeletionProtection", False)),
        "backup_retention_period": int(db.get("BackupRetentionPeriod", 0)),
        "tags": normalize.tags(db.get("TagList")),
    }
    return ActualResource(
        resource_type=ResourceType.RDS.value,
        resource_id=db["DBInstanceIdentifier"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


TYPE_INFO = TypeInfo(
    resource_type=ResourceType.RDS,
    service="rds",
    scope=Scope.REGIONAL,
    list_operations=("rds:DescribeDBInstances",),
    id_field="DBInstanceIdentifier",
    collect=collect,
)
