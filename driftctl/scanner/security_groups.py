"""Security groups: one paginated DescribeSecurityGroups per region, rules expanded per peer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.domain import ResourceType
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext, Scope, TypeInfo

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import IpPermissionOutputTypeDef, SecurityGroupTypeDef


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every security group in ``region``; AWS errors propagate to the runner."""
    client = ctx.aws.client("ec2", region)
    pages = client.get_paginator("describe_security_groups").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(5, 1000)}
    )
    found = [
        to_resource(group, region, ctx.account_id)
        for page in pages
        for group in page.get("SecurityGroups", [])
    ]
    return Collected(resources=found)


def rule_keys(permissions: Sequence[IpPermissionOutputTypeDef]) -> list[str]:
    """IpPermissions as sorted rule keys, one per peer (CIDR, IPv6 CIDR, prefix list, group)."""
    keys: set[str] = set()
    for perm in permissions:
        keys.update(
            normalize.rule_keys(
                perm.get("IpProtocol", "-1"),
                perm.get("FromPort"),
                perm.get("ToPort"),
                cidr_blocks=[r["CidrIp"] for r in perm.get("IpRanges", []) if "CidrIp" in r],
                ipv6_cidr_blocks=[
                    r["CidrIpv6"] for r in perm.get("Ipv6Ranges", []) if "CidrIpv6" in r
                ],
                prefix_list_ids=[
                    p["PrefixListId"] for p in perm.get("PrefixListIds", []) if "PrefixListId" in p
                ],
                # A rule on the group itself names the group's own id here, which is the key
                # Terraform's `self = true` produces too.
                security_groups=[
                    pair.get("GroupId") or pair.get("GroupName") or ""
                    for pair in perm.get("UserIdGroupPairs", [])
                ],
            )
        )
    return sorted(keys)


def to_resource(group: SecurityGroupTypeDef, region: str, account_id: str | None) -> ActualResource:
    """One DescribeSecurityGroups item in the canonical SECURITY_GROUP form."""
    attributes: dict[str, Any] = {
        "name": group.get("GroupName"),
        "description": group.get("Description"),
        "vpc_id": group.get("VpcId"),
        "ingress": rule_keys(group.get("IpPermissions", [])),
        "egress": rule_keys(group.get("IpPermissionsEgress", [])),
        "tags": normalize.tags(group.get("Tags")),
    }
    return ActualResource(
        resource_type=ResourceType.SECURITY_GROUP.value,
        resource_id=group["GroupId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
        # Every VPC gets a group named "default" that cannot be deleted.
        is_default=group.get("GroupName") == "default",
    )


TYPE_INFO = TypeInfo(
    resource_type=ResourceType.SECURITY_GROUP,
    service="ec2",
    scope=Scope.REGIONAL,
    list_operations=("ec2:DescribeSecurityGroups",),
    id_field="GroupId",
    collect=collect,
)
