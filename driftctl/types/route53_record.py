"""Route 53 records (``aws_route53_record``): ListHostedZones once (shared with the zone type),
then ListResourceRecordSets per zone, 300 record sets a page.

resource_id is Terraform's: ``<zone id>_<name>_<type>``, plus ``_<set identifier>`` for a
routing-policy record, with the name in canonical DNS form (lower case, no trailing dot, AWS's
``\\052`` escape read as ``*``), so ``Z1_WWW.example.com._A`` and ``Z1_www.example.com_A`` are
the same record. The region is ``global``.

Record values compare as a set. Names in values (CNAME, NS, MX, SRV targets) ignore case and a
trailing dot. A TXT (or SPF) value compares as the text it carries: AWS holds it as quoted
strings of at most 255 characters (``"abc…" "def…"``, what the provider sends for a long value)
while the state holds the value unquoted and unsplit; both read as the strings joined. An alias
record has no TTL (the provider writes 0): its TTL is not compared. The routing policy compares as
one key (``simple``, ``weighted:10``, ``latency:eu-west-1``, ``failover:PRIMARY``,
``geolocation:EU//``, ``multivalue``…). The zone's own NS and SOA records are created by AWS:
never unmanaged (they are compared when a state declares them, ``allow_overwrite``), and
neither are the records of a zone another AWS service manages (Cloud Map's namespaces).
Critical: a record of a public zone changing its target (values or alias target). moto
returns ``*`` in names unescaped (AWS sends ``\\052``): both read the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from driftctl.domain import GLOBAL_REGION
from driftctl.iac.instance import StateInstance, boolean
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext, ScanError
from driftctl.scanner.details import Detail, failed
from driftctl.types import route53
from driftctl.types.build import BuildContext, Builder
from driftctl.types.spec import ApiCall, Attr, Kind, ResourceSpec, Rule, Scope, TerraformType

if TYPE_CHECKING:
    from driftctl.diff.findings import DiffEntry, Finding

RESOURCE_TYPE = "ROUTE53_RECORD"
# ListResourceRecordSets returns at most 300 record sets a page.
RECORD_PAGE = 300
TXT_CHUNK = 255
RECORD_TYPES = frozenset(
    {"A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV"}
    | {"SSHFP", "SVCB", "TLSA", "TXT"}
)
_TEXT_TYPES = frozenset({"TXT", "SPF"})
_QUOTED = re.compile(r'\s*"((?:[^"\\]|\\.)*)"')
_UNESCAPE = re.compile(r"\\([0-7]{3}|.)")


# -- ids and values --------------------------------------------------------------------------


def record_id(zone: str, name: str, rtype: str, set_identifier: str | None) -> str:
    """The canonical resource_id of one record set."""
    base = f"{route53.zone_id(zone)}_{route53.dns_name(name)}_{rtype.upper()}"
    return f"{base}_{set_identifier}" if set_identifier else base


def canonical_id(value: str) -> str:
    """Terraform's record id (``Z1_www.example.com._A_blue``) in canonical form."""
    zone, sep, rest = value.partition("_")
    if not sep:
        return value
    parts = rest.split("_")
    for i in range(1, len(parts)):
        if parts[i] in RECORD_TYPES:
            name = "_".join(parts[:i])
            set_identifier = "_".join(parts[i + 1 :])
            return record_id(zone, name, parts[i], set_identifier or None)
    return value


def state_id(attrs: Mapping[str, Any]) -> str | None:
    """A state instance's record id from its zone, full name, type and set identifier.

    The provider's own id holds ``name`` as written, which may be relative to the zone
    (``www``, or empty for the apex); ``fqdn`` is always the full name.
    """
    zone, name, rtype = attrs.get("zone_id"), attrs.get("fqdn"), attrs.get("type")
    if not (isinstance(zone, str) and zone and isinstance(name, str) and name and rtype):
        value = attrs.get("id")
        return canonical_id(value) if isinstance(value, str) and value else None
    set_identifier = attrs.get("set_identifier")
    return record_id(zone, name, str(rtype), str(set_identifier) if set_identifier else None)


def _unescape(text: str) -> str:
    def decode(match: re.Match[str]) -> str:
        code = match.group(1)
        # Route 53 escapes with three octal digits (``\\052`` is ``*``).
        return chr(int(code, 8)) if code.isdigit() and int(code, 8) < 256 else code

    return _UNESCAPE.sub(decode, text)


def txt_text(value: str) -> str:
    """The text a TXT value carries: its quoted strings unescaped and joined; a value that is
    not a sequence of quoted strings is taken as it is."""
    pos, chunks = 0, []
    while pos < len(value):
        match = _QUOTED.match(value, pos)
        if match is None:
            if value[pos:].strip():
                return value
            break
        chunks.append(_unescape(match.group(1)))
        pos = match.end()
    return "".join(chunks) if chunks else value


def record_value(rtype: str, value: Any, *, from_state: bool = False) -> str:
    """One record value in canonical form (see the module docstring)."""
    text = str(value)
    if rtype.upper() in _TEXT_TYPES:
        # The provider quotes a state value before sending it (a user's ``\"\"`` splits it).
        return txt_text(text if not from_state or text.startswith('"') else f'"{text}"')
    return text.lower().rstrip(".")


def _first(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return {}


def _key(*parts: Any) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


# -- reading the state -------------------------------------------------------------------------


def _state_type(inst: StateInstance) -> str:
    return str(inst.attrs.get("type") or "").upper()


def _alias_block(inst: StateInstance) -> Mapping[str, Any]:
    return _first(inst.attrs.get("alias"))


def _ttl(inst: StateInstance) -> Any:
    if _alias_block(inst):
        return None  # an alias record has no TTL
    value = inst.get("ttl")
    return value if value in (None, SENSITIVE) else int(value)


def _records(inst: StateInstance) -> Any:
    value = inst.get("records")
    if value == SENSITIVE:
        return SENSITIVE
    if _alias_block(inst) and not value:
        return None
    if not isinstance(value, list):
        return None
    rtype = _state_type(inst)
    return sorted({record_value(rtype, v, from_state=True) for v in value if v is not None})


def _alias(inst: StateInstance) -> Any:
    if inst.is_sensitive("alias"):
        return SENSITIVE
    block = _alias_block(inst)
    if not block:
        return None
    return {
        "name": route53.dns_name(block.get("name")),
        "zone_id": str(block.get("zone_id") or ""),
        "evaluate_target_health": boolean(block.get("evaluate_target_health")) or False,
    }


def _routing_policy(inst: StateInstance) -> Any:
    a = inst.attrs
    weighted = _first(a.get("weighted_routing_policy"))
    if weighted:
        return f"weighted:{int(weighted.get('weight') or 0)}"
    latency = _first(a.get("latency_routing_policy"))
    if latency:
        return f"latency:{latency.get('region')}"
    failover = _first(a.get("failover_routing_policy"))
    if failover:
        return f"failover:{str(failover.get('type') or '').upper()}"
    geo = _first(a.get("geolocation_routing_policy"))
    if geo:
        parts = (geo.get("continent"), geo.get("country"), geo.get("subdivision"))
        return "geolocation:" + "/".join(str(p or "") for p in parts)
    cidr = _first(a.get("cidr_routing_policy"))
    if cidr:
        return f"cidr:{cidr.get('collection_id')}/{cidr.get('location_name')}"
    proximity = _first(a.get("geoproximity_routing_policy"))
    if proximity:
        point = _first(proximity.get("coordinates"))
        return "geoproximity:" + _key(
            proximity.get("aws_region") or None,
            proximity.get("local_zone_group") or None,
            f"{point.get('latitude')},{point.get('longitude')}" if point else None,
            int(proximity.get("bias") or 0),
        )
    if boolean(a.get("multivalue_answer_routing_policy")):
        return "multivalue"
    return "simple"


def _aws_routing_policy(rr: Mapping[str, Any]) -> str:
    if "Weight" in rr:
        return f"weighted:{int(rr['Weight'])}"
    if rr.get("Region"):
        return f"latency:{rr['Region']}"
    if rr.get("Failover"):
        return f"failover:{str(rr['Failover']).upper()}"
    geo = rr.get("GeoLocation")
    if geo:
        parts = (geo.get("ContinentCode"), geo.get("CountryCode"), geo.get("SubdivisionCode"))
        return "geolocation:" + "/".join(str(p or "") for p in parts)
    cidr = rr.get("CidrRoutingConfig")
    if cidr:
        return f"cidr:{cidr.get('CollectionId')}/{cidr.get('LocationName')}"
    proximity = rr.get("GeoProximityLocation")
    if proximity:
        point = proximity.get("Coordinates") or {}
        return "geoproximity:" + _key(
            proximity.get("AWSRegion") or None,
            proximity.get("LocalZoneGroup") or None,
            f"{point.get('Latitude')},{point.get('Longitude')}" if point else None,
            int(proximity.get("Bias") or 0),
        )
    if rr.get("MultiValueAnswer"):
        return "multivalue"
    return "simple"


SCHEMA: dict[str, Attr] = {
    "ttl": Attr(type=int, read=_ttl, doc="seconds; alias records have none"),
    "records": Attr(Kind.SET, read=_records, doc="values; TXT as the text they carry"),
    "alias": Attr(
        Kind.OBJECT,
        read=_alias,
        fields={
            "name": Attr(),
            "zone_id": Attr(),
            "evaluate_target_health": Attr(type=bool, default=False),
        },
    ),
    "routing_policy": Attr(read=_routing_policy, doc="simple, weighted:N, latency:REGION…"),
    "set_identifier": Attr(empty_is_unset=True),
    "health_check_id": Attr(empty_is_unset=True),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every record set of every hosted zone; a failed zone listing propagates, a failed record
    listing leaves the type partial."""
    zones = route53.hosted_zones(ctx)
    r53 = route53.client(ctx)
    page = ctx.page_size_for(1, RECORD_PAGE)

    def read(zone: dict[str, Any]) -> list[ActualResource] | Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        ident = route53.zone_id(zone["Id"])
        try:
            pages = r53.get_paginator("list_resource_record_sets").paginate(
                HostedZoneId=ident, PaginationConfig={"PageSize": page}
            )
            sets = [rr for p in pages for rr in p.get("ResourceRecordSets", [])]
        except (BotoCoreError, ClientError) as exc:
            code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else ""
            if code == "NoSuchHostedZone":
                return []
            return failed((GLOBAL_REGION,), f"records of hosted zone {ident}", exc)
        return [to_resource(rr, zone, ctx.account_id) for rr in sets if rr.get("Name")]

    results: list[list[ActualResource] | Detail] = []
    if zones:
        with ThreadPoolExecutor(
            max_workers=min(ctx.detail_workers, len(zones)), thread_name_prefix="driftctl-r53"
        ) as pool:
            results = list(pool.map(read, zones))
    collected = Collected()
    failures = [r for r in results if isinstance(r, Detail)]
    for result in results:
        if not isinstance(result, Detail):
            collected.resources.extend(result)
    if failures:
        more = f" (and {len(failures) - 1} more zones)" if len(failures) > 1 else ""
        first = failures[0]
        collected.failures.append(
            ScanError(RESOURCE_TYPE, GLOBAL_REGION, first.code, first.message + more)
        )
    return collected


def to_resource(
    rr: Mapping[str, Any], zone: Mapping[str, Any], account_id: str | None
) -> ActualResource:
    """One ListResourceRecordSets item in the canonical record form."""
    rtype = str(rr.get("Type") or "").upper()
    alias = rr.get("AliasTarget")
    attributes: dict[str, Any] = {
        "name": route53.dns_name(rr["Name"]),
        "type": rtype,
        "zone_id": route53.zone_id(zone["Id"]),
        "zone_name": route53.dns_name(zone.get("Name")),
        "private_zone": route53.is_private(dict(zone)),
        "linked_service": route53.linked_service(dict(zone)),
        "ttl": None if alias else rr.get("TTL"),
        "records": sorted(
            {
                record_value(rtype, r["Value"])
                for r in rr.get("ResourceRecords") or []
                if r.get("Value") is not None
            }
        ),
        "alias": {
            "name": route53.dns_name(alias.get("DNSName")),
            "zone_id": str(alias.get("HostedZoneId") or ""),
            "evaluate_target_health": bool(alias.get("EvaluateTargetHealth")),
        }
        if alias
        else None,
        "routing_policy": _aws_routing_policy(rr),
        "set_identifier": rr.get("SetIdentifier") or None,
        "health_check_id": rr.get("HealthCheckId") or None,
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=record_id(zone["Id"], str(rr["Name"]), rtype, rr.get("SetIdentifier") or None),
        region=GLOBAL_REGION,
        attributes=attributes,
        account_id=account_id,
    )


def is_default(attributes: Mapping[str, Any]) -> bool:
    """The NS and SOA records AWS creates at a zone's apex; records of a zone an AWS service
    manages."""
    if attributes.get("linked_service"):
        return True
    return attributes.get("type") in ("NS", "SOA") and attributes.get("name") == attributes.get(
        "zone_name"
    )


def _public_zone(_entry: DiffEntry, finding: Finding) -> bool:
    return not (finding.actual_state or {}).get("private_zone")


# -- building in an emulated account ---------------------------------------------------------


def _wire_value(rtype: str, value: str) -> str:
    if rtype not in _TEXT_TYPES:
        return value
    # The text re-split into 255-character strings, spelt as another tool would (the state
    # may split it elsewhere, with ``" "``): the same TXT record for DNS.
    text = record_value(rtype, value, from_state=True)
    chunks = [text[i : i + TXT_CHUNK] for i in range(0, len(text), TXT_CHUNK)] or [""]
    escaped = [c.replace("\\", "\\\\").replace('"', '\\"') for c in chunks]
    return '"' + '""'.join(escaped) + '"'


def _routing(attrs: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if _first(attrs.get("weighted_routing_policy")):
        out["Weight"] = int(_first(attrs["weighted_routing_policy"]).get("weight") or 0)
    if _first(attrs.get("latency_routing_policy")):
        out["Region"] = _first(attrs["latency_routing_policy"])["region"]
    if _first(attrs.get("failover_routing_policy")):
        out["Failover"] = _first(attrs["failover_routing_policy"])["type"]
    geo = _first(attrs.get("geolocation_routing_policy"))
    if geo:
        keys = (
            ("continent", "ContinentCode"),
            ("country", "CountryCode"),
            ("subdivision", "SubdivisionCode"),
        )
        out["GeoLocation"] = {aws: geo[k] for k, aws in keys if geo.get(k)}
    if attrs.get("multivalue_answer_routing_policy"):
        out["MultiValueAnswer"] = True
    return out


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    rtype = str(attrs["type"]).upper()
    state_zone = str(attrs["zone_id"])
    zone = ctx.id(state_zone)
    name = str(attrs.get("fqdn") or attrs["name"])
    rrset: dict[str, Any] = {"Name": name, "Type": rtype}
    alias = _first(attrs.get("alias"))
    if alias:
        rrset["AliasTarget"] = {
            "HostedZoneId": ctx.id(str(alias["zone_id"])),
            "DNSName": alias["name"],
            "EvaluateTargetHealth": bool(alias.get("evaluate_target_health")),
        }
    else:
        rrset["TTL"] = int(attrs.get("ttl") or 300)
        rrset["ResourceRecords"] = [
            {"Value": _wire_value(rtype, str(v))} for v in attrs.get("records") or []
        ]
    if attrs.get("set_identifier"):
        rrset["SetIdentifier"] = attrs["set_identifier"]
    if attrs.get("health_check_id"):
        rrset["HealthCheckId"] = ctx.id(attrs["health_check_id"])
    rrset.update(_routing(attrs))
    ctx.client(route53.SERVICE).change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": rrset}]},
    )
    state_id = str(attrs.get("id") or "")
    if state_id.startswith(f"{state_zone}_") and zone != state_zone:
        # The zone id inside a record id is not a token of its own: rewrite the whole id.
        ctx.ids[state_id] = zone + state_id[len(state_zone) :]


_TARGET = "a record of a public zone points somewhere else"

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Route 53 record",
    with_article="a Route 53 record",
    sarif_name="Route53Record",
    terraform=(
        TerraformType(
            "aws_route53_record",
            id=("id",),
            compose_id=state_id,
            account_from_arn=False,
            not_compared={
                "allow_overwrite": "Terraform-only",
                "fqdn": "computed",
                "timeouts": "Terraform-only",
                "zone_id": "part of the id",
                "name": "part of the id",
                "type": "part of the id",
            },
        ),
    ),
    scope=Scope.GLOBAL,
    service=route53.SERVICE,
    collect=collect,
    api_calls=(
        route53.LIST_ZONES,
        ApiCall(route53.operation("ListResourceRecordSets"), per="parent", parent="zone_id"),
    ),
    schema=SCHEMA,
    canonical_id=canonical_id,
    id_doc="<zone id>_<name>_<type>[_<set identifier>] (Terraform's record id)",
    is_default=is_default,
    rules=(
        Rule("records[*]", _public_zone, doc=_TARGET),
        Rule("alias.name", _public_zone, doc=_TARGET),
        Rule("alias.zone_id", _public_zone, doc=_TARGET),
    ),
    builders={
        "aws_route53_record": Builder(_build, after=("aws_route53_zone", "aws_lb", "aws_alb"))
    },
)
