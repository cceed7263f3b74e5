"""Route tables (``aws_route_table``, ``aws_default_route_table`` and the ``aws_route``,
``aws_route_table_association``, ``aws_main_route_table_association`` resources): one paginated
DescribeRouteTables per region.

resource_id is the table id (``rtb-…``). Routes compare as a set of ``destination -> target``
keys (``0.0.0.0/0 -> igw-0abc``), wherever they are declared: the table's inline ``route``
blocks or separate ``aws_route`` resources, merged like security-group rules. A route names its
one target: Terraform writes every other target field as ``""``, and AWS reports a route to an
instance with both the instance and its network interface (the interface is the key). Not drift:
the ``local`` route of every table, routes a gateway VPC endpoint adds (compared by that
endpoint's type) and routes propagated from a virtual private gateway (compared as
``propagating_vgws``). Associations compare as a set of subnet and gateway ids from the
``aws_route_table_association`` resources (the table declares none itself, so one made in the
console is drift); ``main`` only where an ``aws_main_route_table_association`` declares it.

Never unmanaged: the main route table AWS gives every VPC, and an untagged table with nothing but
the local route and no association, which is what AWS leaves behind when an
``aws_main_route_table_association`` moves the main association to another table. Critical: a
route to ``0.0.0.0/0`` or ``::/0`` through an internet gateway in a table whose IaC routes have
none (a private table made public).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from driftctl.diff.conditions import WORLD
from driftctl.iac.instance import BadValue, StateInstance, text
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import vpc
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec, tag_list, tags_of
from driftctl.types.fixes import ec2_tags_fix, set_members
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import RouteTableTypeDef, RouteTypeDef

    from driftctl.diff.findings import DiffEntry, Finding

RESOURCE_TYPE = "ROUTE_TABLE"
LOCAL = "local"
ARROW = " -> "
# A route's target as Terraform names it and as AWS does, in the order a key picks one: the
# network interface before the instance (AWS reports both for an instance target); a
# Gateway Load Balancer endpoint (Terraform's vpc_endpoint_id) comes back as GatewayId.
TARGETS: tuple[tuple[str, str], ...] = (
    ("gateway_id", "GatewayId"),
    ("nat_gateway_id", "NatGatewayId"),
    ("transit_gateway_id", "TransitGatewayId"),
    ("vpc_peering_connection_id", "VpcPeeringConnectionId"),
    ("egress_only_gateway_id", "EgressOnlyInternetGatewayId"),
    ("vpc_endpoint_id", "GatewayId"),
    ("local_gateway_id", "LocalGatewayId"),
    ("carrier_gateway_id", "CarrierGatewayId"),
    ("core_network_arn", "CoreNetworkArn"),
    ("network_interface_id", "NetworkInterfaceId"),
    ("instance_id", "InstanceId"),
)
# A route as Terraform's two spellings name its destination (inline block, aws_route).
_DESTINATIONS = (
    ("cidr_block", "destination_cidr_block", "DestinationCidrBlock"),
    ("ipv6_cidr_block", "destination_ipv6_cidr_block", "DestinationIpv6CidrBlock"),
    ("destination_prefix_list_id", "destination_prefix_list_id", "DestinationPrefixListId"),
)
_NO_TARGET = "(none)"


def route_key(destination: str, target: str | None) -> str:
    """``0.0.0.0/0 -> igw-0abc``: a route as one set member."""
    return f"{destination.strip().lower()}{ARROW}{target or _NO_TARGET}"


def _key_from_state(block: Mapping[str, Any], *, inline: bool) -> str | None:
    destination = next(
        (
            str(block[name])
            for name in (d[0] if inline else d[1] for d in _DESTINATIONS)
            if block.get(name) not in (None, "")
        ),
        None,
    )
    if destination is None:
        raise BadValue("a route without a destination")
    target = next(
        (str(block[f]) for f, _ in TARGETS if block.get(f) not in (None, "")),
        None,
    )
    if target == LOCAL:
        return None
    return route_key(destination, target)


# -- reading the state -------------------------------------------------------------------------


def _inline_routes(inst: StateInstance) -> Any:
    blocks = inst.get("route")
    if blocks is None or blocks == SENSITIVE:
        return blocks
    if not isinstance(blocks, list):
        raise BadValue("'route' is not a list")
    keys: set[str] = set()
    for block in blocks:
        if not isinstance(block, Mapping):
            raise BadValue("'route' holds a route that is not an object")
        key = _key_from_state(block, inline=True)
        if key is not None:
            keys.add(key)
    return sorted(keys)


def _none_declared(inst: StateInstance) -> Any:
    # The table itself declares no association: one AWS has beyond the association resources
    # is drift.
    return []


def _route(inst: StateInstance) -> dict[str, Any] | None:
    fields = [d[1] for d in _DESTINATIONS] + [f for f, _ in TARGETS]
    if any(inst.is_sensitive(f) for f in fields):
        return {"routes": SENSITIVE}
    key = _key_from_state({f: inst.get(f) for f in fields}, inline=False)
    return {"routes": [key]} if key is not None else None


def _association(inst: StateInstance) -> dict[str, Any] | None:
    target = text(inst.get("subnet_id"), empty_is_unset=True) or text(
        inst.get("gateway_id"), empty_is_unset=True
    )
    return {"associations": [target]} if target else None


def _main(_inst: StateInstance) -> dict[str, Any]:
    return {"main": True}


SCHEMA: dict[str, Attr] = {
    "vpc_id": Attr(empty_is_unset=True),
    "routes": Attr(Kind.SET, read=_inline_routes, doc="destination -> target (local excluded)"),
    "associations": Attr(Kind.SET, read=_none_declared, doc="subnet and gateway ids"),
    "main": Attr(type=bool, read=lambda _inst: None, doc="from aws_main_route_table_association"),
    "propagating_vgws": Attr(Kind.SET),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every route table of ``region``; AWS errors propagate to the runner."""
    tables = vpc.listing(ctx, region, "describe_route_tables", "RouteTables", page=(5, 100))
    found = [to_resource(t, region, ctx.account_id) for t in tables if t.get("RouteTableId")]
    return Collected(resources=found)


def route_keys(routes: Sequence[RouteTypeDef]) -> list[str]:
    """AWS's routes as sorted keys, without the ones that are not the table's own."""
    keys: set[str] = set()
    for route in routes:
        if route.get("Origin") == "EnableVgwRoutePropagation":
            continue  # propagated: compared as propagating_vgws
        gateway = str(route.get("GatewayId") or "")
        if gateway == LOCAL:
            continue
        if route.get("DestinationPrefixListId") and gateway.startswith("vpce-"):
            continue  # added by a gateway VPC endpoint's route_table_ids
        destination = next(
            (str(route[d[2]]) for d in _DESTINATIONS if route.get(d[2])),  # type: ignore[literal-required]
            None,
        )
        if destination is None:
            continue
        target = next(
            (str(route[a]) for _, a in TARGETS if route.get(a)),  # type: ignore[literal-required]
            None,
        )
        keys.add(route_key(destination, target))
    return sorted(keys)


def to_resource(table: RouteTableTypeDef, region: str, account_id: str | None) -> ActualResource:
    """One DescribeRouteTables item in the canonical ROUTE_TABLE form."""
    associations: set[str] = set()
    main = False
    for association in table.get("Associations", []):
        if association.get("AssociationState", {}).get("State", "associated") not in (
            "associating",
            "associated",
        ):
            continue
        if association.get("Main"):
            main = True
        target = association.get("SubnetId") or association.get("GatewayId")
        if target:
            associations.add(target)
    attributes: dict[str, Any] = {
        "vpc_id": table.get("VpcId"),
        "routes": route_keys(table.get("Routes", [])),
        "associations": sorted(associations),
        "main": main,
        "propagating_vgws": sorted(
            v["GatewayId"] for v in table.get("PropagatingVgws", []) if "GatewayId" in v
        ),
        "tags": vpc.tags(table.get("Tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=table["RouteTableId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    if attributes.get("main") is True:
        return True  # every VPC's main route table
    # What AWS leaves when the main association moves elsewhere: inert, and not the IaC's.
    return not any(
        attributes.get(name) for name in ("routes", "associations", "propagating_vgws", "tags")
    )


def _is_internet_route(key: Any) -> bool:
    if not isinstance(key, str) or ARROW not in key:
        return False
    destination, target = key.split(ARROW, 1)
    return destination in WORLD and target.startswith("igw-")


def internet_route_in_private_table(entry: DiffEntry, finding: Finding) -> bool:
    """A route to 0.0.0.0/0 or ::/0 through an internet gateway appeared in a table whose IaC
    routes have none."""
    if not _is_internet_route(entry.get("actual")):
        return False
    declared = (finding.expected_state or {}).get("routes") or []
    return not any(_is_internet_route(r) for r in declared)


# -- remediation -------------------------------------------------------------------------------

# A route target's id prefix -> the CreateRoute parameter that names it.
_TARGET_PARAMS = (
    ("igw-", "GatewayId"),
    ("vgw-", "GatewayId"),
    ("nat-", "NatGatewayId"),
    ("tgw-", "TransitGatewayId"),
    ("pcx-", "VpcPeeringConnectionId"),
    ("eigw-", "EgressOnlyInternetGatewayId"),
    ("vpce-", "VpcEndpointId"),
    ("lgw-", "LocalGatewayId"),
    ("cagw-", "CarrierGatewayId"),
    ("arn:", "CoreNetworkArn"),
    ("eni-", "NetworkInterfaceId"),
    ("i-", "InstanceId"),
)


def _destination(destination: str) -> dict[str, str]:
    if destination.startswith("pl-"):
        return {"DestinationPrefixListId": destination}
    if ":" in destination:
        return {"DestinationIpv6CidrBlock": destination}
    return {"DestinationCidrBlock": destination}


def route_request(table_id: str, key: str) -> dict[str, str]:
    """A route key (``0.0.0.0/0 -> igw-0abc``) back as the CreateRoute request making it."""
    destination, _, target = key.partition(ARROW)
    param = next((p for prefix, p in _TARGET_PARAMS if target.startswith(prefix)), None)
    if param is None:
        raise ValueError(f"route {key!r} has no target a route can be created with")
    return {"RouteTableId": table_id, **_destination(destination), param: target}


def _routes(query: FixQuery) -> list[Call]:
    """Routes added are deleted first, then the removed ones created: a route whose target
    changed is one of each, on the same destination."""
    added, removed = set_members(query.entries)
    deletes = [
        Call(
            "ec2",
            "DeleteRoute",
            {"RouteTableId": query.resource_id, **_destination(k.partition(ARROW)[0])},
            fixes=(f"routes[{k}]",),
        )
        for k in added
    ]
    creates = [
        Call("ec2", "CreateRoute", route_request(query.resource_id, k), fixes=(f"routes[{k}]",))
        for k in removed
    ]
    return deletes + creates


FIXES = (
    Fix(
        "routes[*",
        _routes,
        doc="routes (ec2:DeleteRoute what was added, CreateRoute what was removed)",
    ),
    ec2_tags_fix(),
)


# -- building in an emulated account ---------------------------------------------------------


_REQUEST = {
    "cidr_block": "DestinationCidrBlock",
    "destination_cidr_block": "DestinationCidrBlock",
    "ipv6_cidr_block": "DestinationIpv6CidrBlock",
    "destination_ipv6_cidr_block": "DestinationIpv6CidrBlock",
    "destination_prefix_list_id": "DestinationPrefixListId",
    "vpc_endpoint_id": "VpcEndpointId",
    **{f: a for f, a in TARGETS if f != "vpc_endpoint_id"},
}


def _create_route(ctx: BuildContext, table_id: str, block: Mapping[str, Any]) -> None:
    from botocore.exceptions import ClientError

    request: dict[str, Any] = {"RouteTableId": table_id}
    for field, name in _REQUEST.items():
        value = block.get(field)
        if value in (None, ""):
            continue
        if name == "InstanceId" and block.get("network_interface_id"):
            continue  # the interface names the instance's route already
        request[name] = value if name.startswith("Destination") else ctx.id(str(value))
    if request.get("GatewayId") == LOCAL:
        return
    try:
        ctx.client("ec2").create_route(**request)
    except ClientError as exc:
        # The table's inline route and an aws_route may describe the same route.
        if exc.response.get("Error", {}).get("Code") != "RouteAlreadyExists":
            raise


def _build_table(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    table_id = ctx.client("ec2").create_route_table(
        VpcId=ctx.id(attrs["vpc_id"]), TagSpecifications=ec2_tag_spec("route-table", attrs)
    )["RouteTable"]["RouteTableId"]
    ctx.remember(attrs["id"], table_id)
    _routes_and_vgws(ctx, attrs, table_id)


def _routes_and_vgws(ctx: BuildContext, attrs: Mapping[str, Any], table_id: str) -> None:
    for block in attrs.get("route") or []:
        _create_route(ctx, table_id, block)
    for gateway in attrs.get("propagating_vgws") or []:
        ctx.client("ec2").enable_vgw_route_propagation(
            RouteTableId=table_id, GatewayId=ctx.id(gateway)
        )


def _build_default_table(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    table_id = ctx.id(attrs.get("default_route_table_id") or attrs["id"])
    ctx.remember(attrs["id"], table_id)
    tag_set = tag_list(tags_of(attrs))
    if tag_set:
        ctx.client("ec2").create_tags(Resources=[table_id], Tags=tag_set)
    _routes_and_vgws(ctx, attrs, table_id)


def _build_route(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    _create_route(ctx, ctx.id(attrs["route_table_id"]), attrs)


def _build_association(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    target = (
        {"SubnetId": ctx.id(attrs["subnet_id"])}
        if attrs.get("subnet_id")
        else {"GatewayId": ctx.id(attrs["gateway_id"])}
    )
    answer = ctx.client("ec2").associate_route_table(
        RouteTableId=ctx.id(attrs["route_table_id"]), **target
    )
    ctx.remember(attrs.get("id"), answer.get("AssociationId"))


def _build_main_association(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ec2 = ctx.client("ec2")
    [main] = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [ctx.id(attrs["vpc_id"])]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]
    ctx.remember(attrs.get("original_route_table_id"), main["RouteTableId"])
    association = next(a for a in main.get("Associations", []) if a.get("Main"))
    answer = ec2.replace_route_table_association(
        AssociationId=association["RouteTableAssociationId"],
        RouteTableId=ctx.id(attrs["route_table_id"]),
    )
    ctx.remember(attrs.get("id"), answer.get("NewAssociationId"))


_TARGET_TYPES = (
    "aws_internet_gateway",
    "aws_internet_gateway_attachment",
    "aws_nat_gateway",
    "aws_egress_only_internet_gateway",
    "aws_vpc_peering_connection",
    "aws_network_interface",
    "aws_instance",
    "aws_vpc_endpoint",
    "aws_vpn_gateway",
)
_TABLES = ("aws_route_table", "aws_default_route_table")
_NOT_COMPARED = {"timeouts": "Terraform-only"}

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Route table",
    with_article="a route table",
    sarif_name="RouteTable",
    terraform=(
        TerraformType("aws_route_table", not_compared=_NOT_COMPARED),
        TerraformType(
            "aws_default_route_table",
            id=("id", "default_route_table_id"),
            not_compared=_NOT_COMPARED,
        ),
        TerraformType(
            "aws_route",
            id=("route_table_id",),
            read=_route,
            parent=True,
            not_compared={**_NOT_COMPARED, "origin": "computed", "state": "computed"},
        ),
        TerraformType(
            "aws_route_table_association",
            id=("route_table_id",),
            read=_association,
            parent=True,
            not_compared=_NOT_COMPARED,
        ),
        TerraformType(
            "aws_main_route_table_association",
            id=("route_table_id",),
            read=_main,
            parent=True,
            overrides=True,
            not_compared={
                **_NOT_COMPARED,
                "original_route_table_id": "Terraform-only (restored on destroy)",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service="ec2",
    collect=collect,
    api_calls=(ApiCall("ec2:DescribeRouteTables", per="region", page_size=100),),
    schema=SCHEMA,
    id_doc="route table id (rtb-…)",
    is_default=_is_default,
    rules=(
        Rule(
            "routes[*",
            internet_route_in_private_table,
            change="added",
            doc="a route to 0.0.0.0/0 or ::/0 through an internet gateway in a private table",
        ),
    ),
    builders={
        "aws_route_table": Builder(_build_table, after=("aws_vpc", *_TARGET_TYPES)),
        "aws_default_route_table": Builder(
            _build_default_table, after=("aws_vpc", "aws_default_vpc", *_TARGET_TYPES)
        ),
        "aws_route": Builder(_build_route, after=(*_TABLES, *_TARGET_TYPES)),
        "aws_route_table_association": Builder(
            _build_association, after=(*_TABLES, "aws_subnet", "aws_default_subnet")
        ),
        "aws_main_route_table_association": Builder(
            _build_main_association, after=(*_TABLES, "aws_vpc")
        ),
    },
    fixes=FIXES,
)
