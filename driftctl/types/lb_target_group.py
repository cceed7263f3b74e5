"""Target groups (``aws_lb_target_group``, also ``aws_alb_target_group``) and their registered
targets (``aws_lb_target_group_attachment``, also ``aws_alb_target_group_attachment``).

One paginated DescribeTargetGroups per region, then for the target groups the IaC declares
DescribeTargetGroupAttributes and DescribeTargetHealth each (AWS has no batch call for either)
and DescribeTags, 20 ARNs a call. resource_id is the target group ARN.

Targets are compared only for a target group whose targets the IaC registers (at least one
attachment): auto scaling groups, ECS services and controllers register theirs without
Terraform. A target compares by its id (instance id, IP address, Lambda ARN): an attachment
without a port takes the group's, which the attachment does not record. A target that is
draining is being deregistered and counts as gone. The cookie type and duration of disabled
stickiness are not compared (AWS keeps reporting them). AWS reports attributes as strings;
a Lambda target group has no deregistration delay (300 s is what AWS means by none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from driftctl.iac.instance import StateInstance, boolean, integer, strings, text
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import elbv2
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import scalar_fix
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
    from mypy_boto3_elbv2.type_defs import (
        TargetGroupAttributeTypeDef,
        TargetGroupTypeDef,
        TargetHealthDescriptionTypeDef,
    )

RESOURCE_TYPE = "LB_TARGET_GROUP"
_PAGE = (1, 400)
_GONE_STATES = frozenset({"draining"})


# -- reading the state -------------------------------------------------------------------------


def _stickiness(inst: StateInstance) -> Any:
    block = inst.get("stickiness", 0)
    if block is None or block == SENSITIVE or not isinstance(block, Mapping):
        return block if block == SENSITIVE else None
    enabled = boolean(block.get("enabled"))
    if enabled is None:
        return None
    if not enabled:
        return {"enabled": False}
    out: dict[str, Any] = {"enabled": True}
    for key, value in (
        ("type", text(block.get("type"), empty_is_unset=True)),
        ("cookie_duration", integer(block.get("cookie_duration"))),
        ("cookie_name", text(block.get("cookie_name"), empty_is_unset=True)),
    ):
        if value is not None:
            out[key] = value
    return out


def _attachment(inst: StateInstance) -> dict[str, Any]:
    """One ``aws_lb_target_group_attachment``: its target, a member of the group's targets."""
    target = inst.get("target_id")
    return {"targets": SENSITIVE if target == SENSITIVE else strings([target])}


SCHEMA: dict[str, Attr] = {
    "port": Attr(type=int),
    "protocol": Attr(empty_is_unset=True),
    "target_type": Attr(empty_is_unset=True, default="instance"),
    "vpc_id": Attr(empty_is_unset=True),
    "health_check": Attr(
        Kind.OBJECT,
        fields={
            "enabled": Attr(type=bool),
            "healthy_threshold": Attr(type=int),
            "unhealthy_threshold": Attr(type=int),
            "interval": Attr(type=int),
            "timeout": Attr(type=int),
            "path": Attr(empty_is_unset=True),
            "port": Attr(empty_is_unset=True),
            "protocol": Attr(empty_is_unset=True),
            "matcher": Attr(empty_is_unset=True),
        },
    ),
    "deregistration_delay": Attr(type=int, default=300, doc="seconds"),
    "stickiness": Attr(
        Kind.OBJECT,
        read=_stickiness,
        fields={
            "enabled": Attr(type=bool),
            "type": Attr(),
            "cookie_duration": Attr(type=int, default=86400),
            "cookie_name": Attr(empty_is_unset=True),
        },
    ),
    "targets": Attr(
        Kind.SET, read=lambda _inst: None, doc="target ids of aws_lb_target_group_attachment"
    ),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every target group of ``region``; attributes, targets and tags of the declared ones.
    Listing errors propagate; a failed detail read spoils its region only."""
    elb = elbv2.client(ctx, region)
    pages = elb.get_paginator("describe_target_groups").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    groups = [tg for page in pages for tg in page.get("TargetGroups", []) if "TargetGroupArn" in tg]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    tags = elbv2.read_tags(
        ctx, region, [tg["TargetGroupArn"] for tg in groups if tg["TargetGroupArn"] in managed]
    )

    def read(group: TargetGroupTypeDef) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        arn = group["TargetGroupArn"]
        if arn not in managed:
            return Detail(resource=to_resource(group, region, ctx.account_id))
        try:
            settings = elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
            health = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        except (BotoCoreError, ClientError) as exc:
            if elbv2.is_not_found(exc):
                return Detail()
            return failed((region,), f"target group {group.get('TargetGroupName', arn)}", exc)
        resource = to_resource(group, region, ctx.account_id, settings, health, tags.get(arn))
        return Detail(resource=resource)

    return read_each(ctx, RESOURCE_TYPE, groups, read, noun="target groups")


def _stickiness_of(values: Mapping[str, Any]) -> dict[str, Any]:
    if str(values.get("stickiness.enabled")).lower() != "true":
        return {"enabled": False}
    kind = values.get("stickiness.type")
    prefix = f"stickiness.{kind}"
    return {
        "enabled": True,
        "type": kind,
        "cookie_duration": elbv2.number(values.get(f"{prefix}.duration_seconds")),
        "cookie_name": values.get(f"{prefix}.cookie_name") or None,
    }


def to_resource(
    group: TargetGroupTypeDef,
    region: str,
    account_id: str | None,
    settings: Sequence[TargetGroupAttributeTypeDef] | None = None,
    health: Sequence[TargetHealthDescriptionTypeDef] | None = None,
    tags: Mapping[str, str] | None = None,
) -> ActualResource:
    """One target group in the canonical form (details only when they were read)."""
    matcher = group.get("Matcher", {})
    attributes: dict[str, Any] = {
        "port": group.get("Port"),
        "protocol": group.get("Protocol"),
        "target_type": group.get("TargetType"),
        "vpc_id": group.get("VpcId"),
        "health_check": {
            "enabled": group.get("HealthCheckEnabled"),
            "healthy_threshold": group.get("HealthyThresholdCount"),
            "unhealthy_threshold": group.get("UnhealthyThresholdCount"),
            "interval": group.get("HealthCheckIntervalSeconds"),
            "timeout": group.get("HealthCheckTimeoutSeconds"),
            "path": group.get("HealthCheckPath"),
            "port": group.get("HealthCheckPort"),
            "protocol": group.get("HealthCheckProtocol"),
            "matcher": matcher.get("HttpCode") or matcher.get("GrpcCode"),
        },
    }
    if settings is not None:
        values = {s["Key"]: s.get("Value") for s in settings if "Key" in s}
        attributes["deregistration_delay"] = elbv2.number(
            values.get("deregistration_delay.timeout_seconds")
        )
        attributes["stickiness"] = _stickiness_of(values)
    if health is not None:
        attributes["targets"] = sorted(
            {
                d["Target"]["Id"]
                for d in health
                if "Target" in d and d.get("TargetHealth", {}).get("State") not in _GONE_STATES
            }
        )
    if tags is not None:
        attributes["tags"] = dict(tags)
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=group["TargetGroupArn"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------
# Targets are not reverted: they compare by id, and an attachment's port is not recorded.

# health_check field -> ModifyTargetGroup parameter and the type it takes.
_HEALTH_PARAMS: dict[str, tuple[str, type]] = {
    "enabled": ("HealthCheckEnabled", bool),
    "healthy_threshold": ("HealthyThresholdCount", int),
    "unhealthy_threshold": ("UnhealthyThresholdCount", int),
    "interval": ("HealthCheckIntervalSeconds", int),
    "timeout": ("HealthCheckTimeoutSeconds", int),
    "path": ("HealthCheckPath", str),
    "port": ("HealthCheckPort", str),
    "protocol": ("HealthCheckProtocol", str),
}
_MODIFY_ATTRIBUTES = "ModifyTargetGroupAttributes"


def _put_health_check(query: FixQuery) -> list[Call]:
    params: dict[str, Any] = {"TargetGroupArn": query.resource_id}
    for path, entry in query.entries.items():
        name, value = path.split(".", 1)[1], entry.get("expected")
        if name == "matcher":
            params["Matcher"] = {"HttpCode": str(value)}
        else:
            param, kind = _HEALTH_PARAMS[name]
            params[param] = kind(value)
    return [Call(elbv2.SERVICE, "ModifyTargetGroup", params)]


def _modify_attributes(query: FixQuery, settings: Mapping[str, str]) -> Call:
    attributes = [{"Key": key, "Value": value} for key, value in settings.items()]
    params = {"TargetGroupArn": query.resource_id, "Attributes": attributes}
    return Call(elbv2.SERVICE, _MODIFY_ATTRIBUTES, params)


def _deregistration_delay(query: FixQuery, expected: Any) -> Call:
    seconds = SCHEMA["deregistration_delay"].default if expected in (None, "") else expected
    return _modify_attributes(query, {"deregistration_delay.timeout_seconds": str(seconds)})


def _put_stickiness(query: FixQuery) -> list[Call]:
    expected = query.expected.get("stickiness")
    expected = expected if isinstance(expected, Mapping) else {}
    actual = query.actual.get("stickiness")
    actual = actual if isinstance(actual, Mapping) else {}
    enabled = bool(expected.get("enabled"))
    settings = {"stickiness.enabled": "true" if enabled else "false"}
    kind = expected.get("type") or actual.get("type")
    if enabled and kind:
        # Every compared setting of enabled stickiness, as the IaC has it.
        settings["stickiness.type"] = str(kind)
        if expected.get("cookie_duration") is not None and kind in ("lb_cookie", "app_cookie"):
            settings[f"stickiness.{kind}.duration_seconds"] = str(expected["cookie_duration"])
        if expected.get("cookie_name") is not None and kind == "app_cookie":
            settings["stickiness.app_cookie.cookie_name"] = str(expected["cookie_name"])
    return [_modify_attributes(query, settings)]


FIXES = (
    Fix(
        "health_check.*",
        _put_health_check,
        doc="health check settings (elbv2:ModifyTargetGroup; matcher as HTTP codes)",
    ),
    scalar_fix(
        "deregistration_delay",
        _deregistration_delay,
        doc=f"deregistration_delay (elbv2:{_MODIFY_ATTRIBUTES})",
    ),
    Fix("stickiness.*", _put_stickiness, doc=f"stickiness (elbv2:{_MODIFY_ATTRIBUTES})"),
    elbv2.tags_fix(),
)


# -- building in an emulated account ---------------------------------------------------------


def _health_check(block: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if block.get("enabled") is not None:
        out["HealthCheckEnabled"] = bool(block["enabled"])
    for key, name in (
        ("interval", "HealthCheckIntervalSeconds"),
        ("timeout", "HealthCheckTimeoutSeconds"),
        ("healthy_threshold", "HealthyThresholdCount"),
        ("unhealthy_threshold", "UnhealthyThresholdCount"),
    ):
        if block.get(key):
            out[name] = int(block[key])
    for key, name in (
        ("path", "HealthCheckPath"),
        ("port", "HealthCheckPort"),
        ("protocol", "HealthCheckProtocol"),
    ):
        if block.get(key):
            out[name] = str(block[key])
    if block.get("matcher"):
        out["Matcher"] = {"HttpCode": str(block["matcher"])}
    return out


def _settings(attrs: Mapping[str, Any], kind: str) -> list[Any]:
    out: dict[str, Any] = {}
    if kind != "lambda":
        out["deregistration_delay.timeout_seconds"] = str(attrs.get("deregistration_delay") or 300)
    sticky = elbv2.first_block(attrs.get("stickiness"))
    if sticky.get("enabled"):
        sticky_type = str(sticky.get("type") or "lb_cookie")
        out["stickiness.enabled"] = "true"
        out["stickiness.type"] = sticky_type
        if sticky_type in ("lb_cookie", "app_cookie") and sticky.get("cookie_duration"):
            out[f"stickiness.{sticky_type}.duration_seconds"] = str(sticky["cookie_duration"])
        if sticky_type == "app_cookie" and sticky.get("cookie_name"):
            out["stickiness.app_cookie.cookie_name"] = str(sticky["cookie_name"])
    elif sticky:
        out["stickiness.enabled"] = "false"
    return [{"Key": key, "Value": value} for key, value in out.items()]


def _build_group(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    elb = ctx.client(elbv2.SERVICE)
    kind = attrs.get("target_type") or "instance"
    extra: dict[str, Any] = _health_check(elbv2.first_block(attrs.get("health_check")))
    if kind != "lambda":
        extra.update(Protocol=attrs["protocol"], Port=int(attrs["port"]))
        extra["VpcId"] = ctx.id(attrs["vpc_id"])
        if attrs.get("protocol_version") and attrs["protocol"] in ("HTTP", "HTTPS"):
            extra["ProtocolVersion"] = attrs["protocol_version"]
    tags = tag_list(tags_of(attrs))
    if tags:
        extra["Tags"] = tags
    group = elb.create_target_group(Name=attrs["name"], TargetType=kind, **extra)["TargetGroups"][0]
    ctx.remember(attrs.get("arn"), group["TargetGroupArn"])
    settings = _settings(attrs, kind)
    if settings:
        elb.modify_target_group_attributes(
            TargetGroupArn=group["TargetGroupArn"], Attributes=settings
        )


def _build_attachment(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    target: dict[str, Any] = {"Id": ctx.id(attrs["target_id"])}
    if attrs.get("port"):
        target["Port"] = int(attrs["port"])
    if attrs.get("availability_zone"):
        target["AvailabilityZone"] = attrs["availability_zone"]
    ctx.client(elbv2.SERVICE).register_targets(
        TargetGroupArn=ctx.id(attrs["target_group_arn"]), Targets=[target]
    )


_GROUP_NOT_COMPARED = {
    "name_prefix": "Terraform-only",
    "load_balancing_algorithm_type": "not compared yet",
    "slow_start": "not compared yet",
    "proxy_protocol_v2": "not compared yet",
    "protocol_version": "not compared yet",
}
_ATTACHMENT_NOT_COMPARED = {
    "port": "targets compare by id (an attachment without a port records none)",
    "availability_zone": "not compared yet",
}
_AFTER_GROUP = ("aws_lb_target_group", "aws_alb_target_group", "aws_instance")


def _attachment_type(name: str) -> TerraformType:
    return TerraformType(
        name,
        id=("target_group_arn",),
        read=_attachment,
        parent=True,
        not_compared=_ATTACHMENT_NOT_COMPARED,
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Load balancer target group",
    with_article="a load balancer target group",
    sarif_name="LoadBalancerTargetGroup",
    terraform=(
        TerraformType("aws_lb_target_group", id=("arn", "id"), not_compared=_GROUP_NOT_COMPARED),
        TerraformType("aws_alb_target_group", id=("arn", "id"), not_compared=_GROUP_NOT_COMPARED),
        _attachment_type("aws_lb_target_group_attachment"),
        _attachment_type("aws_alb_target_group_attachment"),
    ),
    scope=Scope.REGIONAL,
    service=elbv2.SERVICE,
    collect=collect,
    api_calls=(
        ApiCall(elbv2.operation("DescribeTargetGroups"), per="region", page_size=400),
        ApiCall(
            elbv2.operation("DescribeTargetGroupAttributes"), per="resource", managed_only=True
        ),
        ApiCall(elbv2.operation("DescribeTargetHealth"), per="resource", managed_only=True),
        elbv2.TAGS,
    ),
    schema=SCHEMA,
    id_doc="target group ARN",
    fixes=FIXES,
    builders={
        "aws_lb_target_group": Builder(_build_group, after=("aws_vpc",)),
        "aws_alb_target_group": Builder(_build_group, after=("aws_vpc",)),
        "aws_lb_target_group_attachment": Builder(_build_attachment, after=_AFTER_GROUP),
        "aws_alb_target_group_attachment": Builder(_build_attachment, after=_AFTER_GROUP),
    },
)
