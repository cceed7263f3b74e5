"""Elastic IP addresses (``aws_eip`` and ``aws_eip_association``): one DescribeAddresses per
region (the call is not paginated: it answers every address at once).

resource_id is the allocation id (``eipalloc-…``); EC2-Classic addresses, which have none, are
not read. An ``aws_eip_association`` merges into its address as ``instance`` /
``network_interface`` and wins over the address's own (computed) values. An address that
Terraform does not attach (``instance`` and ``network_interface`` empty) is not compared on
them: something else may attach it (a NAT gateway does).

Cost: since February 2024 AWS bills every Amazon-provided public IPv4 address by the hour,
attached or not (before, only idle ones were billed); an unmanaged or missing address costs its
address-hours, except one from a BYOIP pool of your own (``public_ipv4_pool`` other than
``amazon``), which AWS does not charge for. Re-attaching an address changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.iac.instance import StateInstance, put, text
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import ec2_network
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec
from driftctl.types.fixes import ec2_tags_fix
from driftctl.types.spec import ApiCall, Attr, CostQuery, Kind, ResourceSpec, Scope, TerraformType

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import AddressTypeDef

    from driftctl.diff.pricing import CostImpact

RESOURCE_TYPE = "EIP"
AMAZON_POOL = "amazon"

SCHEMA: dict[str, Attr] = {
    "domain": Attr(empty_is_unset=True, default="vpc"),
    "instance": Attr(empty_is_unset=True, doc="the attached instance's id"),
    "network_interface": Attr(empty_is_unset=True, doc="the attached network interface's id"),
    "public_ipv4_pool": Attr(empty_is_unset=True, default=AMAZON_POOL),
    "tags": Attr(Kind.TAGS),
}


def _association(inst: StateInstance) -> dict[str, Any]:
    """One ``aws_eip_association``: where it attaches its address."""
    out: dict[str, Any] = {}
    put(out, "instance", text(inst.get("instance_id"), empty_is_unset=True))
    put(out, "network_interface", text(inst.get("network_interface_id"), empty_is_unset=True))
    return out


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every Elastic IP in ``region``; AWS errors propagate to the runner."""
    addresses = ec2_network.listing(ctx, region, "describe_addresses", "Addresses", page=None)
    return Collected(
        resources=[
            to_resource(a, region, ctx.account_id) for a in addresses if a.get("AllocationId")
        ]
    )


def to_resource(address: AddressTypeDef, region: str, account_id: str | None) -> ActualResource:
    """One DescribeAddresses item in the canonical EIP form."""
    attributes: dict[str, Any] = {
        "domain": address.get("Domain") or "vpc",
        "instance": address.get("InstanceId") or None,
        "network_interface": address.get("NetworkInterfaceId") or None,
        "public_ipv4_pool": address.get("PublicIpv4Pool") or AMAZON_POOL,
        "tags": normalize.tags(address.get("Tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=address["AllocationId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _charged(attributes: Mapping[str, Any]) -> bool:
    return (attributes.get("public_ipv4_pool") or AMAZON_POOL) == AMAZON_POOL


def cost(query: CostQuery) -> CostImpact:
    """The address-hours of an unmanaged or missing Amazon-provided address."""
    from driftctl.diff.network_prices import PUBLIC_IPV4

    side = query.actual if query.drift_type == "unmanaged" else query.expected
    return ec2_network.hourly_cost(query, PUBLIC_IPV4, "Elastic IP", priced=_charged(side))


# -- remediation -------------------------------------------------------------------------------

# Tags only: associating the address again takes it from whatever holds it now.
FIXES = (ec2_tags_fix(),)


# -- building in an emulated account ---------------------------------------------------------


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ec2 = ctx.client("ec2")
    address = ec2.allocate_address(
        Domain=attrs.get("domain") or "vpc", TagSpecifications=ec2_tag_spec("elastic-ip", attrs)
    )
    ctx.remember(attrs["id"], address["AllocationId"])
    # Attached to an instance here; to a NAT gateway's interface by the gateway's builder.
    if attrs.get("instance"):
        association = ec2.associate_address(
            AllocationId=address["AllocationId"],
            InstanceId=ctx.id(attrs["instance"]),
            AllowReassociation=True,
        )
        ctx.remember(attrs.get("association_id"), association.get("AssociationId"))


def _build_association(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    target: dict[str, Any] = {}
    if attrs.get("instance_id"):
        target["InstanceId"] = ctx.id(attrs["instance_id"])
    elif attrs.get("network_interface_id"):
        target["NetworkInterfaceId"] = ctx.id(attrs["network_interface_id"])
    association = ctx.client("ec2").associate_address(
        AllocationId=ctx.id(attrs["allocation_id"]), AllowReassociation=True, **target
    )
    ctx.remember(attrs["id"], association.get("AssociationId"))


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Elastic IP",
    with_article="an Elastic IP",
    sarif_name="ElasticIp",
    terraform=(
        TerraformType(
            "aws_eip",
            id=("allocation_id", "id"),
            not_compared={
                "associate_with_private_ip": "compared through the attachment",
                "address": "the address itself cannot change",
                "vpc": "deprecated: compared as domain",
                "timeouts": "Terraform-only",
            },
        ),
        TerraformType(
            "aws_eip_association",
            id=("allocation_id",),
            read=_association,
            parent=True,
            overrides=True,
            not_compared={
                "allow_reassociation": "Terraform-only",
                "private_ip_address": "not compared yet",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=ec2_network.SERVICE,
    collect=collect,
    api_calls=(ApiCall("ec2:DescribeAddresses", per="region"),),
    schema=SCHEMA,
    id_doc="allocation id (eipalloc-…)",
    cost=cost,
    builders={
        "aws_eip": Builder(_build, after=("aws_instance",)),
        "aws_eip_association": Builder(_build_association, after=("aws_eip", "aws_instance")),
    },
    fixes=FIXES,
)
