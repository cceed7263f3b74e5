"""VPC endpoints (``aws_vpc_endpoint`` and its separate resources
``aws_vpc_endpoint_route_table_association``, ``_subnet_association``,
``_security_group_association`` and ``aws_vpc_endpoint_policy``): one paginated
DescribeVpcEndpoints per region.

resource_id is the endpoint id (``vpce-…``). Route tables, subnets and security groups compare
as sets, whether listed inline or by association resources; an ``aws_vpc_endpoint_policy`` wins
over the endpoint's own (computed) policy. The policy compares as parsed JSON, and any
full-access policy (allow ``*`` on ``*`` to ``*``) is one value: that is the policy AWS gives an
endpoint when IaC sets none, and what an endpoint that reports no policy document has. Endpoints
in state ``deleted``, ``deleting``, ``rejected``, ``failed`` or ``expired`` are gone (moto keeps
deleted ones listed). Endpoints AWS manages for a service (``RequesterManaged``) are never
unmanaged. Only interface endpoints have private DNS: moto reports ``PrivateDnsEnabled`` on for
gateway endpoints too (AWS: off), so it reads as off for every other type; moto also ignores
``PrivateDnsEnabled`` on ModifyVpcEndpoint (AWS applies it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.iac.instance import StateInstance, policy
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import ec2_network
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec
from driftctl.types.fixes import ec2_tags_fix, scalar_fix, set_members
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
    from mypy_boto3_ec2.type_defs import VpcEndpointTypeDef

RESOURCE_TYPE = "VPC_ENDPOINT"
_GONE_STATES = frozenset({"deleted", "deleting", "rejected", "failed", "expired"})
# The policy AWS gives an endpoint when none is set (normalised: Version 2008-10-17).
FULL_ACCESS = normalize.policy(
    {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
)


def canonical_policy(doc: Any) -> Any:
    """A normalised policy, every full-access policy as the one AWS gives by default."""
    if not isinstance(doc, dict):
        return doc
    statements = doc.get("Statement") or []
    if len(statements) == 1 and set(doc) <= {"Version", "Statement"}:
        st = statements[0]
        principal = st.get("Principal")
        if (
            set(st) <= {"Effect", "Principal", "Action", "Resource", "Sid"}
            and st.get("Effect") == "Allow"
            and principal in ("*", {"AWS": ["*"]})
            and st.get("Action") == ["*"]
            and st.get("Resource") == ["*"]
        ):
            return FULL_ACCESS
    return doc


def _policy(attribute: str) -> Callable[[StateInstance], Any]:
    def read(inst: StateInstance) -> Any:
        return canonical_policy(policy(inst.get(attribute)))

    return read


def _association(attribute: str, field: str) -> Callable[[StateInstance], dict[str, Any] | None]:
    def read(inst: StateInstance) -> dict[str, Any] | None:
        value = inst.get(field)
        if value == SENSITIVE:
            return {attribute: SENSITIVE}
        return {attribute: [str(value)]} if value else None

    return read


def _endpoint_policy(inst: StateInstance) -> dict[str, Any] | None:
    """One ``aws_vpc_endpoint_policy``: the endpoint's policy."""
    doc = _policy("policy")(inst)
    return {"policy": doc} if doc is not None else None


SCHEMA: dict[str, Attr] = {
    "service_name": Attr(),
    "vpc_endpoint_type": Attr(empty_is_unset=True, default="Gateway"),
    "vpc_id": Attr(empty_is_unset=True),
    "policy": Attr(Kind.POLICY, read=_policy("policy"), doc="semantic JSON; full access = default"),
    "private_dns_enabled": Attr(type=bool, default=False),
    "subnet_ids": Attr(Kind.SET),
    "route_table_ids": Attr(Kind.SET),
    "security_group_ids": Attr(Kind.SET),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every live VPC endpoint in ``region``; AWS errors propagate to the runner."""
    endpoints = ec2_network.listing(ctx, region, "describe_vpc_endpoints", "VpcEndpoints")
    return Collected(
        resources=[
            to_resource(e, region, ctx.account_id)
            for e in endpoints
            if e.get("VpcEndpointId") and str(e.get("State", "")).lower() not in _GONE_STATES
        ]
    )


def _aws_policy(text: Any) -> Any:
    try:
        doc = normalize.policy(text) if text else None
    except (ValueError, TypeError, AttributeError):
        return text  # not JSON: compared as it is
    return canonical_policy(doc) if doc is not None else FULL_ACCESS


def to_resource(
    endpoint: VpcEndpointTypeDef, region: str, account_id: str | None
) -> ActualResource:
    """One DescribeVpcEndpoints item in the canonical VPC_ENDPOINT form."""
    kind = endpoint.get("VpcEndpointType") or "Gateway"
    attributes: dict[str, Any] = {
        "service_name": endpoint.get("ServiceName"),
        "vpc_endpoint_type": kind,
        "vpc_id": endpoint.get("VpcId"),
        "policy": _aws_policy(endpoint.get("PolicyDocument")),
        # Only interface endpoints have private DNS (moto reports it on for gateways too).
        "private_dns_enabled": kind == "Interface" and bool(endpoint.get("PrivateDnsEnabled")),
        "subnet_ids": ec2_network.ids(endpoint.get("SubnetIds") or []),
        "route_table_ids": ec2_network.ids(endpoint.get("RouteTableIds") or []),
        "security_group_ids": ec2_network.ids(g.get("GroupId") for g in endpoint.get("Groups", [])),
        "tags": normalize.tags(endpoint.get("Tags")),
        # Not compared: an endpoint a service made for itself.
        "requester_managed": bool(endpoint.get("RequesterManaged", False)),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=endpoint["VpcEndpointId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    return attributes.get("requester_managed") is True


# -- remediation -------------------------------------------------------------------------------


def _members_fix(attribute: str, param: str, noun: str) -> Fix:
    """Members of a set: ModifyVpcEndpoint removes those added and adds back those removed,
    in one call (``param``: ``RouteTableIds`` for ``AddRouteTableIds``/``RemoveRouteTableIds``)."""

    def plan(query: FixQuery) -> list[Call]:
        added, removed = set_members(query.entries)
        params: dict[str, Any] = {"VpcEndpointId": query.resource_id}
        if added:
            params[f"Remove{param}"] = added
        if removed:
            params[f"Add{param}"] = removed
        return [Call("ec2", "ModifyVpcEndpoint", params)]

    return Fix(f"{attribute}[*", plan, doc=f"{noun} (ec2:ModifyVpcEndpoint Add/Remove{param})")


def _policy_call(query: FixQuery, expected: Any) -> Call:
    # A full-access document is what AWS gives an endpoint without one: setting it is the same.
    document = FULL_ACCESS if expected is None else expected
    return Call(
        "ec2",
        "ModifyVpcEndpoint",
        {"VpcEndpointId": query.resource_id, "PolicyDocument": json.dumps(document)},
    )


FIXES = (
    scalar_fix("policy", _policy_call, doc="policy (ec2:ModifyVpcEndpoint PolicyDocument)"),
    _members_fix("route_table_ids", "RouteTableIds", "route tables"),
    _members_fix("subnet_ids", "SubnetIds", "subnets"),
    _members_fix("security_group_ids", "SecurityGroupIds", "security groups"),
    ec2_tags_fix(),
)


# -- building in an emulated account ---------------------------------------------------------


def _reordered(text: str) -> str:
    """A policy with its keys in reverse order: what AWS answers need not be what was sent."""

    def flip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: flip(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [flip(v) for v in value]
        return value

    return json.dumps(flip(json.loads(text)))


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    kind = attrs.get("vpc_endpoint_type") or "Gateway"
    extra: dict[str, Any] = {}
    text = attrs.get("policy")
    # The default full-access policy is left to AWS to fill in.
    if text and canonical_policy(normalize.policy(text)) != FULL_ACCESS:
        extra["PolicyDocument"] = _reordered(text)
    if attrs.get("route_table_ids"):
        extra["RouteTableIds"] = [ctx.id(r) for r in attrs["route_table_ids"]]
    if attrs.get("subnet_ids"):
        extra["SubnetIds"] = [ctx.id(s) for s in attrs["subnet_ids"]]
    if attrs.get("security_group_ids"):
        extra["SecurityGroupIds"] = [ctx.id(g) for g in attrs["security_group_ids"]]
    if kind == "Interface":
        extra["PrivateDnsEnabled"] = bool(attrs.get("private_dns_enabled"))
    endpoint = ctx.client("ec2").create_vpc_endpoint(
        VpcId=ctx.id(attrs["vpc_id"]),
        ServiceName=attrs["service_name"],
        VpcEndpointType=kind,
        TagSpecifications=ec2_tag_spec("vpc-endpoint", attrs),
        **extra,
    )["VpcEndpoint"]
    ctx.remember(attrs["id"], endpoint["VpcEndpointId"])


def _modify(field: str, parameter: str) -> Builder:
    def create(ctx: BuildContext, attrs: dict[str, Any]) -> None:
        value = attrs[field]
        ctx.client("ec2").modify_vpc_endpoint(
            VpcEndpointId=ctx.id(attrs["vpc_endpoint_id"]),
            **{parameter: _reordered(value) if field == "policy" else [ctx.id(value)]},
        )

    return Builder(create, after=("aws_vpc_endpoint",))


_ENDPOINT = ("vpc_endpoint_id",)

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="VPC endpoint",
    with_article="a VPC endpoint",
    sarif_name="VpcEndpoint",
    terraform=(
        TerraformType(
            "aws_vpc_endpoint",
            not_compared={
                "auto_accept": "Terraform-only",
                "ip_address_type": "not compared yet",
                "dns_options": "not compared yet",
                "subnet_configuration": "compared through subnet_ids",
                "timeouts": "Terraform-only",
            },
        ),
        TerraformType(
            "aws_vpc_endpoint_route_table_association",
            id=_ENDPOINT,
            read=_association("route_table_ids", "route_table_id"),
            parent=True,
        ),
        TerraformType(
            "aws_vpc_endpoint_subnet_association",
            id=_ENDPOINT,
            read=_association("subnet_ids", "subnet_id"),
            parent=True,
        ),
        TerraformType(
            "aws_vpc_endpoint_security_group_association",
            id=_ENDPOINT,
            read=_association("security_group_ids", "security_group_id"),
            parent=True,
            not_compared={"replace_default_association": "Terraform-only"},
        ),
        TerraformType(
            "aws_vpc_endpoint_policy",
            id=_ENDPOINT,
            read=_endpoint_policy,
            parent=True,
            overrides=True,
        ),
    ),
    scope=Scope.REGIONAL,
    service=ec2_network.SERVICE,
    collect=collect,
    api_calls=(ApiCall("ec2:DescribeVpcEndpoints", per="region", page_size=1000),),
    schema=SCHEMA,
    id_doc="VPC endpoint id (vpce-…)",
    is_default=_is_default,
    builders={
        "aws_vpc_endpoint": Builder(
            _build, after=("aws_vpc", "aws_subnet", "aws_security_group", "aws_route_table")
        ),
        "aws_vpc_endpoint_route_table_association": _modify("route_table_id", "AddRouteTableIds"),
        "aws_vpc_endpoint_subnet_association": _modify("subnet_id", "AddSubnetIds"),
        "aws_vpc_endpoint_security_group_association": _modify(
            "security_group_id", "AddSecurityGroupIds"
        ),
        "aws_vpc_endpoint_policy": _modify("policy", "PolicyDocument"),
    },
    fixes=FIXES,
)
