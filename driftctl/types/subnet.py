"""Subnets (``aws_subnet``, ``aws_default_subnet``): one paginated DescribeSubnets per region.

resource_id is the subnet id (``subnet-…``). The default subnets AWS makes in the default VPC
(one per zone, ``DefaultForAz``) are never unmanaged; the state manages them with
``aws_default_subnet``. Tags that EKS and its load balancer controller put on subnets
(``kubernetes.io/cluster/<name>``, ``kubernetes.io/role/elb``) are not drift when the IaC does not
set them; one the IaC sets is compared like any other. Critical: ``map_public_ip_on_launch``
turned on where the IaC has it off (every instance launched there gets a public address).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from driftctl.diff.conditions import turned_on
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import vpc
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec, tag_list, tags_of
from driftctl.types.fixes import ec2_tags_fix, scalar_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import SubnetTypeDef

RESOURCE_TYPE = "SUBNET"
# Tags EKS and the AWS load balancer controller add to subnets on their own.
EKS_TAG_PREFIXES = ("kubernetes.io/",)

SCHEMA: dict[str, Attr] = {
    "vpc_id": Attr(empty_is_unset=True),
    "cidr_block": Attr(empty_is_unset=True),
    "availability_zone": Attr(empty_is_unset=True),
    "map_public_ip_on_launch": Attr(type=bool, default=False),
    "ipv6_cidr_block": Attr(empty_is_unset=True),
    "assign_ipv6_address_on_creation": Attr(type=bool, default=False),
    "tags": Attr(Kind.TAGS, aws_added=EKS_TAG_PREFIXES),
}


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every subnet of ``region``; AWS errors propagate to the runner."""
    found = [
        to_resource(subnet, region, ctx.account_id)
        for subnet in vpc.listing(ctx, region, "describe_subnets", "Subnets")
        if subnet.get("SubnetId")
    ]
    return Collected(resources=found)


def to_resource(subnet: SubnetTypeDef, region: str, account_id: str | None) -> ActualResource:
    """One DescribeSubnets item in the canonical SUBNET form."""
    ipv6 = sorted(
        a["Ipv6CidrBlock"]
        for a in subnet.get("Ipv6CidrBlockAssociationSet", [])
        if "Ipv6CidrBlock" in a
        and a.get("Ipv6CidrBlockState", {}).get("State") in ("associating", "associated")
    )
    attributes: dict[str, Any] = {
        "vpc_id": subnet.get("VpcId"),
        "cidr_block": subnet.get("CidrBlock"),
        "availability_zone": subnet.get("AvailabilityZone"),
        "map_public_ip_on_launch": bool(subnet.get("MapPublicIpOnLaunch", False)),
        "ipv6_cidr_block": ipv6[0] if ipv6 else None,
        "assign_ipv6_address_on_creation": bool(subnet.get("AssignIpv6AddressOnCreation", False)),
        "tags": vpc.tags(subnet.get("Tags")),
        "default_for_az": bool(subnet.get("DefaultForAz", False)),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=subnet["SubnetId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    # The default VPC's subnets, one per zone.
    return attributes.get("default_for_az") is True


# -- remediation -------------------------------------------------------------------------------


def _setting(path: str, name: str) -> Callable[[FixQuery, Any], Call]:
    """ModifySubnetAttribute for one boolean setting (AWS takes one a call)."""

    def call(query: FixQuery, expected: Any) -> Call:
        value = bool(SCHEMA[path].default if expected is None else expected)
        return Call(
            "ec2", "ModifySubnetAttribute", {"SubnetId": query.resource_id, name: {"Value": value}}
        )

    return call


FIXES = (
    scalar_fix(
        "map_public_ip_on_launch",
        _setting("map_public_ip_on_launch", "MapPublicIpOnLaunch"),
        doc="public IPs on launch (ec2:ModifySubnetAttribute)",
    ),
    scalar_fix(
        "assign_ipv6_address_on_creation",
        _setting("assign_ipv6_address_on_creation", "AssignIpv6AddressOnCreation"),
        doc="IPv6 addresses on creation (ec2:ModifySubnetAttribute)",
    ),
    ec2_tags_fix(),
)


# -- building in an emulated account ---------------------------------------------------------


def _settings(ctx: BuildContext, attrs: Mapping[str, Any], subnet_id: str) -> None:
    ec2 = ctx.client("ec2")
    # One attribute per call, as AWS requires.
    if attrs.get("map_public_ip_on_launch") is not None:
        ec2.modify_subnet_attribute(
            SubnetId=subnet_id,
            MapPublicIpOnLaunch={"Value": bool(attrs["map_public_ip_on_launch"])},
        )
    if attrs.get("assign_ipv6_address_on_creation"):
        ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})


def _build_subnet(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    subnet = ctx.client("ec2").create_subnet(
        VpcId=ctx.id(attrs["vpc_id"]),
        CidrBlock=attrs["cidr_block"],
        AvailabilityZone=attrs["availability_zone"],
        TagSpecifications=ec2_tag_spec("subnet", attrs),
    )["Subnet"]
    ctx.remember(attrs["id"], subnet["SubnetId"])
    _settings(ctx, attrs, subnet["SubnetId"])


def _build_default_subnet(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ec2 = ctx.client("ec2")
    found = ec2.describe_subnets(
        Filters=[
            {"Name": "default-for-az", "Values": ["true"]},
            {"Name": "availability-zone", "Values": [attrs["availability_zone"]]},
        ]
    )["Subnets"]
    subnet_id = found[0]["SubnetId"]
    ctx.remember(attrs["id"], subnet_id)
    ctx.remember(attrs.get("vpc_id"), found[0].get("VpcId"))
    tag_set = tag_list(tags_of(attrs))
    if tag_set:
        ec2.create_tags(Resources=[subnet_id], Tags=tag_set)
    _settings(ctx, attrs, subnet_id)


_NOT_COMPARED = {
    "customer_owned_ipv4_pool": "not compared yet",
    "enable_dns64": "not compared yet",
    "enable_lni_at_device_index": "not compared yet",
    "enable_resource_name_dns_a_record_on_launch": "not compared yet",
    "enable_resource_name_dns_aaaa_record_on_launch": "not compared yet",
    "ipv6_native": "not compared yet",
    "map_customer_owned_ip_on_launch": "not compared yet",
    "private_dns_hostname_type_on_launch": "not compared yet",
    "outpost_arn": "not compared yet",
    "availability_zone_id": "compared through availability_zone",
    "timeouts": "Terraform-only",
}

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Subnet",
    with_article="a subnet",
    sarif_name="Subnet",
    terraform=(
        TerraformType("aws_subnet", not_compared=_NOT_COMPARED),
        TerraformType(
            "aws_default_subnet",
            not_compared={**_NOT_COMPARED, "force_destroy": "Terraform-only"},
        ),
    ),
    scope=Scope.REGIONAL,
    service="ec2",
    collect=collect,
    api_calls=(ApiCall("ec2:DescribeSubnets", per="region", page_size=1000),),
    schema=SCHEMA,
    id_doc="subnet id (subnet-…)",
    is_default=_is_default,
    rules=(
        Rule(
            "map_public_ip_on_launch",
            turned_on,
            doc="instances launched in the subnet get a public IP where IaC has it off",
        ),
    ),
    fixes=FIXES,
    builders={
        "aws_subnet": Builder(
            _build_subnet, after=("aws_vpc", "aws_vpc_ipv4_cidr_block_association")
        ),
        "aws_default_subnet": Builder(_build_default_subnet, after=("aws_default_vpc",)),
    },
)
