"""Load balancers (``aws_lb``, also spelt ``aws_alb``): application, network and gateway.

One paginated DescribeLoadBalancers per region (shared with the listener type), then for the
load balancers the IaC declares DescribeLoadBalancerAttributes each (AWS has no batch call for
it) and DescribeTags, 20 ARNs a call. resource_id is the ARN: names repeat across regions.

Terraform's ``internal`` is compared as AWS's ``scheme`` (``internal`` / ``internet-facing``).
AWS reports every attribute as a string (``"60"``, ``"false"``); they are read as numbers and
flags. Attributes a type does not have (idle timeout and invalid-header dropping on network and
gateway load balancers) are absent from AWS's answer and mean their default. moto does not
report ``idle_timeout.timeout_seconds`` or ``access_logs.s3.enabled`` until they are set (AWS
always does): both read as their defaults, 60 seconds and off. moto names network load
balancers ``loadbalancer/app/…`` in their ARNs (AWS: ``loadbalancer/net/…``); nothing here reads
the type from the ARN. A scheme cannot change in place:
a load balancer recreated internet-facing is a missing one plus an unmanaged one, and an
unmanaged internet-facing load balancer is critical on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from driftctl.diff.conditions import no_longer, turned_off
from driftctl.iac.instance import StateInstance, boolean
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
    CostQuery,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

if TYPE_CHECKING:
    from mypy_boto3_elbv2.type_defs import LoadBalancerAttributeTypeDef, LoadBalancerTypeDef

    from driftctl.diff.pricing import CostImpact, Pricer

RESOURCE_TYPE = "LB"
INTERNET_FACING = "internet-facing"


def _scheme(inst: StateInstance) -> Any:
    internal = boolean(inst.get("internal"))
    if internal is None or internal == SENSITIVE:
        return internal
    return "internal" if internal else INTERNET_FACING


SCHEMA: dict[str, Attr] = {
    "load_balancer_type": Attr(empty_is_unset=True, default="application"),
    "scheme": Attr(read=_scheme, doc="internal or internet-facing (Terraform's `internal`)"),
    "subnets": Attr(Kind.SET),
    "security_groups": Attr(Kind.SET),
    "ip_address_type": Attr(empty_is_unset=True),
    "idle_timeout": Attr(type=int, default=60, doc="seconds (application load balancers)"),
    "deletion_protection": Attr(type=bool, tf=("enable_deletion_protection",), default=False),
    "drop_invalid_header_fields": Attr(type=bool, default=False),
    "access_logs": Attr(
        Kind.OBJECT,
        fields={
            "enabled": Attr(type=bool, default=False),
            "bucket": Attr(empty_is_unset=True),
            "prefix": Attr(empty_is_unset=True),
        },
    ),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every load balancer of ``region``; details for the declared ones. Listing errors
    propagate; a failed detail read spoils its region only."""
    balancers = elbv2.load_balancers(ctx, region)
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    tags = elbv2.read_tags(
        ctx, region, [lb["LoadBalancerArn"] for lb in balancers if lb["LoadBalancerArn"] in managed]
    )
    elb = elbv2.client(ctx, region)

    def read(lb: LoadBalancerTypeDef) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        arn = lb["LoadBalancerArn"]
        if arn not in managed:
            return Detail(resource=to_resource(lb, region, ctx.account_id))
        try:
            settings = elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        except (BotoCoreError, ClientError) as exc:
            if elbv2.is_not_found(exc):
                return Detail()
            return failed((region,), f"load balancer {lb.get('LoadBalancerName', arn)}", exc)
        resource = to_resource(lb, region, ctx.account_id, settings, tags.get(arn, {}))
        return Detail(resource=resource)

    return read_each(ctx, RESOURCE_TYPE, balancers, read, noun="load balancers")


def to_resource(
    lb: LoadBalancerTypeDef,
    region: str,
    account_id: str | None,
    settings: Sequence[LoadBalancerAttributeTypeDef] | None = None,
    tags: Mapping[str, str] | None = None,
) -> ActualResource:
    """One load balancer in the canonical LB form (details only when they were read)."""
    attributes: dict[str, Any] = {
        "load_balancer_type": lb.get("Type"),
        "scheme": lb.get("Scheme"),
        "subnets": sorted(
            z["SubnetId"] for z in lb.get("AvailabilityZones", []) if "SubnetId" in z
        ),
        "security_groups": sorted(lb.get("SecurityGroups", [])),
        "ip_address_type": lb.get("IpAddressType"),
    }
    if settings is not None:
        values = {s["Key"]: s.get("Value") for s in settings if "Key" in s}
        attributes.update(
            idle_timeout=elbv2.number(values.get("idle_timeout.timeout_seconds")),
            deletion_protection=elbv2.flag(values.get("deletion_protection.enabled")),
            drop_invalid_header_fields=elbv2.flag(
                values.get("routing.http.drop_invalid_header_fields.enabled")
            ),
            access_logs={
                "enabled": elbv2.flag(values.get("access_logs.s3.enabled")),
                "bucket": values.get("access_logs.s3.bucket") or None,
                "prefix": values.get("access_logs.s3.prefix") or None,
            },
        )
    if tags is not None:
        attributes["tags"] = dict(tags)
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=lb["LoadBalancerArn"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _risky(attributes: Mapping[str, Any]) -> bool:
    return attributes.get("scheme") == INTERNET_FACING


# -- cost: the load balancer-hour ---------------------------------------------------------------


def _month(pricer: Pricer, kind: Any) -> Decimal:
    from driftctl.diff.load_balancer_prices import load_balancer_prices

    name = str(kind or "application")
    hourly = load_balancer_prices().hourly_price(name, pricer.region)
    if hourly is None:
        pricer.missing.append(f"a {name} load balancer")
        return Decimal(0)
    return Decimal(str(hourly)) * pricer.hours


def cost(query: CostQuery) -> CostImpact:
    """The hourly charge of an unmanaged or missing load balancer (capacity units excluded)."""
    from driftctl.diff.pricing import CostImpact, Pricer

    pricer = Pricer(query.table, query.region)
    if query.drift_type == "unmanaged":
        kind = query.actual.get("load_balancer_type") or "application"
        note = f"unmanaged {kind} load balancer (hourly charge, capacity units excluded)"
        return pricer.result(_month(pricer, kind), note)
    if query.drift_type == "missing":
        kind = query.expected.get("load_balancer_type") or "application"
        note = f"missing {kind} load balancer (hourly charge, capacity units excluded)"
        return pricer.result(-_month(pricer, kind), note)
    # The type cannot change in place: a modified load balancer costs the same.
    return CostImpact(0.0)


# -- remediation -------------------------------------------------------------------------------

# Compared attribute -> the load balancer attribute that sets it.
_SETTING_KEYS = {
    "deletion_protection": "deletion_protection.enabled",
    "idle_timeout": "idle_timeout.timeout_seconds",
    "drop_invalid_header_fields": "routing.http.drop_invalid_header_fields.enabled",
}
_ACCESS_LOG_KEYS = {
    "enabled": "access_logs.s3.enabled",
    "bucket": "access_logs.s3.bucket",
    "prefix": "access_logs.s3.prefix",
}
_MODIFY = "ModifyLoadBalancerAttributes"


def _modify(query: FixQuery, settings: Mapping[str, Any]) -> Call:
    attributes = [{"Key": key, "Value": _wire(value)} for key, value in settings.items()]
    return Call(
        elbv2.SERVICE, _MODIFY, {"LoadBalancerArn": query.resource_id, "Attributes": attributes}
    )


def _setting_fix(name: str) -> Fix:
    key = _SETTING_KEYS[name]
    default = SCHEMA[name].default

    def call(query: FixQuery, expected: Any) -> Call:
        return _modify(query, {key: default if expected in (None, "") else expected})

    return scalar_fix(name, call, doc=f"{name} (elbv2:{_MODIFY} {key})")


def _access_logs(query: FixQuery) -> list[Call]:
    expected = query.expected.get("access_logs")
    expected = expected if isinstance(expected, Mapping) else {}
    settings = {
        _ACCESS_LOG_KEYS[path.split(".", 1)[1]]: entry.get("expected")
        for path, entry in query.entries.items()
    }
    if expected.get("enabled"):
        # Logs turned back on need their destination in the same call.
        for field in ("bucket", "prefix"):
            if expected.get(field) is not None:
                settings[_ACCESS_LOG_KEYS[field]] = expected[field]
    return [_modify(query, settings)]


def _security_groups(query: FixQuery) -> list[Call]:
    groups = sorted(str(g) for g in query.expected.get("security_groups") or [])
    params = {"LoadBalancerArn": query.resource_id, "SecurityGroups": groups}
    return [Call(elbv2.SERVICE, "SetSecurityGroups", params)]


def _ip_address_type(query: FixQuery, expected: Any) -> Call:
    params = {"LoadBalancerArn": query.resource_id, "IpAddressType": str(expected)}
    return Call(elbv2.SERVICE, "SetIpAddressType", params)


FIXES = (
    *(_setting_fix(name) for name in _SETTING_KEYS),
    Fix(
        "access_logs.*",
        _access_logs,
        doc=f"access logs (elbv2:{_MODIFY} access_logs.s3.*)",
    ),
    Fix(
        "security_groups[*",
        _security_groups,
        doc="security groups: the IaC's whole set (elbv2:SetSecurityGroups)",
    ),
    scalar_fix("ip_address_type", _ip_address_type, doc="ip_address_type (elbv2:SetIpAddressType)"),
    elbv2.tags_fix(),
)


# -- building in an emulated account ---------------------------------------------------------


def _settings(attrs: Mapping[str, Any], kind: str) -> list[Any]:
    out = [
        ("deletion_protection.enabled", attrs.get("enable_deletion_protection")),
    ]
    if kind == "application":
        out.append(("idle_timeout.timeout_seconds", attrs.get("idle_timeout") or 60))
        out.append(
            (
                "routing.http.drop_invalid_header_fields.enabled",
                attrs.get("drop_invalid_header_fields"),
            )
        )
    logs = elbv2.first_block(attrs.get("access_logs"))
    if logs.get("enabled"):
        out.append(("access_logs.s3.enabled", True))
        out.append(("access_logs.s3.bucket", logs.get("bucket") or ""))
        out.append(("access_logs.s3.prefix", logs.get("prefix") or ""))
    return [{"Key": key, "Value": _wire(value)} for key, value in out]


def _wire(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "true" if value else "false"
    return str(value)


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    elb = ctx.client(elbv2.SERVICE)
    kind = attrs.get("load_balancer_type") or "application"
    extra: dict[str, Any] = {}
    if attrs.get("security_groups"):
        extra["SecurityGroups"] = [ctx.id(g) for g in attrs["security_groups"]]
    if attrs.get("ip_address_type"):
        extra["IpAddressType"] = attrs["ip_address_type"]
    tags = tag_list(tags_of(attrs))
    if tags:
        extra["Tags"] = tags
    lb = elb.create_load_balancer(
        Name=attrs["name"],
        Subnets=[ctx.id(s) for s in attrs.get("subnets") or []],
        Scheme="internal" if attrs.get("internal") else INTERNET_FACING,
        Type=kind,
        **extra,
    )["LoadBalancers"][0]
    ctx.remember(attrs.get("arn"), lb["LoadBalancerArn"])
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"], Attributes=_settings(attrs, kind)
    )


_NOT_COMPARED = {
    "name_prefix": "Terraform-only",
    "timeouts": "Terraform-only",
    "subnet_mapping": "compared through subnets",
    "enable_http2": "not compared yet",
    "enable_cross_zone_load_balancing": "not compared yet",
    "desync_mitigation_mode": "not compared yet",
    "connection_logs": "not compared yet",
}
_AFTER = ("aws_subnet", "aws_security_group", "aws_s3_bucket")

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Load balancer",
    with_article="a load balancer",
    sarif_name="LoadBalancer",
    terraform=(
        TerraformType("aws_lb", id=("arn", "id"), not_compared=_NOT_COMPARED),
        TerraformType("aws_alb", id=("arn", "id"), not_compared=_NOT_COMPARED),
    ),
    scope=Scope.REGIONAL,
    service=elbv2.SERVICE,
    collect=collect,
    api_calls=(
        elbv2.LIST_LOAD_BALANCERS,
        ApiCall(
            elbv2.operation("DescribeLoadBalancerAttributes"), per="resource", managed_only=True
        ),
        elbv2.TAGS,
    ),
    schema=SCHEMA,
    id_doc="load balancer ARN",
    rules=(
        Rule("scheme", no_longer("internal"), doc="an internal load balancer is internet-facing"),
        Rule("deletion_protection", turned_off, doc="deletion protection turned off"),
    ),
    risky=_risky,
    cost=cost,
    fixes=FIXES,
    builders={
        "aws_lb": Builder(_build, after=_AFTER),
        "aws_alb": Builder(_build, after=_AFTER),
    },
)
