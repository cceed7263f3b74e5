"""NAT gateways (``aws_nat_gateway``): one paginated DescribeNatGateways per region.

resource_id is the gateway id (``nat-…``). The primary address (``IsPrimary``, else the first
one listed) gives ``allocation_id`` and ``private_ip``; a private gateway has no allocation.
Gateways in state ``deleted``, ``deleting`` or ``failed`` are gone: AWS lists deleted ones for
about an hour and moto keeps them listed for good (with their Elastic IP still associated). moto
ignores ``PrivateIpAddress`` and picks a random address; the builder maps the state's address to
it. A NAT gateway is billed by the hour: an unmanaged or missing one costs its gateway-hours
(data processing, per GB, is not estimated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import ec2_network
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec
from driftctl.types.fixes import ec2_tags_fix
from driftctl.types.spec import ApiCall, Attr, CostQuery, Kind, ResourceSpec, Scope, TerraformType

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import NatGatewayTypeDef

    from driftctl.diff.pricing import CostImpact

RESOURCE_TYPE = "NAT_GATEWAY"
_LIVE_STATES = frozenset({"pending", "available"})

SCHEMA: dict[str, Attr] = {
    "allocation_id": Attr(empty_is_unset=True, doc="the primary Elastic IP's allocation"),
    "subnet_id": Attr(empty_is_unset=True),
    "connectivity_type": Attr(empty_is_unset=True, default="public"),
    "private_ip": Attr(empty_is_unset=True, doc="the primary private address"),
    "tags": Attr(Kind.TAGS),
}


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every live NAT gateway in ``region``; AWS errors propagate to the runner."""
    gateways = ec2_network.listing(ctx, region, "describe_nat_gateways", "NatGateways")
    return Collected(
        resources=[
            to_resource(g, region, ctx.account_id)
            for g in gateways
            if g.get("State") in _LIVE_STATES and g.get("NatGatewayId")
        ]
    )


def to_resource(gateway: NatGatewayTypeDef, region: str, account_id: str | None) -> ActualResource:
    """One DescribeNatGateways item in the canonical NAT_GATEWAY form."""
    addresses = gateway.get("NatGatewayAddresses", [])
    primary = next((a for a in addresses if a.get("IsPrimary")), addresses[0] if addresses else {})
    attributes: dict[str, Any] = {
        "allocation_id": primary.get("AllocationId") or None,
        "subnet_id": gateway.get("SubnetId"),
        "connectivity_type": gateway.get("ConnectivityType") or "public",
        "private_ip": primary.get("PrivateIp") or None,
        "tags": normalize.tags(gateway.get("Tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=gateway["NatGatewayId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def cost(query: CostQuery) -> CostImpact:
    """The gateway-hours of an unmanaged or missing NAT gateway; a modified one costs the same."""
    from driftctl.diff.network_prices import NAT_GATEWAY

    return ec2_network.hourly_cost(query, NAT_GATEWAY, "NAT gateway")


# -- remediation -------------------------------------------------------------------------------

# Tags only: its subnet, address and connectivity type are fixed when it is created.
FIXES = (ec2_tags_fix(),)


# -- building in an emulated account ---------------------------------------------------------


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    kind = attrs.get("connectivity_type") or "public"
    if attrs.get("allocation_id") and kind == "public":
        extra["AllocationId"] = ctx.id(attrs["allocation_id"])
    gateway = ctx.client("ec2").create_nat_gateway(
        SubnetId=ctx.id(attrs["subnet_id"]),
        ConnectivityType=kind,
        TagSpecifications=ec2_tag_spec("natgateway", attrs),
        **extra,
    )["NatGateway"]
    ctx.remember(attrs["id"], gateway["NatGatewayId"])
    addresses = gateway.get("NatGatewayAddresses", [])
    if not addresses:
        return
    ctx.remember(attrs.get("network_interface_id"), addresses[0].get("NetworkInterfaceId"))
    ctx.remember(attrs.get("association_id"), addresses[0].get("AssociationId"))
    if attrs.get("private_ip") and addresses[0].get("PrivateIp"):
        # The emulator picks its own address: the state's is rewritten to it (not an id, so
        # ``remember`` would not take it).
        ctx.ids[attrs["private_ip"]] = addresses[0]["PrivateIp"]


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="NAT gateway",
    with_article="a NAT gateway",
    sarif_name="NatGateway",
    terraform=(
        TerraformType(
            "aws_nat_gateway",
            not_compared={
                "secondary_allocation_ids": "not compared yet",
                "secondary_private_ip_addresses": "not compared yet",
                "secondary_private_ip_address_count": "not compared yet",
                "timeouts": "Terraform-only",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=ec2_network.SERVICE,
    collect=collect,
    api_calls=(ApiCall("ec2:DescribeNatGateways", per="region", page_size=1000),),
    schema=SCHEMA,
    id_doc="NAT gateway id (nat-…)",
    cost=cost,
    builders={"aws_nat_gateway": Builder(_build, after=("aws_subnet", "aws_eip"))},
    fixes=FIXES,
)
