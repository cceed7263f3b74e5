"""Security groups (``aws_security_group`` and its rule resources): one DescribeSecurityGroups
per region.

resource_id is the group id (``sg-…``). Rules are compared as a set of keys, one per
protocol/port-range/peer (``tcp:22:0.0.0.0/0``, see ``normalize.rule_keys``), wherever they are
declared: inline blocks, ``aws_security_group_rule`` or ``aws_vpc_security_group_*_rule``. The
group named ``default`` that every VPC gets is never unmanaged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.diff.conditions import is_world_open, world_open_beyond_iac
from driftctl.iac.instance import BadValue, StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types.build import BuildContext, Builder, ec2_tag_spec
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
    from mypy_boto3_ec2.type_defs import IpPermissionOutputTypeDef, SecurityGroupTypeDef

RESOURCE_TYPE = "SECURITY_GROUP"
# The egress rule AWS gives every new group: everything to anywhere.
_DEFAULT_EGRESS = {"protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}


# -- reading the state -------------------------------------------------------------------------


def _inline_rules(direction: str) -> Callable[[StateInstance], Any]:
    def read(inst: StateInstance) -> Any:
        group_id = inst.ident("id") or ""
        blocks = inst.get(direction)
        if blocks is None or blocks == SENSITIVE:
            return blocks
        if not isinstance(blocks, list):
            raise BadValue(f"'{direction}' is not a list")
        keys: set[str] = set()
        for block in blocks:
            if not isinstance(block, Mapping):
                raise BadValue(f"'{direction}' holds a rule that is not an object")
            keys.update(
                normalize.rule_keys(
                    block.get("protocol"),
                    block.get("from_port"),
                    block.get("to_port"),
                    cidr_blocks=block.get("cidr_blocks") or (),
                    ipv6_cidr_blocks=block.get("ipv6_cidr_blocks") or (),
                    prefix_list_ids=block.get("prefix_list_ids") or (),
                    security_groups=block.get("security_groups") or (),
                    self_group_id=group_id if block.get("self") else None,
                )
            )
        return sorted(keys)

    return read


def _rule(inst: StateInstance) -> dict[str, Any]:
    """One ``aws_security_group_rule``."""
    direction = inst.get("type")
    if direction not in ("ingress", "egress"):
        raise BadValue(f"rule type {direction!r} is neither ingress nor egress")
    group_id = inst.ident("security_group_id")
    peers = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "source_security_group_id")
    if any(inst.is_sensitive(p) for p in (*peers, "protocol", "from_port", "to_port")):
        return {str(direction): SENSITIVE}
    source = inst.get("source_security_group_id")
    keys = normalize.rule_keys(
        inst.get("protocol"),
        inst.get("from_port"),
        inst.get("to_port"),
        cidr_blocks=inst.get("cidr_blocks") or (),
        ipv6_cidr_blocks=inst.get("ipv6_cidr_blocks") or (),
        prefix_list_ids=inst.get("prefix_list_ids") or (),
        security_groups=[source] if source else (),
        self_group_id=group_id if inst.get("self") and isinstance(group_id, str) else None,
    )
    return {str(direction): keys}


_VPC_RULE_FIELDS = (
    "ip_protocol",
    "from_port",
    "to_port",
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
)


def _vpc_rule(direction: str) -> Callable[[StateInstance], dict[str, Any]]:
    """One ``aws_vpc_security_group_ingress_rule`` / ``_egress_rule``."""

    def read(inst: StateInstance) -> dict[str, Any]:
        if any(inst.is_sensitive(f) for f in _VPC_RULE_FIELDS):
            return {direction: SENSITIVE}
        keys = normalize.rule_keys(
            inst.get("ip_protocol"),
            inst.get("from_port"),
            inst.get("to_port"),
            cidr_blocks=[inst.get("cidr_ipv4") or ""],
            ipv6_cidr_blocks=[inst.get("cidr_ipv6") or ""],
            prefix_list_ids=[inst.get("prefix_list_id") or ""],
            security_groups=[inst.get("referenced_security_group_id") or ""],
        )
        return {direction: keys}

    return read


SCHEMA: dict[str, Attr] = {
    "name": Attr(),
    "description": Attr(),
    "vpc_id": Attr(empty_is_unset=True),
    "ingress": Attr(Kind.SET, read=_inline_rules("ingress"), doc="rule keys proto:ports:peer"),
    "egress": Attr(Kind.SET, read=_inline_rules("egress"), doc="rule keys proto:ports:peer"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


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
        resource_type=RESOURCE_TYPE,
        resource_id=group["GroupId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    # Every VPC gets a group named "default" that cannot be deleted.
    return attributes.get("name") == "default"


def _risky(attributes: Mapping[str, Any]) -> bool:
    return any(isinstance(r, str) and is_world_open(r) for r in attributes.get("ingress") or [])


# -- remediation -------------------------------------------------------------------------------

_PORTS = re.compile(r"^(-?\d+)(?:-(-?\d+))?$")


def key_permission(key: str) -> Any:
    """A rule key (``tcp:22:0.0.0.0/0``) back as the IpPermission that grants exactly it."""
    protocol, ports, peer = key.split(":", 2)
    proto = "-1" if protocol == "all" else protocol
    if proto == "-1":
        from_port = to_port = None
    elif ports == "all":
        from_port, to_port = 0, 65535
    else:
        found = _PORTS.match(ports)
        if found is None:
            raise ValueError(f"rule key {key!r} has ports {ports!r}")
        from_port = int(found.group(1))
        to_port = int(found.group(2) if found.group(2) is not None else found.group(1))
    if "/" in peer and ":" in peer:
        return permission(proto, from_port, to_port, ipv6_cidrs=[peer])
    if "/" in peer:
        return permission(proto, from_port, to_port, cidrs=[peer])
    if peer.startswith("pl-"):
        return permission(proto, from_port, to_port, prefix_lists=[peer])
    return permission(proto, from_port, to_port, groups=[peer])


def _rules_fix(direction: str) -> Fix:
    suffix = "Ingress" if direction == "ingress" else "Egress"

    def plan(query: FixQuery) -> list[Call]:
        added, removed = set_members(query.entries)
        target = {"GroupId": query.resource_id}
        calls: list[Call] = []
        if added:
            calls.append(
                Call(
                    "ec2",
                    f"RevokeSecurityGroup{suffix}",
                    {**target, "IpPermissions": [key_permission(k) for k in added]},
                    fixes=tuple(f"{direction}[{k}]" for k in added),
                )
            )
        if removed:
            calls.append(
                Call(
                    "ec2",
                    f"AuthorizeSecurityGroup{suffix}",
                    {**target, "IpPermissions": [key_permission(k) for k in removed]},
                    fixes=tuple(f"{direction}[{k}]" for k in removed),
                )
            )
        return calls

    return Fix(
        f"{direction}[*",
        plan,
        doc=f"{direction} rules: revoke what was added, authorize what was removed "
        "(a re-authorized rule has no description)",
    )


def _delete(query: FixQuery) -> list[Call]:
    return [Call("ec2", "DeleteSecurityGroup", {"GroupId": query.resource_id})]


# -- building in an emulated account ---------------------------------------------------------


def permission(
    protocol: str,
    from_port: Any,
    to_port: Any,
    *,
    cidrs: list[str] | None = None,
    ipv6_cidrs: list[str] | None = None,
    prefix_lists: list[str] | None = None,
    groups: list[str] | None = None,
    description: str = "",
) -> Any:
    """One EC2 IpPermission; every peer carries the rule's description, as Terraform sends it."""
    described: dict[str, str] = {"Description": description} if description else {}
    out: dict[str, Any] = {"IpProtocol": protocol}
    if protocol not in ("-1", "all"):
        out["FromPort"] = int(from_port)
        out["ToPort"] = int(to_port)
    if cidrs:
        out["IpRanges"] = [{"CidrIp": c, **described} for c in cidrs]
    if ipv6_cidrs:
        out["Ipv6Ranges"] = [{"CidrIpv6": c, **described} for c in ipv6_cidrs]
    if prefix_lists:
        out["PrefixListIds"] = [{"PrefixListId": p, **described} for p in prefix_lists]
    if groups:
        out["UserIdGroupPairs"] = [{"GroupId": g, **described} for g in groups]
    return out


def _block_permission(ctx: BuildContext, block: Mapping[str, Any], group_id: str) -> Any:
    groups = [ctx.id(g) for g in block.get("security_groups") or []]
    if block.get("self"):
        groups.append(group_id)
    return permission(
        str(block["protocol"]),
        block.get("from_port"),
        block.get("to_port"),
        cidrs=block.get("cidr_blocks") or [],
        ipv6_cidrs=block.get("ipv6_cidr_blocks") or [],
        prefix_lists=block.get("prefix_list_ids") or [],
        groups=groups,
        description=block.get("description") or "",
    )


def _egress_shape(block: Mapping[str, Any]) -> dict[str, Any]:
    shape: dict[str, Any] = {"protocol": str(block.get("protocol"))}
    for name in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups"):
        if block.get(name):
            shape[name] = list(block[name])
    if block.get("self"):
        shape["self"] = True
    return shape


def _build_group(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ec2 = ctx.client("ec2")
    group_id = ec2.create_security_group(
        GroupName=attrs["name"],
        Description=attrs["description"],
        VpcId=ctx.id(attrs["vpc_id"]),
        TagSpecifications=ec2_tag_spec("security-group", attrs),
    )["GroupId"]
    ctx.remember(attrs["id"], group_id)

    # Inline rules may name other groups: add them once every group exists.
    def inline_rules() -> None:
        ingress = [_block_permission(ctx, b, group_id) for b in attrs.get("ingress") or []]
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=ingress)
        egress = attrs.get("egress") or []
        if [_egress_shape(b) for b in egress] == [_DEFAULT_EGRESS]:
            return  # AWS already gave the group exactly this rule
        ec2.revoke_security_group_egress(
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
        permissions = [_block_permission(ctx, b, group_id) for b in egress]
        if permissions:
            ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=permissions)

    ctx.defer("aws_security_group", inline_rules)


def _build_vpc_rule(direction: str) -> Builder:
    def create(ctx: BuildContext, attrs: dict[str, Any]) -> None:
        group_id = ctx.id(attrs["security_group_id"])
        referenced = attrs.get("referenced_security_group_id")
        rule = permission(
            str(attrs["ip_protocol"]),
            attrs.get("from_port"),
            attrs.get("to_port"),
            cidrs=[attrs["cidr_ipv4"]] if attrs.get("cidr_ipv4") else [],
            ipv6_cidrs=[attrs["cidr_ipv6"]] if attrs.get("cidr_ipv6") else [],
            prefix_lists=[attrs["prefix_list_id"]] if attrs.get("prefix_list_id") else [],
            groups=[ctx.id(referenced)] if referenced else [],
            description=attrs.get("description") or "",
        )
        ec2 = ctx.client("ec2")
        authorize = (
            ec2.authorize_security_group_ingress
            if direction == "ingress"
            else ec2.authorize_security_group_egress
        )
        response = authorize(
            GroupId=group_id,
            IpPermissions=[rule],
            TagSpecifications=ec2_tag_spec("security-group-rule", attrs),
        )
        rules = response.get("SecurityGroupRules", [])
        if rules and "SecurityGroupRuleId" in rules[0]:
            ctx.remember(attrs["id"], rules[0]["SecurityGroupRuleId"])

    return Builder(create, after=("aws_security_group",))


def _build_rule(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    """One ``aws_security_group_rule``."""
    group_id = ctx.id(attrs["security_group_id"])
    source = attrs.get("source_security_group_id")
    groups = [ctx.id(source)] if source else []
    if attrs.get("self"):
        groups.append(group_id)
    rule = permission(
        str(attrs["protocol"]),
        attrs.get("from_port"),
        attrs.get("to_port"),
        cidrs=attrs.get("cidr_blocks") or [],
        ipv6_cidrs=attrs.get("ipv6_cidr_blocks") or [],
        prefix_lists=attrs.get("prefix_list_ids") or [],
        groups=groups,
        description=attrs.get("description") or "",
    )
    ec2 = ctx.client("ec2")
    if attrs["type"] == "ingress":
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[rule])
    else:
        ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[rule])


_RULE_NOT_COMPARED = {"description": "rule descriptions are not part of the rule key"}

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Security group",
    with_article="a security group",
    sarif_name="SecurityGroup",
    terraform=(
        TerraformType(
            "aws_security_group",
            not_compared={
                "revoke_rules_on_delete": "Terraform-only",
                "name_prefix": "Terraform-only",
                "timeouts": "Terraform-only",
            },
        ),
        TerraformType("aws_default_security_group"),
        TerraformType(
            "aws_security_group_rule",
            id=("security_group_id",),
            read=_rule,
            parent=True,
            not_compared=_RULE_NOT_COMPARED,
        ),
        TerraformType(
            "aws_vpc_security_group_ingress_rule",
            id=("security_group_id",),
            read=_vpc_rule("ingress"),
            parent=True,
            not_compared=_RULE_NOT_COMPARED,
        ),
        TerraformType(
            "aws_vpc_security_group_egress_rule",
            id=("security_group_id",),
            read=_vpc_rule("egress"),
            parent=True,
            not_compared=_RULE_NOT_COMPARED,
        ),
    ),
    scope=Scope.REGIONAL,
    service="ec2",
    collect=collect,
    api_calls=(ApiCall("ec2:DescribeSecurityGroups", per="region", page_size=1000),),
    schema=SCHEMA,
    id_doc="group id (sg-…)",
    is_default=_is_default,
    rules=(
        Rule(
            "ingress[*",
            world_open_beyond_iac("ingress"),
            change="added",
            doc="a port opened to 0.0.0.0/0 or ::/0 beyond what IaC allows",
        ),
    ),
    risky=_risky,
    builders={
        "aws_security_group": Builder(_build_group, after=("aws_vpc",)),
        "aws_security_group_rule": Builder(_build_rule, after=("aws_security_group",)),
        "aws_vpc_security_group_ingress_rule": _build_vpc_rule("ingress"),
        "aws_vpc_security_group_egress_rule": _build_vpc_rule("egress"),
    },
    fixes=(_rules_fix("ingress"), _rules_fix("egress"), ec2_tags_fix()),
    delete=_delete,
)
