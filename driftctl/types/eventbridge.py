"""What the two EventBridge types (``cloudwatch_event_rule``, ``cloudwatch_event_target``)
share: the event buses of a region and the rules of each bus, listed once per scan for both,
and the ids Terraform gives rules and targets.

A rule's id is its name on the default bus and ``bus/name`` elsewhere; a target's is
``rule-target_id`` on the default bus and ``bus-rule-target_id`` elsewhere (the AWS provider's
forms; a ``-`` can also appear inside the names, so a target id is matched against the rules
listed, never split).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from driftctl.scanner.base import ScanContext
from driftctl.types.spec import ApiCall

SERVICE = "events"
# How botocore names the service in API-call counts.
OPERATION_PREFIX = "eventbridge"
DEFAULT_BUS = "default"
# ListEventBuses and ListRules accept 1..100 per page.
PAGE = (1, 100)
# What EventBridge answers for a bus or rule deleted between the listing and the read.
NOT_FOUND = frozenset({"ResourceNotFoundException"})

T = TypeVar("T")
R = TypeVar("R")


def operation(name: str) -> str:
    """``ListRules`` as it appears in API-call counts."""
    return f"{OPERATION_PREFIX}:{name}"


# One page per region: a page holds 100 buses, and EventBridge's quota is 100 buses per region.
LIST_BUSES = ApiCall(operation("ListEventBuses"), per="region")
# One paginated ListRules per event bus (the parent of every rule). The declared minimum counts
# one page per bus: a bus holding more than 100 rules takes one more call per 100.
LIST_RULES = ApiCall(operation("ListRules"), per="parent", parent="event_bus_name")


def rule_id(bus: str, name: str) -> str:
    """A rule's id as Terraform forms it: ``name`` on the default bus, else ``bus/name``."""
    return name if bus in ("", DEFAULT_BUS) else f"{bus}/{name}"


def target_id(bus: str, rule: str, target: str) -> str:
    """A target's id as Terraform forms it: ``rule-target`` (default bus) or ``bus-rule-target``."""
    return f"{rule}-{target}" if bus in ("", DEFAULT_BUS) else f"{bus}-{rule}-{target}"


def bus_name(value: Any) -> str:
    """An event bus name from a name or an event bus ARN; empty means the default bus."""
    text = str(value or "")
    if text.startswith("arn:") and ":event-bus/" in text:
        text = text.split(":event-bus/", 1)[1]
    return text or DEFAULT_BUS


def canonical_rule_id(value: str) -> str:
    """A rule id from a Terraform id, a rule ARN (``…:rule/bus/name``) or ``default/name``."""
    if value.startswith("arn:"):
        resource = value.split(":", 5)[-1]
        if resource.startswith("rule/"):
            return resource.removeprefix("rule/")
        if resource.startswith("event-bus/"):
            value = resource.removeprefix("event-bus/")
    return value.removeprefix(f"{DEFAULT_BUS}/")


def canonical_target_id(value: str) -> str:
    """A target id; one that starts with an event bus ARN names the bus by its name."""
    if value.startswith("arn:") and ":event-bus/" in value:
        return value.split(":event-bus/", 1)[1]
    return value


def code(exc: BaseException) -> str:
    """The AWS error code of an exception ("" for other failures)."""
    from botocore.exceptions import ClientError

    return (
        str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, ClientError) else ""
    )


def client(ctx: ScanContext, region: str) -> Any:
    """The EventBridge client of ``region``."""
    return ctx.aws.client(SERVICE, region)


def buses(ctx: ScanContext, region: str) -> list[str]:
    """The names of every event bus of ``region`` (the default one included), once per scan."""

    def load() -> list[str]:
        events = client(ctx, region)
        names: list[str] = []
        token: str | None = None
        while True:
            extra = {"NextToken": token} if token else {}
            page = events.list_event_buses(Limit=ctx.page_size_for(*PAGE), **extra)
            names.extend(str(b["Name"]) for b in page.get("EventBuses", []) if b.get("Name"))
            token = page.get("NextToken")
            if not token:
                return names

    return ctx.shared(f"events:buses:{region}", load)


def rules(ctx: ScanContext, region: str) -> list[dict[str, Any]]:
    """Every rule of every event bus of ``region``, once per scan. Listing errors propagate."""

    def load() -> list[dict[str, Any]]:
        events = client(ctx, region)

        def of_bus(bus: str) -> list[dict[str, Any]]:
            from botocore.exceptions import ClientError

            pages = events.get_paginator("list_rules").paginate(
                EventBusName=bus, PaginationConfig={"PageSize": ctx.page_size_for(*PAGE)}
            )
            try:
                return [
                    {**rule, "EventBusName": rule.get("EventBusName") or bus}
                    for page in pages
                    for rule in page.get("Rules", [])
                    if rule.get("Name")
                ]
            except ClientError as exc:
                if code(exc) in NOT_FOUND:
                    return []  # the bus was deleted after the listing
                raise

        return [rule for group in concurrently(ctx, buses(ctx, region), of_bus) for rule in group]

    return ctx.shared(f"events:rules:{region}", load)


def concurrently(ctx: ScanContext, items: Sequence[T], fn: Callable[[T], R]) -> list[R]:
    """``fn`` over ``items`` on the detail threads; the first exception propagates."""
    if not items:
        return []
    workers = min(ctx.detail_workers, len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="driftctl-events") as pool:
        return list(pool.map(fn, items))


def aws_style(text: str) -> str:
    """A JSON document as AWS may hand it back: indented, keys in another order."""

    def reorder(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reorder(value[k]) for k in sorted(value, reverse=True)}
        if isinstance(value, list):
            return [reorder(v) for v in value]
        return value

    return json.dumps(reorder(json.loads(text)), indent=2)
