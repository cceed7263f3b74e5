"""EventBridge rules (``aws_cloudwatch_event_rule``): one ListEventBuses per region, one
paginated ListRules per event bus (both shared with the target type), then ListTagsForResource
for each rule the IaC declares (AWS has no batch call for tags).

resource_id is Terraform's: the rule name on the default bus, ``bus/name`` on another bus. The
event pattern compares as parsed JSON (key order and spacing are not drift). Terraform's
``state`` (``ENABLED``, ``DISABLED``, ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``) is read
from ``is_enabled`` in states written by providers older than 5.x's ``state``. Rules an AWS
service created for itself (``ManagedBy`` set: archives, Auto Scaling, …) belong to AWS: never
unmanaged. The event buses themselves (the default one included) are not a type of their own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.iac.instance import StateInstance, boolean
from driftctl.resources import SENSITIVE, ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import eventbridge
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import resource_arn, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    NotRevertible,
    ResourceSpec,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "CLOUDWATCH_EVENT_RULE"


def _state(inst: StateInstance) -> Any:
    value = inst.get("state")
    if value == SENSITIVE or (isinstance(value, str) and value):
        return value
    enabled = boolean(inst.get("is_enabled"))
    if enabled is None or enabled == SENSITIVE:
        return enabled
    return "ENABLED" if enabled else "DISABLED"


def _bus(inst: StateInstance) -> Any:
    value = inst.get("event_bus_name")
    return value if value == SENSITIVE else eventbridge.bus_name(value)


SCHEMA: dict[str, Attr] = {
    "event_pattern": Attr(Kind.DOCUMENT, doc="compared as parsed JSON"),
    "schedule_expression": Attr(empty_is_unset=True),
    "state": Attr(read=_state, doc="ENABLED, DISABLED… (is_enabled in older providers)"),
    "role_arn": Attr(empty_is_unset=True),
    "event_bus_name": Attr(read=_bus, default=eventbridge.DEFAULT_BUS),
    "description": Attr(),
    "tags": Attr(Kind.TAGS),
}


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every rule of every bus of ``region``; tags of the declared ones. Listing errors
    propagate; a failed tag read spoils its region only."""
    events = eventbridge.client(ctx, region)
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(rule: dict[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        ident = eventbridge.rule_id(rule["EventBusName"], rule["Name"])
        if ident not in managed or not rule.get("Arn"):
            return Detail(resource=to_resource(rule, region, ctx.account_id))
        try:
            tags = events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", [])
        except (BotoCoreError, ClientError) as exc:
            if eventbridge.code(exc) in eventbridge.NOT_FOUND:
                return Detail()
            return failed((region,), f"event rule {ident}", exc)
        return Detail(resource=to_resource(rule, region, ctx.account_id, tags))

    return read_each(ctx, RESOURCE_TYPE, eventbridge.rules(ctx, region), read, noun="rules")


def to_resource(
    rule: Mapping[str, Any], region: str, account_id: str | None, tags: list[Any] | None = None
) -> ActualResource:
    """One ListRules item (tags when they were read) in the canonical rule form."""
    bus = eventbridge.bus_name(rule.get("EventBusName"))
    attributes: dict[str, Any] = {
        "event_pattern": rule.get("EventPattern") or None,
        "schedule_expression": rule.get("ScheduleExpression") or None,
        "state": rule.get("State"),
        "role_arn": rule.get("RoleArn") or None,
        "event_bus_name": bus,
        "description": rule.get("Description") or None,
        "managed_by": rule.get("ManagedBy") or None,
    }
    if tags is not None:
        attributes["tags"] = mask_secret_values(normalize.tags(tags))
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=eventbridge.rule_id(bus, str(rule["Name"])),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    return bool(attributes.get("managed_by"))


# -- remediation -------------------------------------------------------------------------------

# What PutRule replaces as a whole (every one it is not sent is cleared).
DEFINITION = ("event_pattern", "schedule_expression", "state", "role_arn", "description")


def split_rule_id(rule_id: str) -> tuple[str, str]:
    """(bus, name) of a rule id: rule names hold no ``/``, bus names may."""
    bus, _, name = rule_id.rpartition("/")
    return bus or eventbridge.DEFAULT_BUS, name


def rule_arn(query: FixQuery) -> str:
    """The rule's ARN (``…:rule/name`` on the default bus, ``…:rule/bus/name`` elsewhere)."""
    return resource_arn(query, eventbridge.SERVICE, f"rule/{query.resource_id}")


def put_rule(query: FixQuery) -> Call:
    """PutRule with the whole definition the IaC gives: the rule as Terraform would write it.

    PutRule clears what it is not sent, as ``terraform apply`` does: a role or schedule the IaC
    leaves empty (and the scan does not compare) is dropped too.

    Raises NotRevertible when part of that definition is masked: it cannot be sent back.
    """
    expected = query.expected
    masked = [n for n in DEFINITION if expected.get(n) == SENSITIVE]
    if masked:
        raise NotRevertible(f"PutRule needs the whole rule, and its {', '.join(masked)} is masked")
    bus, name = split_rule_id(query.resource_id)
    params: dict[str, Any] = {"Name": name, "EventBusName": bus}
    pattern = expected.get("event_pattern")
    if pattern:
        params["EventPattern"] = (
            pattern if isinstance(pattern, str) else json.dumps(pattern, separators=(",", ":"))
        )
    for attribute, param in (
        ("schedule_expression", "ScheduleExpression"),
        ("state", "State"),
        ("role_arn", "RoleArn"),
        ("description", "Description"),
    ):
        if expected.get(attribute):
            params[param] = str(expected[attribute])
    return Call(eventbridge.SERVICE, "PutRule", params)


def _definition_fix(attribute: str) -> Fix:
    return Fix(
        attribute,
        lambda query: [put_rule(query)],
        doc=f"{attribute.replace('_', ' ')} (events:PutRule with the whole expected rule)",
    )


def _state_plan(query: FixQuery) -> list[Call]:
    state = query.entries["state"].get("expected")
    bus, name = split_rule_id(query.resource_id)
    target = {"Name": name, "EventBusName": bus}
    if state == "ENABLED":
        return [Call(eventbridge.SERVICE, "EnableRule", target)]
    if state == "DISABLED":
        return [Call(eventbridge.SERVICE, "DisableRule", target)]
    # ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS only PutRule sets.
    return [put_rule(query)]


_FIXES = (
    Fix("state", _state_plan, doc="state (events:EnableRule / DisableRule)"),
    *(_definition_fix(a) for a in DEFINITION if a != "state"),
    tags_fix(
        eventbridge.SERVICE,
        "TagResource",
        "UntagResource",
        lambda q: {"ResourceARN": rule_arn(q)},
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _build_bus(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    tags = tag_list(tags_of(attrs))
    if tags:
        extra["Tags"] = tags
    ctx.client(eventbridge.SERVICE).create_event_bus(Name=attrs["name"], **extra)


def _build_rule(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if attrs.get("event_pattern"):
        extra["EventPattern"] = eventbridge.aws_style(attrs["event_pattern"])
    for key, name in (
        ("schedule_expression", "ScheduleExpression"),
        ("description", "Description"),
        ("role_arn", "RoleArn"),
    ):
        if attrs.get(key):
            extra[name] = attrs[key]
    tags = tag_list(tags_of(attrs))
    if tags:
        extra["Tags"] = tags
    state = attrs.get("state") or ("DISABLED" if attrs.get("is_enabled") is False else "ENABLED")
    ctx.client(eventbridge.SERVICE).put_rule(
        Name=attrs["name"],
        EventBusName=eventbridge.bus_name(attrs.get("event_bus_name")),
        State=state,
        **extra,
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="EventBridge rule",
    with_article="an EventBridge rule",
    sarif_name="EventBridgeRule",
    terraform=(
        TerraformType(
            "aws_cloudwatch_event_rule",
            id=("id", "name"),
            not_compared={
                "name_prefix": "Terraform-only",
                "is_enabled": "compared as state",
                "force_destroy": "Terraform-only",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=eventbridge.SERVICE,
    collect=collect,
    api_calls=(
        eventbridge.LIST_BUSES,
        eventbridge.LIST_RULES,
        ApiCall(eventbridge.operation("ListTagsForResource"), per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=eventbridge.canonical_rule_id,
    id_doc="rule name, or bus/name off the default bus",
    is_default=_is_default,
    builders={
        "aws_cloudwatch_event_bus": Builder(_build_bus),
        "aws_cloudwatch_event_rule": Builder(_build_rule, after=("aws_cloudwatch_event_bus",)),
    },
    # event_bus_name is part of the id: another bus is another rule. Unmanaged rules are not
    # deleted (their targets would have to go first).
    fixes=_FIXES,
)
