"""Internet gateways (``aws_internet_gateway``, ``aws_internet_gateway_attachment``): one
paginated DescribeInternetGateways per region.

resource_id is the gateway id (``igw-…``). The VPC it is attached to compares as ``vpc_id``,
whether the gateway names it or a separate ``aws_internet_gateway_attachment`` does (that one
wins). AWS attaches an internet gateway to the default VPC it makes in every region: that gateway
is never unmanaged. Knowing which VPC is the default takes one DescribeVpcs per region, made only
when a gateway the IaC does not declare is attached somewhere. moto makes the default VPC without
a gateway; this follows AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl.iac.instance import StateInstance, text
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext, ScanError
from driftctl.types import vpc
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec
from driftctl.types.fixes import ec2_tags_fix
from driftctl.types.spec import ApiCall, Attr, Kind, ResourceSpec, Scope, TerraformType

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import InternetGatewayTypeDef

RESOURCE_TYPE = "INTERNET_GATEWAY"
# Attachment states of a gateway still attached (AWS says "available" once attached).
_ATTACHED = ("attaching", "attached", "available")

SCHEMA: dict[str, Attr] = {
    "vpc_id": Attr(empty_is_unset=True, doc="the VPC it is attached to"),
    "tags": Attr(Kind.TAGS),
}


def _attachment(inst: StateInstance) -> dict[str, Any] | None:
    vpc_id = text(inst.get("vpc_id"), empty_is_unset=True)
    return {"vpc_id": vpc_id} if vpc_id is not None else None


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every internet gateway of ``region``. Listing errors propagate; when the default VPC
    cannot be looked up, the undeclared attached gateways are left out and the region is
    partial."""
    from botocore.exceptions import BotoCoreError, ClientError

    gateways = [
        g
        for g in vpc.listing(ctx, region, "describe_internet_gateways", "InternetGateways")
        if g.get("InternetGatewayId")
    ]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    found = [to_resource(g, region, ctx.account_id) for g in gateways]
    undeclared = [r for r in found if r.resource_id not in managed and r.attributes.get("vpc_id")]
    if not undeclared:
        return Collected(resources=found)
    try:
        defaults = vpc.default_vpc_ids(ctx, region)
    except (BotoCoreError, ClientError) as exc:
        from driftctl.scanner.session import error_details

        code, message = error_details(exc)
        # Which of them AWS made with the default VPC cannot be told: judge none of them.
        kept = [r for r in found if r.resource_id in managed or not r.attributes.get("vpc_id")]
        failure = ScanError(RESOURCE_TYPE, region, code, f"default VPC: {message}")
        return Collected(resources=kept, failures=[failure])
    for resource in undeclared:
        if resource.attributes.get("vpc_id") in defaults:
            resource.attributes["attached_to_default_vpc"] = True
    return Collected(resources=found)


def to_resource(
    gateway: InternetGatewayTypeDef, region: str, account_id: str | None
) -> ActualResource:
    """One DescribeInternetGateways item in the canonical INTERNET_GATEWAY form."""
    attached = [
        a["VpcId"]
        for a in gateway.get("Attachments", [])
        if "VpcId" in a and a.get("State") in _ATTACHED
    ]
    attributes: dict[str, Any] = {
        "vpc_id": attached[0] if attached else None,
        "tags": vpc.tags(gateway.get("Tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=gateway["InternetGatewayId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    # AWS makes the default VPC with a gateway of its own.
    return attributes.get("attached_to_default_vpc") is True


# -- remediation -------------------------------------------------------------------------------

# Tags only: moving the gateway between VPCs (detach, attach) cuts the VPCs' internet traffic.
FIXES = (ec2_tags_fix(),)


# -- building in an emulated account ---------------------------------------------------------


def _build_gateway(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ec2 = ctx.client("ec2")
    gateway_id = ec2.create_internet_gateway(
        TagSpecifications=ec2_tag_spec("internet-gateway", attrs)
    )["InternetGateway"]["InternetGatewayId"]
    ctx.remember(attrs["id"], gateway_id)
    if attrs.get("vpc_id"):
        ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=ctx.id(attrs["vpc_id"]))


def _build_attachment(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("ec2").attach_internet_gateway(
        InternetGatewayId=ctx.id(attrs["internet_gateway_id"]), VpcId=ctx.id(attrs["vpc_id"])
    )


_VPCS = ("aws_vpc", "aws_default_vpc")

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Internet gateway",
    with_article="an internet gateway",
    sarif_name="InternetGateway",
    terraform=(
        TerraformType("aws_internet_gateway", not_compared={"timeouts": "Terraform-only"}),
        TerraformType(
            "aws_internet_gateway_attachment",
            id=("internet_gateway_id",),
            read=_attachment,
            parent=True,
            overrides=True,
            not_compared={"timeouts": "Terraform-only"},
        ),
    ),
    scope=Scope.REGIONAL,
    service="ec2",
    collect=collect,
    api_calls=(
        ApiCall("ec2:DescribeInternetGateways", per="region", page_size=1000),
        ApiCall(
            "ec2:DescribeVpcs",
            per="region",
            when="a gateway the IaC does not declare is attached: is its VPC the default one",
        ),
    ),
    schema=SCHEMA,
    id_doc="internet gateway id (igw-…)",
    is_default=_is_default,
    builders={
        "aws_internet_gateway": Builder(_build_gateway, after=_VPCS),
        "aws_internet_gateway_attachment": Builder(
            _build_attachment, after=("aws_internet_gateway", *_VPCS)
        ),
    },
    fixes=FIXES,
)
