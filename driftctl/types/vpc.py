"""VPCs (``aws_vpc``, ``aws_default_vpc``, ``aws_vpc_ipv4_cidr_block_association``): one
paginated DescribeVpcs per region, then DescribeVpcAttribute twice (DNS support, DNS hostnames)
for each VPC the IaC declares: AWS reports those two settings one VPC and one attribute a call.

resource_id is the VPC id (``vpc-…``). Secondary IPv4 CIDRs compare as a set, whether they come
from ``aws_vpc_ipv4_cidr_block_association`` resources or not at all (a CIDR added in the console
is drift). ``assign_generated_ipv6_cidr_block`` is on when AWS lists an associated IPv6 block from
Amazon's pool. The default VPC AWS makes in every region is never unmanaged; the state manages it
with ``aws_default_vpc`` and is then compared like any other.

Also the network helpers the VPC types share: tags masked, paginated EC2 listings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.iac.instance import StateInstance, text
from driftctl.resources import SENSITIVE, ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec, tag_list, tags_of
from driftctl.types.fixes import ec2_tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import VpcTypeDef

RESOURCE_TYPE = "VPC"
_LIVE = ("associating", "associated")
# DescribeVpcs, DescribeSubnets, DescribeInternetGateways accept 5..1000 per page.
PAGE = (5, 1000)


# -- shared by the VPC network types -----------------------------------------------------------


def tags(raw: Any) -> dict[str, str]:
    """EC2 ``Tags`` as a map, secret-looking values masked (AWS values are untrusted)."""
    return mask_secret_values(normalize.tags(raw if isinstance(raw, list) else []))


def listing(ctx: ScanContext, region: str, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item of a paginated EC2 Describe call (``describe_vpcs``, ``Vpcs``)."""
    # Any: the operation is chosen at run time, which the client's overloads cannot type.
    client: Any = ctx.aws.client("ec2", region)
    pages = client.get_paginator(operation).paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*kwargs.pop("page", PAGE))}, **kwargs
    )
    return [item for page in pages for item in page.get(key, []) if isinstance(item, dict)]


def default_vpc_ids(ctx: ScanContext, region: str) -> frozenset[str]:
    """The ids of ``region``'s default VPC (one DescribeVpcs per scan and region)."""

    def load() -> frozenset[str]:
        found = listing(
            ctx,
            region,
            "describe_vpcs",
            "Vpcs",
            Filters=[{"Name": "is-default", "Values": ["true"]}],
        )
        return frozenset(v["VpcId"] for v in found if v.get("IsDefault") and v.get("VpcId"))

    return ctx.shared(f"ec2:default-vpcs:{region}", load)


# -- reading the state -------------------------------------------------------------------------


def _no_secondary(inst: StateInstance) -> Any:
    # The VPC itself declares no secondary CIDR: any AWS has beyond the association resources
    # is drift.
    return [] if inst.get("cidr_block") != SENSITIVE else SENSITIVE


def _association(inst: StateInstance) -> dict[str, Any] | None:
    cidr = text(inst.get("cidr_block"), empty_is_unset=True)
    if cidr is None:
        return None  # an IPAM-allocated block not known yet
    return {"secondary_cidr_blocks": [cidr] if cidr != SENSITIVE else SENSITIVE}


SCHEMA: dict[str, Attr] = {
    "cidr_block": Attr(empty_is_unset=True),
    "secondary_cidr_blocks": Attr(
        Kind.SET, read=_no_secondary, doc="IPv4 blocks beyond cidr_block"
    ),
    "instance_tenancy": Attr(empty_is_unset=True, default="default"),
    "enable_dns_support": Attr(type=bool, default=True),
    "enable_dns_hostnames": Attr(type=bool, default=False),
    "assign_generated_ipv6_cidr_block": Attr(type=bool, default=False),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every VPC of ``region``; DNS settings of the declared ones. Listing errors propagate; a
    failed attribute read spoils its region only."""
    vpcs = listing(ctx, region, "describe_vpcs", "Vpcs")
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    client = ctx.aws.client("ec2", region)

    def read(vpc: VpcTypeDef) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        vpc_id = vpc["VpcId"]
        if vpc_id not in managed:
            return Detail(resource=to_resource(vpc, region, ctx.account_id))
        try:
            support = client.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")
            hostnames = client.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidVpcID.NotFound":
                return Detail()
            return failed((region,), f"VPC {vpc_id}", exc)
        except BotoCoreError as exc:
            return failed((region,), f"VPC {vpc_id}", exc)
        dns = {
            "enable_dns_support": support.get("EnableDnsSupport", {}).get("Value"),
            "enable_dns_hostnames": hostnames.get("EnableDnsHostnames", {}).get("Value"),
        }
        return Detail(resource=to_resource(vpc, region, ctx.account_id, dns))

    live = [v for v in vpcs if v.get("VpcId") and v.get("State") != "deleted"]
    return read_each(ctx, RESOURCE_TYPE, live, read, noun="VPCs")


def to_resource(
    vpc: VpcTypeDef,
    region: str,
    account_id: str | None,
    dns: Mapping[str, Any] | None = None,
) -> ActualResource:
    """One DescribeVpcs item in the canonical VPC form (DNS settings when they were read)."""
    primary = vpc.get("CidrBlock")
    secondary = sorted(
        a["CidrBlock"]
        for a in vpc.get("CidrBlockAssociationSet", [])
        if "CidrBlock" in a
        and a["CidrBlock"] != primary
        and a.get("CidrBlockState", {}).get("State") in _LIVE
    )
    amazon_ipv6 = any(
        a.get("Ipv6Pool") == "Amazon" and a.get("Ipv6CidrBlockState", {}).get("State") in _LIVE
        for a in vpc.get("Ipv6CidrBlockAssociationSet", [])
    )
    attributes: dict[str, Any] = {
        "cidr_block": primary,
        "secondary_cidr_blocks": secondary,
        "instance_tenancy": vpc.get("InstanceTenancy"),
        "assign_generated_ipv6_cidr_block": amazon_ipv6,
        "tags": tags(vpc.get("Tags")),
        "is_default": bool(vpc.get("IsDefault", False)),
    }
    if dns is not None:
        attributes.update(
            {k: v for k, v in dns.items() if isinstance(v, bool)},
        )
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=vpc["VpcId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    # The default VPC AWS makes in every region.
    return attributes.get("is_default") is True


# -- remediation -------------------------------------------------------------------------------

_DNS = {"enable_dns_support": "EnableDnsSupport", "enable_dns_hostnames": "EnableDnsHostnames"}


def _dns_settings(query: FixQuery) -> list[Call]:
    """One ModifyVpcAttribute per setting (AWS takes one a call). Hostnames need DNS support:
    support is turned on before hostnames and off after them."""
    wanted = {path: _expected_bool(entry, path) for path, entry in query.entries.items()}
    calls = {
        path: Call(
            "ec2",
            "ModifyVpcAttribute",
            {"VpcId": query.resource_id, _DNS[path]: {"Value": value}},
            fixes=(path,),
        )
        for path, value in wanted.items()
    }
    # enable_dns_support sorts after enable_dns_hostnames.
    order = sorted(calls, reverse=wanted.get("enable_dns_support", False))
    return [calls[p] for p in order]


def _expected_bool(entry: Mapping[str, Any], path: str) -> bool:
    # Nothing expected: what AWS means by an absent value.
    value = entry.get("expected")
    return bool(SCHEMA[path].default if value is None else value)


FIXES = (
    Fix(
        "enable_dns_*",
        _dns_settings,
        doc="DNS support and hostnames (ec2:ModifyVpcAttribute, one setting a call)",
    ),
    ec2_tags_fix(),
)


# -- building in an emulated account ---------------------------------------------------------


def remember_defaults(ctx: BuildContext, attrs: Mapping[str, Any], vpc_id: str) -> None:
    """Map the state's ids of what AWS creates with a VPC (security group, main route table,
    network ACL) to the emulator's."""
    ec2 = ctx.client("ec2")
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    groups = ec2.describe_security_groups(
        Filters=[*in_vpc, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    if groups and attrs.get("default_security_group_id"):
        ctx.remember(attrs["default_security_group_id"], groups[0]["GroupId"])
    tables = ec2.describe_route_tables(
        Filters=[*in_vpc, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    for key in ("main_route_table_id", "default_route_table_id"):
        if tables and attrs.get(key):
            ctx.remember(attrs[key], tables[0]["RouteTableId"])
    acls = ec2.describe_network_acls(Filters=[*in_vpc, {"Name": "default", "Values": ["true"]}])[
        "NetworkAcls"
    ]
    if acls and attrs.get("default_network_acl_id"):
        ctx.remember(attrs["default_network_acl_id"], acls[0]["NetworkAclId"])


def _dns(ctx: BuildContext, attrs: Mapping[str, Any], vpc_id: str) -> None:
    ec2 = ctx.client("ec2")
    # One attribute per call, as AWS requires.
    if attrs.get("enable_dns_support") is not None:
        ec2.modify_vpc_attribute(
            VpcId=vpc_id, EnableDnsSupport={"Value": bool(attrs["enable_dns_support"])}
        )
    if attrs.get("enable_dns_hostnames") is not None:
        ec2.modify_vpc_attribute(
            VpcId=vpc_id, EnableDnsHostnames={"Value": bool(attrs["enable_dns_hostnames"])}
        )


def _build_vpc(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ec2 = ctx.client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock=attrs["cidr_block"],
        InstanceTenancy=attrs.get("instance_tenancy") or "default",
        AmazonProvidedIpv6CidrBlock=bool(attrs.get("assign_generated_ipv6_cidr_block")),
        TagSpecifications=ec2_tag_spec("vpc", attrs),
    )["Vpc"]
    vpc_id = vpc["VpcId"]
    ctx.remember(attrs["id"], vpc_id)
    if "DhcpOptionsId" in vpc and attrs.get("dhcp_options_id"):
        ctx.remember(attrs["dhcp_options_id"], vpc["DhcpOptionsId"])
    _dns(ctx, attrs, vpc_id)
    remember_defaults(ctx, attrs, vpc_id)


def _build_default_vpc(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ec2 = ctx.client("ec2")
    found = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    vpc_id = found[0]["VpcId"] if found else ec2.create_default_vpc()["Vpc"]["VpcId"]
    ctx.remember(attrs["id"], vpc_id)
    tag_set = tag_list(tags_of(attrs))
    if tag_set:
        ec2.create_tags(Resources=[vpc_id], Tags=tag_set)
    _dns(ctx, attrs, vpc_id)
    remember_defaults(ctx, attrs, vpc_id)


def _build_association(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    answer = ctx.client("ec2").associate_vpc_cidr_block(
        VpcId=ctx.id(attrs["vpc_id"]), CidrBlock=attrs["cidr_block"]
    )
    ctx.remember(attrs.get("id"), answer.get("CidrBlockAssociation", {}).get("AssociationId"))


_NOT_COMPARED = {
    "enable_network_address_usage_metrics": "not compared yet",
    "ipv4_ipam_pool_id": "compared through cidr_block",
    "ipv4_netmask_length": "compared through cidr_block",
    "ipv6_cidr_block": "compared through assign_generated_ipv6_cidr_block",
    "ipv6_ipam_pool_id": "not compared yet",
    "ipv6_netmask_length": "not compared yet",
    "ipv6_cidr_block_network_border_group": "not compared yet",
}


def _calls() -> Sequence[ApiCall]:
    attribute = ApiCall("ec2:DescribeVpcAttribute", per="resource", managed_only=True)
    # Twice per declared VPC: enableDnsSupport, then enableDnsHostnames.
    return (ApiCall("ec2:DescribeVpcs", per="region", page_size=1000), attribute, attribute)


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="VPC",
    with_article="a VPC",
    sarif_name="VPC",
    terraform=(
        TerraformType("aws_vpc", not_compared=_NOT_COMPARED),
        TerraformType(
            "aws_default_vpc",
            not_compared={**_NOT_COMPARED, "force_destroy": "Terraform-only"},
        ),
        TerraformType(
            "aws_vpc_ipv4_cidr_block_association",
            id=("vpc_id",),
            read=_association,
            parent=True,
            not_compared={"timeouts": "Terraform-only"},
        ),
    ),
    scope=Scope.REGIONAL,
    service="ec2",
    collect=collect,
    api_calls=tuple(_calls()),
    schema=SCHEMA,
    id_doc="VPC id (vpc-…)",
    is_default=_is_default,
    fixes=FIXES,
    builders={
        "aws_vpc": Builder(_build_vpc),
        "aws_default_vpc": Builder(_build_default_vpc),
        "aws_vpc_ipv4_cidr_block_association": Builder(
            _build_association, after=("aws_vpc", "aws_default_vpc")
        ),
    },
)
