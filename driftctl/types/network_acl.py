"""Network ACLs (``aws_network_acl``, ``aws_default_network_acl`` and the separate
``aws_network_acl_rule`` and ``aws_network_acl_association``): one paginated DescribeNetworkAcls
per region.

resource_id is the ACL id (``acl-…``). Rules compare as a set of keys, one per rule number and
direction: ``100:allow:tcp:443:0.0.0.0/0`` (number, action, protocol, ports, peer; ICMP rules
carry ``type/code`` as their ports), from inline blocks and separate rule resources alike. The
rules numbered above 32766 are AWS's own catch-all deny (``*``): never compared. Subnet
associations compare as a set. The default ACL of every VPC (the default VPC's too) is never
unmanaged; it is compared when the state manages it as ``aws_default_network_acl``. Critical: an
ingress rule that allows ``0.0.0.0/0`` or ``::/0`` on a protocol or port that IaC's
world-allowing ingress rules do not cover. moto does not give custom ACLs the catch-all deny
rules AWS gives them (skipped either way), and drops an ICMP rule's type and code (AWS keeps
them; they are compared).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.diff.conditions import covered_by, is_world_open
from driftctl.iac.instance import BadValue, StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import ec2_network
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
    from mypy_boto3_ec2.type_defs import NetworkAclEntryTypeDef, NetworkAclTypeDef

    from driftctl.diff.findings import DiffEntry, Finding

RESOURCE_TYPE = "NETWORK_ACL"
# Rule numbers users can give are 1..32766; AWS's catch-all deny rules are numbered above.
_LAST_USER_RULE = 32766
_ICMP = frozenset({"icmp", "icmpv6"})
# Protocol names Terraform accepts, as the numbers the EC2 API takes.
_PROTOCOL_NUMBERS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}


def rule_key(
    number: Any,
    action: Any,
    protocol: Any,
    from_port: Any,
    to_port: Any,
    peer: str,
    icmp_type: Any = None,
    icmp_code: Any = None,
) -> str:
    """One ACL rule as ``number:action:proto:ports:peer`` (``100:allow:tcp:443:0.0.0.0/0``)."""
    proto_ports_peer = normalize.rule_key(protocol, from_port, to_port, peer)
    proto = proto_ports_peer.split(":", 1)[0]
    if proto in _ICMP:
        proto_ports_peer = f"{proto}:{_icmp(icmp_type)}/{_icmp(icmp_code)}:{peer}"
    return f"{int(number)}:{str(action).lower()}:{proto_ports_peer}"


def _peer(cidr: Any, ipv6: Any) -> str:
    return str(cidr or ipv6 or "")


# -- reading the state -------------------------------------------------------------------------


def _inline_rules(direction: str) -> Callable[[StateInstance], Any]:
    def read(inst: StateInstance) -> Any:
        blocks = inst.get(direction)
        if blocks is None or blocks == SENSITIVE:
            return blocks
        if not isinstance(blocks, list):
            raise BadValue(f"'{direction}' is not a list")
        keys: set[str] = set()
        for block in blocks:
            if not isinstance(block, Mapping):
                raise BadValue(f"'{direction}' holds a rule that is not an object")
            if int(block.get("rule_no") or 0) > _LAST_USER_RULE:
                continue
            keys.add(
                rule_key(
                    block.get("rule_no"),
                    block.get("action"),
                    block.get("protocol"),
                    block.get("from_port"),
                    block.get("to_port"),
                    _peer(block.get("cidr_block"), block.get("ipv6_cidr_block")),
                    block.get("icmp_type"),
                    block.get("icmp_code"),
                )
            )
        return sorted(keys)

    return read


_RULE_FIELDS = (
    "rule_number",
    "rule_action",
    "protocol",
    "from_port",
    "to_port",
    "cidr_block",
    "ipv6_cidr_block",
    "icmp_type",
    "icmp_code",
    "egress",
)


def _rule(inst: StateInstance) -> dict[str, Any]:
    """One ``aws_network_acl_rule``."""
    direction = "egress" if inst.get("egress") in (True, "true") else "ingress"
    if any(inst.is_sensitive(f) for f in _RULE_FIELDS):
        return {direction: SENSITIVE}
    key = rule_key(
        inst.get("rule_number"),
        inst.get("rule_action"),
        inst.get("protocol"),
        inst.get("from_port"),
        inst.get("to_port"),
        _peer(inst.get("cidr_block"), inst.get("ipv6_cidr_block")),
        inst.get("icmp_type"),
        inst.get("icmp_code"),
    )
    return {direction: [key]}


def _association(inst: StateInstance) -> dict[str, Any] | None:
    """One ``aws_network_acl_association``: a subnet of the ACL."""
    subnet = inst.get("subnet_id")
    if subnet == SENSITIVE:
        return {"subnet_ids": SENSITIVE}
    return {"subnet_ids": [str(subnet)]} if subnet else None


SCHEMA: dict[str, Attr] = {
    "vpc_id": Attr(empty_is_unset=True),
    "ingress": Attr(
        Kind.SET, read=_inline_rules("ingress"), doc="rule keys no:action:proto:ports:peer"
    ),
    "egress": Attr(
        Kind.SET, read=_inline_rules("egress"), doc="rule keys no:action:proto:ports:peer"
    ),
    "subnet_ids": Attr(Kind.SET),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every network ACL in ``region``; AWS errors propagate to the runner."""
    acls = ec2_network.listing(ctx, region, "describe_network_acls", "NetworkAcls")
    return Collected(
        resources=[to_resource(a, region, ctx.account_id) for a in acls if a.get("NetworkAclId")]
    )


def _entry_key(entry: NetworkAclEntryTypeDef) -> str:
    ports = entry.get("PortRange", {})
    icmp = entry.get("IcmpTypeCode", {})
    return rule_key(
        entry.get("RuleNumber"),
        entry.get("RuleAction"),
        entry.get("Protocol", "-1"),
        ports.get("From"),
        ports.get("To"),
        _peer(entry.get("CidrBlock"), entry.get("Ipv6CidrBlock")),
        icmp.get("Type"),
        icmp.get("Code"),
    )


def to_resource(acl: NetworkAclTypeDef, region: str, account_id: str | None) -> ActualResource:
    """One DescribeNetworkAcls item in the canonical NETWORK_ACL form."""
    rules: dict[str, set[str]] = {"ingress": set(), "egress": set()}
    for entry in acl.get("Entries", []):
        number = entry.get("RuleNumber")
        if not isinstance(number, int) or number > _LAST_USER_RULE:
            continue
        rules["egress" if entry.get("Egress") else "ingress"].add(_entry_key(entry))
    attributes: dict[str, Any] = {
        "vpc_id": acl.get("VpcId"),
        "ingress": sorted(rules["ingress"]),
        "egress": sorted(rules["egress"]),
        "subnet_ids": ec2_network.ids(a.get("SubnetId") for a in acl.get("Associations", [])),
        "tags": normalize.tags(acl.get("Tags")),
        # Not compared (no Terraform attribute): tells the VPC's default ACL apart.
        "is_default": bool(acl.get("IsDefault", False)),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=acl["NetworkAclId"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    return attributes.get("is_default") is True


def _world_sg_key(key: str) -> str | None:
    """An ``allow`` rule key open to the internet as a security-group style key, else None."""
    parts = key.split(":", 2)
    if len(parts) != 3 or parts[1] != "allow":
        return None
    return parts[2] if is_world_open(parts[2]) else None


def _opened_to_world(entry: DiffEntry, finding: Finding) -> bool:
    """An added ingress rule allows the internet on a port IaC's allowing rules do not."""
    actual = entry.get("actual")
    opened = _world_sg_key(actual) if isinstance(actual, str) else None
    if opened is None:
        return False
    allowed = [
        k
        for k in ((finding.expected_state or {}).get("ingress") or [])
        if isinstance(k, str) and _world_sg_key(k)
    ]
    return not covered_by(opened, [_world_sg_key(k) for k in allowed])


# -- remediation -------------------------------------------------------------------------------


def key_entry(acl_id: str, egress: bool, key: str) -> Any:
    """A rule key (``100:allow:tcp:443:0.0.0.0/0``) back as the CreateNetworkAclEntry request
    that makes exactly it."""
    number, action, protocol, ports, peer = key.split(":", 4)
    block: dict[str, Any] = {"rule_no": number, "action": action, "protocol": protocol}
    block["ipv6_cidr_block" if ":" in peer else "cidr_block"] = peer
    if protocol in _ICMP:
        block["icmp_type"], _, block["icmp_code"] = ports.partition("/")
    elif ports == "all":
        block["from_port"], block["to_port"] = 0, 65535
    else:
        low, _, high = ports.partition("-")
        block["from_port"], block["to_port"] = low, high or low
    return _entry(acl_id, egress, block, "rule_no")


def _rules_fix(direction: str) -> Fix:
    egress = direction == "egress"

    def plan(query: FixQuery) -> list[Call]:
        """A rule number only AWS has is deleted, one only the IaC has created, one both have
        with other settings replaced."""
        added, removed = set_members(query.entries)
        extra = {k.split(":", 1)[0]: k for k in added}
        calls: list[Call] = []
        for key in removed:
            entry = key_entry(query.resource_id, egress, key)
            number = key.split(":", 1)[0]
            fixed: tuple[str, ...] = (f"{direction}[{key}]",)
            if number in extra:
                fixed += (f"{direction}[{extra.pop(number)}]",)
                calls.append(Call("ec2", "ReplaceNetworkAclEntry", entry, fixes=fixed))
            else:
                calls.append(Call("ec2", "CreateNetworkAclEntry", entry, fixes=fixed))
        deletes = [
            Call(
                "ec2",
                "DeleteNetworkAclEntry",
                {"NetworkAclId": query.resource_id, "RuleNumber": int(n), "Egress": egress},
                fixes=(f"{direction}[{k}]",),
            )
            for n, k in sorted(extra.items())
        ]
        return deletes + calls

    return Fix(
        f"{direction}[*",
        plan,
        doc=f"{direction} rules (ec2:DeleteNetworkAclEntry, CreateNetworkAclEntry, "
        "ReplaceNetworkAclEntry by rule number)",
    )


FIXES = (_rules_fix("ingress"), _rules_fix("egress"), ec2_tags_fix())


# -- building in an emulated account ---------------------------------------------------------


def _entry(acl_id: str, egress: bool, block: Mapping[str, Any], number_key: str) -> Any:
    protocol = str(block.get("protocol"))
    out: dict[str, Any] = {
        "NetworkAclId": acl_id,
        "RuleNumber": int(block[number_key]),
        "Protocol": _PROTOCOL_NUMBERS.get(protocol.lower(), protocol),
        "RuleAction": block.get("action") or block.get("rule_action"),
        "Egress": egress,
    }
    if block.get("cidr_block"):
        out["CidrBlock"] = block["cidr_block"]
    if block.get("ipv6_cidr_block"):
        out["Ipv6CidrBlock"] = block["ipv6_cidr_block"]
    if out["Protocol"] in ("6", "17"):
        out["PortRange"] = {"From": int(block["from_port"]), "To": int(block["to_port"])}
    if out["Protocol"] in ("1", "58"):
        out["IcmpTypeCode"] = {
            "Type": _icmp(block.get("icmp_type")),
            "Code": _icmp(block.get("icmp_code")),
        }
    return out


def _icmp(value: Any) -> int:
    return -1 if value is None or value == "" else int(value)


def _put_entry(ctx: BuildContext, entry: Any) -> None:
    from botocore.exceptions import ClientError

    ec2 = ctx.client("ec2")
    try:
        ec2.create_network_acl_entry(**entry)
    except ClientError as exc:
        # A refreshed state lists a separate rule inline too: the second one replaces it.
        if "AlreadyExists" not in exc.response.get("Error", {}).get("Code", ""):
            raise
        ec2.replace_network_acl_entry(**entry)


def _associate(ctx: BuildContext, acl_id: str, subnet_id: str) -> None:
    ec2 = ctx.client("ec2")
    found = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["NetworkAcls"]
    for acl in found:
        for association in acl.get("Associations", []):
            if association.get("SubnetId") == subnet_id and acl["NetworkAclId"] != acl_id:
                ec2.replace_network_acl_association(
                    AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl_id
                )


def _rules(ctx: BuildContext, acl_id: str, attrs: Mapping[str, Any]) -> None:
    for direction in ("ingress", "egress"):
        for block in attrs.get(direction) or []:
            _put_entry(ctx, _entry(acl_id, direction == "egress", block, "rule_no"))
    for subnet in attrs.get("subnet_ids") or []:
        _associate(ctx, acl_id, ctx.id(subnet))


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    acl = ctx.client("ec2").create_network_acl(
        VpcId=ctx.id(attrs["vpc_id"]), TagSpecifications=ec2_tag_spec("network-acl", attrs)
    )["NetworkAcl"]
    ctx.remember(attrs["id"], acl["NetworkAclId"])
    _rules(ctx, acl["NetworkAclId"], attrs)


def _build_default(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ec2 = ctx.client("ec2")
    acl_id = ctx.id(attrs.get("default_network_acl_id") or attrs["id"])
    [acl] = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
    # Terraform takes the default ACL over: AWS's rules go, the state's take their place.
    for entry in acl.get("Entries", []):
        if entry["RuleNumber"] <= _LAST_USER_RULE:
            ec2.delete_network_acl_entry(
                NetworkAclId=acl_id, RuleNumber=entry["RuleNumber"], Egress=entry["Egress"]
            )
    tags = tag_list(tags_of(attrs))
    if tags:
        ec2.create_tags(Resources=[acl_id], Tags=tags)
    _rules(ctx, acl_id, attrs)


def _build_rule(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    egress = attrs.get("egress") in (True, "true")
    _put_entry(ctx, _entry(ctx.id(attrs["network_acl_id"]), egress, attrs, "rule_number"))


def _build_association(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    _associate(ctx, ctx.id(attrs["network_acl_id"]), ctx.id(attrs["subnet_id"]))


_PART_OF_ACL = ("network_acl_id",)

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Network ACL",
    with_article="a network ACL",
    sarif_name="NetworkAcl",
    terraform=(
        TerraformType("aws_network_acl"),
        TerraformType("aws_default_network_acl", id=("default_network_acl_id", "id")),
        TerraformType("aws_network_acl_rule", id=_PART_OF_ACL, read=_rule, parent=True),
        TerraformType(
            "aws_network_acl_association", id=_PART_OF_ACL, read=_association, parent=True
        ),
    ),
    scope=Scope.REGIONAL,
    service=ec2_network.SERVICE,
    collect=collect,
    api_calls=(ApiCall("ec2:DescribeNetworkAcls", per="region", page_size=1000),),
    schema=SCHEMA,
    id_doc="network ACL id (acl-…)",
    is_default=_is_default,
    rules=(
        Rule(
            "ingress[*",
            _opened_to_world,
            change="added",
            doc="an ingress rule allows 0.0.0.0/0 or ::/0 on a port IaC does not",
        ),
    ),
    builders={
        "aws_network_acl": Builder(_build, after=("aws_vpc", "aws_subnet")),
        "aws_default_network_acl": Builder(
            _build_default, after=("aws_vpc", "aws_subnet", "aws_network_acl")
        ),
        "aws_network_acl_rule": Builder(
            _build_rule, after=("aws_network_acl", "aws_default_network_acl")
        ),
        "aws_network_acl_association": Builder(
            _build_association, after=("aws_network_acl", "aws_default_network_acl")
        ),
    },
    fixes=FIXES,
)
