"""RDS DB instances (``aws_db_instance``): one paginated DescribeDBInstances per region.

resource_id is the DB instance identifier; tags come in TagList. Provider 4+ keeps the configured
engine version ("15") apart from the running one ("15.4", ``engine_version_actual``); AWS reports
the running one, and with auto minor version upgrade "15" still matches "15.4". The master
password is never read. moto applies every modification at once (``ApplyImmediately=False`` too)
and never sets ``PendingModifiedValues``; AWS may show a change only after the maintenance window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.diff.conditions import truthy, turned_off, turned_on
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import resource_arn, scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    CostQuery,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
    arn_tail,
)

if TYPE_CHECKING:
    from mypy_boto3_rds.type_defs import DBInstanceTypeDef

    from driftctl.diff.pricing import CostImpact, Pricer

RESOURCE_TYPE = "RDS"


def _same_version(expected: Any, actual: Any) -> bool:
    # With auto minor version upgrade, IaC pins "15" and AWS reports "15.4".
    return isinstance(actual, str) and actual.startswith(f"{expected}.")


SCHEMA: dict[str, Attr] = {
    "instance_class": Attr(),
    "engine": Attr(),
    "engine_version": Attr(
        tf=("engine_version_actual", "engine_version"), empty_is_unset=True, same=_same_version
    ),
    "allocated_storage": Attr(type=int),
    "multi_az": Attr(type=bool),
    "publicly_accessible": Attr(type=bool),
    "storage_encrypted": Attr(type=bool),
    "deletion_protection": Attr(type=bool),
    "backup_retention_period": Attr(type=int),
    "tags": Attr(Kind.TAGS),
}


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
        resource_type=RESOURCE_TYPE,
        resource_id=db["DBInstanceIdentifier"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _risky(attributes: Mapping[str, Any]) -> bool:
    return truthy(attributes.get("publicly_accessible"))


# -- cost: class, Multi-AZ and storage ------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    instance_class: str | None
    multi_az: bool
    storage_gb: int | None


def _gigabytes(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


def _shape(attributes: Mapping[str, Any], fallback: Mapping[str, Any]) -> _Shape:
    # A key the expected side leaves out is not managed by IaC: it takes the actual value, so
    # it adds no cost difference.
    def pick(key: str) -> Any:
        value = attributes.get(key)
        return fallback.get(key) if value is None else value

    instance_class = pick("instance_class")
    return _Shape(
        instance_class=instance_class
        if isinstance(instance_class, str) and instance_class
        else None,
        multi_az=pick("multi_az") is True,
        storage_gb=_gigabytes(pick("allocated_storage")),
    )


def _full_month(pricer: Pricer, shape: _Shape) -> Decimal:
    amount = pricer.rds_month(shape.instance_class, shape.multi_az)
    if shape.storage_gb is not None:
        amount += pricer.storage_month(shape.storage_gb, shape.multi_az)
    return amount


def _describe(shape: _Shape) -> str:
    parts = [shape.instance_class or "DB instance"]
    if shape.multi_az:
        parts.append("Multi-AZ")
    if shape.storage_gb is not None:
        parts.append(f"{shape.storage_gb} GB")
    return " ".join(parts)


def cost(query: CostQuery) -> CostImpact:
    """On-demand price of the class (Single-AZ or Multi-AZ) plus gp2 storage."""
    from driftctl.diff.pricing import CostImpact, Pricer

    pricer = Pricer(query.table, query.region)
    if query.drift_type == "unmanaged":
        shape = _shape(query.actual, {})
        return pricer.result(_full_month(pricer, shape), f"unmanaged {_describe(shape)}")
    if query.drift_type == "missing":
        shape = _shape(query.expected, {})
        return pricer.result(-_full_month(pricer, shape), f"missing {_describe(shape)}")
    before = _shape(query.expected, query.actual)
    after = _shape(query.actual, {})
    amount = Decimal(0)
    changes: list[str] = []
    # Price only the parts that changed, so an unknown class does not hide a known storage delta.
    if (before.instance_class, before.multi_az) != (after.instance_class, after.multi_az):
        amount += pricer.rds_month(after.instance_class, after.multi_az)
        amount -= pricer.rds_month(before.instance_class, before.multi_az)
        if before.instance_class != after.instance_class:
            changes.append(f"{before.instance_class} -> {after.instance_class}")
        if before.multi_az != after.multi_az:
            changes.append("Multi-AZ on" if after.multi_az else "Multi-AZ off")
    if (
        before.storage_gb is not None
        and after.storage_gb is not None
        and (before.storage_gb, before.multi_az) != (after.storage_gb, after.multi_az)
    ):
        amount += pricer.storage_month(after.storage_gb, after.multi_az)
        amount -= pricer.storage_month(before.storage_gb, before.multi_az)
        if before.storage_gb != after.storage_gb:
            changes.append(f"storage {before.storage_gb} -> {after.storage_gb} GB")
    if not changes:
        return CostImpact(0.0)
    return pricer.result(amount, ", ".join(changes))


# -- remediation -------------------------------------------------------------------------------


def _instance(query: FixQuery) -> dict[str, Any]:
    return {"DBInstanceIdentifier": query.resource_id, "ApplyImmediately": True}


def _retention_outage(query: FixQuery, expected: Any) -> bool:
    # AWS takes the instance down to turn automated backups on or off (0 <-> nonzero).
    before = query.actual.get("backup_retention_period")
    return (int(expected or 0) == 0) != (int(before or 0) == 0)


def _modify_fix(
    path: str,
    param: str,
    kind: type,
    doc: str,
    *,
    restart: Callable[[FixQuery, Any], bool] = lambda _query, _expected: False,
) -> Fix:
    def call(query: FixQuery, expected: Any) -> Call:
        value = kind(expected) if kind is not bool else truthy(expected)
        # An instance still modifying refuses the next ModifyDBInstance: wait for each one.
        ready = ("db_instance_available", {"DBInstanceIdentifier": query.resource_id})
        return Call(
            "rds",
            "ModifyDBInstance",
            {**_instance(query), param: value},
            restart=restart(query, expected),
            wait=ready,
        )

    return scalar_fix(path, call, doc=f"{doc} (rds:ModifyDBInstance {param})")


def _tags_target(query: FixQuery) -> dict[str, str]:
    return {"ResourceName": resource_arn(query, "rds", f"db:{query.resource_id}")}


FIXES = (
    _modify_fix("publicly_accessible", "PubliclyAccessible", bool, "publicly accessible"),
    _modify_fix("deletion_protection", "DeletionProtection", bool, "deletion protection"),
    _modify_fix(
        "backup_retention_period",
        "BackupRetentionPeriod",
        int,
        "backup retention period, a restart when backups turn on or off",
        restart=_retention_outage,
    ),
    _modify_fix("multi_az", "MultiAZ", bool, "Multi-AZ (no outage, a standby is added or removed)"),
    _modify_fix(
        "instance_class",
        "DBInstanceClass",
        str,
        "instance class, restarts it",
        restart=lambda _query, _expected: True,
    ),
    tags_fix("rds", "AddTagsToResource", "RemoveTagsFromResource", _tags_target),
)


# -- building in an emulated account ---------------------------------------------------------


def _build_instance(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    import secrets

    extra: dict[str, Any] = {}
    for key, name in (
        ("db_name", "DBName"),
        ("db_subnet_group_name", "DBSubnetGroupName"),
        ("backup_window", "PreferredBackupWindow"),
        ("maintenance_window", "PreferredMaintenanceWindow"),
        ("storage_type", "StorageType"),
        ("availability_zone", "AvailabilityZone"),
    ):
        if attrs.get(key):
            extra[name] = attrs[key]
    db = ctx.client("rds").create_db_instance(
        DBInstanceIdentifier=attrs["identifier"],
        DBInstanceClass=attrs["instance_class"],
        Engine=attrs["engine"],
        EngineVersion=attrs.get("engine_version_actual") or attrs["engine_version"],
        AllocatedStorage=int(attrs["allocated_storage"]),
        MasterUsername=attrs.get("username") or "admin",
        # The state's password is never read: the emulator gets a throwaway one.
        MasterUserPassword=secrets.token_urlsafe(24),
        VpcSecurityGroupIds=[ctx.id(g) for g in attrs.get("vpc_security_group_ids") or []],
        Port=int(attrs.get("port") or 5432),
        MultiAZ=bool(attrs.get("multi_az")),
        PubliclyAccessible=bool(attrs.get("publicly_accessible")),
        StorageEncrypted=bool(attrs.get("storage_encrypted")),
        DeletionProtection=bool(attrs.get("deletion_protection")),
        BackupRetentionPeriod=int(attrs.get("backup_retention_period") or 0),
        CopyTagsToSnapshot=bool(attrs.get("copy_tags_to_snapshot")),
        AutoMinorVersionUpgrade=bool(attrs.get("auto_minor_version_upgrade")),
        Tags=tag_list(tags_of(attrs)),
        **extra,
    )["DBInstance"]
    if attrs.get("resource_id") and "DbiResourceId" in db:
        ctx.remember(attrs["resource_id"], db["DbiResourceId"])


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="RDS DB instance",
    with_article="an RDS DB instance",
    sarif_name="RDSInstance",
    terraform=(
        TerraformType(
            "aws_db_instance",
            id=("identifier", "id"),
            not_compared={
                "password": "secret: never read",
                "apply_immediately": "Terraform-only",
                "skip_final_snapshot": "Terraform-only",
                "final_snapshot_identifier": "Terraform-only",
                "identifier_prefix": "Terraform-only",
                "timeouts": "Terraform-only",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service="rds",
    collect=collect,
    api_calls=(ApiCall("rds:DescribeDBInstances", per="region", page_size=100),),
    schema=SCHEMA,
    canonical_id=arn_tail,
    id_doc="DB instance identifier",
    rules=(
        Rule("publicly_accessible", turned_on, doc="the database became publicly accessible"),
        Rule("storage_encrypted", turned_off, doc="storage encryption turned off"),
        Rule("deletion_protection", turned_off, doc="deletion protection turned off"),
    ),
    risky=_risky,
    cost=cost,
    cost_paths=("instance_class", "multi_az", "allocated_storage"),
    fixes=FIXES,
    builders={
        "aws_db_instance": Builder(
            _build_instance, after=("aws_db_subnet_group", "aws_security_group")
        ),
    },
)
