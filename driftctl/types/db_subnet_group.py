"""RDS DB subnet groups (``aws_db_subnet_group``): one paginated DescribeDBSubnetGroups per region.

resource_id is the group name. DescribeDBSubnetGroups carries no tags, so the groups the IaC
declares have theirs read with ListTagsForResource, one call each (RDS has no batch tag call);
an unmanaged group is reported without tags. Subnet ids compare as a set. AWS creates a group
named ``default`` (console launches put ``default-vpc-…`` ones in the default VPC): those are
never unmanaged. moto's ModifyDBSubnetGroup deletes the group (AWS changes it in place).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.resources import ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import resource_arn, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
    arn_tail,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_rds.type_defs import DBSubnetGroupTypeDef

RESOURCE_TYPE = "DB_SUBNET_GROUP"
# DescribeDBSubnetGroups accepts 20..100 per page.
_PAGE = (20, 100)

SCHEMA: dict[str, Attr] = {
    "description": Attr(),
    "subnet_ids": Attr(Kind.SET),
    "tags": Attr(Kind.TAGS),
}


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every DB subnet group in ``region``, with tags for the declared ones. The listing's
    errors propagate; a failed tag read spoils this region only."""
    client = ctx.aws.client("rds", region)
    pages = client.get_paginator("describe_db_subnet_groups").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    groups = [
        g for page in pages for g in page.get("DBSubnetGroups", []) if g.get("DBSubnetGroupName")
    ]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(group: DBSubnetGroupTypeDef) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        name = group["DBSubnetGroupName"]
        if name not in managed or not group.get("DBSubnetGroupArn"):
            return Detail(resource=to_resource(group, region, ctx.account_id))
        try:
            answer = client.list_tags_for_resource(ResourceName=group["DBSubnetGroupArn"])
        except (BotoCoreError, ClientError) as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
            if code == "DBSubnetGroupNotFoundFault":
                return Detail()
            return failed((region,), f"DB subnet group {name}", exc)
        tags = mask_secret_values(normalize.tags(answer.get("TagList")))
        return Detail(resource=to_resource(group, region, ctx.account_id, tags))

    return read_each(ctx, RESOURCE_TYPE, groups, read, noun="DB subnet groups")


def to_resource(
    group: DBSubnetGroupTypeDef,
    region: str,
    account_id: str | None,
    tags: Mapping[str, str] | None = None,
) -> ActualResource:
    """One DescribeDBSubnetGroups item in the canonical form (tags only when read)."""
    attributes: dict[str, Any] = {
        "description": group.get("DBSubnetGroupDescription"),
        "subnet_ids": sorted(
            {s["SubnetIdentifier"] for s in group.get("Subnets", []) if s.get("SubnetIdentifier")}
        ),
    }
    if tags is not None:
        attributes["tags"] = dict(tags)
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=group["DBSubnetGroupName"],
        region=region,
        attributes=attributes,
        account_id=account_id,
        is_default=is_default({"name": group["DBSubnetGroupName"]}),
    )


def is_default(attributes: Mapping[str, Any]) -> bool:
    """The group AWS creates for DB instances launched without one."""
    name = str(attributes.get("name") or "")
    return name == "default" or name.startswith("default-vpc-")


# -- remediation -------------------------------------------------------------------------------

# Only tags: moto's ModifyDBSubnetGroup deletes the group, so a description or subnet revert
# could not be tested.
FIXES = (
    tags_fix(
        "rds",
        "AddTagsToResource",
        "RemoveTagsFromResource",
        lambda q: {"ResourceName": resource_arn(q, "rds", f"subgrp:{q.resource_id}")},
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("rds").create_db_subnet_group(
        DBSubnetGroupName=attrs["name"],
        DBSubnetGroupDescription=attrs.get("description") or attrs["name"],
        SubnetIds=[ctx.id(s) for s in attrs["subnet_ids"]],
        Tags=tag_list(tags_of(attrs)),
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="DB subnet group",
    with_article="a DB subnet group",
    sarif_name="DBSubnetGroup",
    terraform=(
        TerraformType(
            "aws_db_subnet_group",
            id=("name", "id"),
            not_compared={
                "name_prefix": "Terraform-only",
                "supported_network_types": "computed from the subnets",
                "vpc_id": "computed from the subnets",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service="rds",
    collect=collect,
    api_calls=(
        ApiCall("rds:DescribeDBSubnetGroups", per="region", page_size=100),
        ApiCall("rds:ListTagsForResource", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=arn_tail,
    id_doc="DB subnet group name",
    is_default=is_default,
    fixes=FIXES,
    builders={"aws_db_subnet_group": Builder(_build, after=("aws_subnet",))},
)
