"""Route 53 hosted zones (``aws_route53_zone``): one account-wide ListHostedZones (100 a page),
GetHostedZone for each zone the IaC declares and ListTagsForResources for them, 10 zones a call.

resource_id is the bare zone id; the region is ``global``. GetHostedZone is the only call that
names a private zone's VPCs and a zone's reusable delegation set, and AWS has no batch form of
it, so it is made for declared zones only (unmanaged zones are reported from the listing). The
name compares as a DNS name (case, trailing dot and ``\\052`` escapes do not matter). The
provider writes the comment "Managed by Terraform" when none is configured: a zone with no
comment in AWS (imported into Terraform) is not drift. ``force_destroy`` is Terraform-only.
A zone another AWS service created and manages (``LinkedService``: Cloud Map's DNS namespaces)
is AWS's: never unmanaged.
moto reports a zone that has no reusable delegation set with an empty delegation set id (AWS
sends no id): both read as none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.domain import GLOBAL_REGION
from driftctl.iac.instance import StateInstance, strings
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import route53
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "ROUTE53_ZONE"
DEFAULT_COMMENT = "Managed by Terraform"
# ListTagsForResources accepts at most 10 zone ids a call.
TAGS_PER_CALL = 10


def _vpcs(inst: StateInstance) -> Any:
    blocks = inst.get("vpc")
    if blocks == SENSITIVE:
        return SENSITIVE
    if not isinstance(blocks, list):
        return None
    return strings([b.get("vpc_id") for b in blocks if isinstance(b, Mapping)])


def _name(inst: StateInstance) -> Any:
    value = inst.get("name")
    return value if value in (None, SENSITIVE) else route53.dns_name(value)


SCHEMA: dict[str, Attr] = {
    "name": Attr(read=_name, doc="DNS name: case, trailing dot and escapes ignored"),
    "comment": Attr(default=DEFAULT_COMMENT, doc='the provider writes "Managed by Terraform"'),
    "vpcs": Attr(Kind.SET, read=_vpcs, doc="VPC ids of a private zone"),
    "delegation_set_id": Attr(empty_is_unset=True),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every hosted zone; details and tags of the declared ones. Listing errors propagate."""
    zones = route53.hosted_zones(ctx)
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    declared = [route53.zone_id(z["Id"]) for z in zones if route53.zone_id(z["Id"]) in managed]
    tags = read_tags(ctx, declared)
    r53 = route53.client(ctx)

    def read(zone: dict[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        ident = route53.zone_id(zone["Id"])
        if ident not in managed:
            return Detail(resource=to_resource(zone, ctx.account_id))
        try:
            answer = r53.get_hosted_zone(Id=ident)
        except (BotoCoreError, ClientError) as exc:
            if _code(exc) == "NoSuchHostedZone":
                return Detail()
            return failed((GLOBAL_REGION,), f"hosted zone {ident}", exc)
        return Detail(resource=to_resource(zone, ctx.account_id, answer, tags.get(ident, {})))

    return read_each(ctx, RESOURCE_TYPE, zones, read, noun="hosted zones")


def _code(exc: BaseException) -> str:
    from botocore.exceptions import ClientError

    return (
        str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, ClientError) else ""
    )


def read_tags(ctx: ScanContext, ids: list[str]) -> dict[str, dict[str, str]]:
    """Zone id -> tags, 10 zones per ListTagsForResources call. A batch naming a zone deleted
    meanwhile is read again one zone at a time, skipping the gone ones; other AWS errors
    propagate."""
    from botocore.exceptions import ClientError

    r53 = route53.client(ctx)
    out: dict[str, dict[str, str]] = {}

    def read(batch: list[str]) -> None:
        try:
            answer = r53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=batch)
        except ClientError as exc:
            if _code(exc) != "NoSuchHostedZone":
                raise
            for one in batch if len(batch) > 1 else []:
                read([one])
            return
        for item in answer.get("ResourceTagSets", []):
            if item.get("ResourceId"):
                out[route53.zone_id(item["ResourceId"])] = normalize.tags(item.get("Tags"))

    wanted = sorted(set(ids))
    for start in range(0, len(wanted), TAGS_PER_CALL):
        read(wanted[start : start + TAGS_PER_CALL])
    return out


def to_resource(
    zone: Mapping[str, Any],
    account_id: str | None,
    detail: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
) -> ActualResource:
    """One ListHostedZones item (+ its GetHostedZone answer) in the canonical zone form."""
    config = zone.get("Config") or {}
    attributes: dict[str, Any] = {
        "name": route53.dns_name(zone.get("Name")),
        "comment": config.get("Comment") or None,
        "private_zone": bool(config.get("PrivateZone")),
        "linked_service": route53.linked_service(dict(zone)),
    }
    if detail is not None:
        attributes["vpcs"] = sorted(
            {str(v["VPCId"]) for v in detail.get("VPCs") or [] if v.get("VPCId")}
        )
        delegation = detail.get("DelegationSet") or {}
        attributes["delegation_set_id"] = route53.zone_id(delegation.get("Id")) or None
    if tags is not None:
        attributes["tags"] = dict(tags)
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=route53.zone_id(zone["Id"]),
        region=GLOBAL_REGION,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------


def _comment(query: FixQuery, expected: Any) -> Call:
    comment = expected if isinstance(expected, str) else DEFAULT_COMMENT
    params = {"Id": query.resource_id, "Comment": comment}
    return Call("route53", "UpdateHostedZoneComment", params)


# vpcs are left to Terraform: (dis)associating a VPC takes its region, which the scan does not
# keep; the name and delegation set are fixed at creation.
_FIXES = (
    scalar_fix("comment", _comment, doc="comment (route53:UpdateHostedZoneComment)"),
    # One call adds and removes tags: made once for each.
    tags_fix(
        "route53",
        "ChangeTagsForResource",
        "ChangeTagsForResource",
        lambda q: {"ResourceType": "hostedzone", "ResourceId": q.resource_id},
        tags_param="AddTags",
        keys_param="RemoveTagKeys",
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    vpcs = [v for v in attrs.get("vpc") or [] if v.get("vpc_id")]
    config: dict[str, Any] = {"Comment": attrs.get("comment") or ""}
    if vpcs:
        first = vpcs[0]
        extra["VPC"] = {
            "VPCRegion": first.get("vpc_region") or ctx.region,
            "VPCId": ctx.id(first["vpc_id"]),
        }
        config["PrivateZone"] = True
    if attrs.get("delegation_set_id"):
        extra["DelegationSetId"] = ctx.id(attrs["delegation_set_id"])
    r53 = ctx.client(route53.SERVICE)
    zone = r53.create_hosted_zone(
        Name=attrs["name"],
        CallerReference=f"driftctl-{attrs['name']}-{len(ctx.ids)}",
        HostedZoneConfig=config,
        **extra,
    )["HostedZone"]
    ident = route53.zone_id(zone["Id"])
    for vpc in vpcs[1:]:
        r53.associate_vpc_with_hosted_zone(
            HostedZoneId=ident,
            VPC={"VPCRegion": vpc.get("vpc_region") or ctx.region, "VPCId": ctx.id(vpc["vpc_id"])},
        )
    # Route 53 ids have no prefix of their own kind: record the pair directly.
    for key in ("zone_id", "id"):
        if attrs.get(key):
            ctx.ids[str(attrs[key])] = ident
    tags = tags_of(attrs)
    if tags:
        r53.change_tags_for_resource(
            ResourceType="hostedzone", ResourceId=ident, AddTags=tag_list(tags)
        )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Route 53 hosted zone",
    with_article="a Route 53 hosted zone",
    sarif_name="Route53Zone",
    terraform=(
        TerraformType(
            "aws_route53_zone",
            id=("zone_id", "id"),
            not_compared={
                "force_destroy": "Terraform-only",
                "timeouts": "Terraform-only",
                "name_servers": "computed",
            },
        ),
    ),
    scope=Scope.GLOBAL,
    service=route53.SERVICE,
    collect=collect,
    api_calls=(
        route53.LIST_ZONES,
        ApiCall(route53.operation("GetHostedZone"), per="resource", managed_only=True),
        ApiCall(
            route53.operation("ListTagsForResources"),
            per="resource",
            page_size=TAGS_PER_CALL,
            managed_only=True,
        ),
    ),
    schema=SCHEMA,
    canonical_id=route53.zone_id,
    id_doc="hosted zone id",
    is_default=lambda attributes: bool(attributes.get("linked_service")),
    builders={"aws_route53_zone": Builder(_build, after=("aws_vpc",))},
    fixes=_FIXES,
)
