"""Conformance entry of CLOUDWATCH_EVENT_RULE (fixture: cloudwatch_event_rule.tfstate)."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.harness import FIXTURES, Account, Entry, Mutation

RESOURCE_TYPE = "CLOUDWATCH_EVENT_RULE"
FIXTURE = "cloudwatch_event_rule.tfstate"

NIGHTLY = "aws_cloudwatch_event_rule.nightly"
EC2_STATE = "module.ops.aws_cloudwatch_event_rule.ec2_state"
ORDERS = "aws_cloudwatch_event_rule.order_placed"


def split(rule_id: str) -> tuple[str, str]:
    """(bus, name) of a rule id (``name`` or ``bus/name``)."""
    bus, _, name = rule_id.rpartition("/")
    return bus or "default", name


def _tag(account: Account, rule_id: str, key: str, value: str) -> None:
    events = account.client("events")
    bus, name = split(rule_id)
    arn = events.describe_rule(Name=name, EventBusName=bus)["Arn"]
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": key, "Value": value}])


def _put(address: str, **changes: str) -> Any:
    """Rewrite a rule with some settings changed (PutRule replaces every setting)."""

    def apply(account: Account) -> None:
        events = account.client("events")
        bus, name = split(account.ids[address])
        rule = events.describe_rule(Name=name, EventBusName=bus)
        keep = ("EventPattern", "ScheduleExpression", "State", "Description", "RoleArn")
        settings = {k: rule[k] for k in keep if rule.get(k)}
        events.put_rule(Name=name, EventBusName=bus, **{**settings, **changes})

    return apply


def _disable(account: Account) -> None:
    bus, name = split(account.ids[ORDERS])
    account.client("events").disable_rule(Name=name, EventBusName=bus)


def _delete(account: Account) -> None:
    account.client("events").delete_rule(Name=split(account.ids[NIGHTLY])[1])


def _console_rule(account: Account) -> str:
    account.client("events").put_rule(
        Name="made-by-hand", EventPattern=json.dumps({"source": ["aws.s3"]})
    )
    return "made-by-hand"


def _aws_owned(account: Account) -> list[str]:
    # An archive makes EventBridge create a rule of its own (ManagedBy set) on the bus.
    events = account.client("events")
    bus = events.describe_event_bus(Name="default")["Arn"]
    events.create_archive(ArchiveName="replays", EventSourceArn=bus)
    return ["Events-Archive-replays"]


def estate(n: int) -> dict[str, Any]:
    """The fixture's event bus once, and its rules ``n`` times over with unique names."""
    doc = json.loads((FIXTURES / FIXTURE).read_text(encoding="utf-8"))
    others = [r for r in doc["resources"] if r["type"] != "aws_cloudwatch_event_rule"]
    rules: list[dict[str, Any]] = []
    for copy_no in range(n):
        for resource in doc["resources"]:
            if resource["type"] != "aws_cloudwatch_event_rule":
                continue
            twin = copy.deepcopy(resource)
            twin["name"] = f"{resource['name']}_{copy_no}"
            attrs = twin["instances"][0]["attributes"]
            old, new = attrs["name"], f"{attrs['name']}-{copy_no}"
            attrs.update(
                name=new,
                id=attrs["id"].replace(old, new),
                arn=attrs["arn"].replace(old, new),
                tags={**(attrs["tags"] or {}), "Name": new},
                tags_all={**attrs["tags_all"], "Name": new},
            )
            rules.append(twin)
    return {**doc, "resources": others + rules}


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, ORDERS),
        Mutation(
            "schedule changed",
            _put(NIGHTLY, ScheduleExpression="rate(5 minutes)"),
            NIGHTLY,
            "schedule_expression",
            "warning",
        ),
        Mutation(
            "pattern widened",
            _put(EC2_STATE, EventPattern=json.dumps({"source": ["aws.ec2"]})),
            EC2_STATE,
            "event_pattern",
            "warning",
        ),
        Mutation(
            "role changed",
            _put(EC2_STATE, RoleArn="arn:aws:iam::123456789012:role/someone-else"),
            EC2_STATE,
            "role_arn",
            "warning",
        ),
        Mutation(
            "description changed",
            _put(ORDERS, Description="Every order"),
            ORDERS,
            "description",
            "warning",
        ),
        Mutation("disabled", _disable, ORDERS, "state", "warning"),
        Mutation("deleted", _delete, NIGHTLY, "", "warning", "missing"),
        Mutation("made by hand", _console_rule, None, "", "info", "unmanaged"),
    ),
    aws_owned=_aws_owned,
    estate=estate,
)
