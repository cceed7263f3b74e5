"""Conformance entry of CLOUDWATCH_EVENT_TARGET (fixture: cloudwatch_event_target.tfstate).
Targets have no tags."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.types.harness import FIXTURES, Account, Entry, Mutation

RESOURCE_TYPE = "CLOUDWATCH_EVENT_TARGET"
FIXTURE = "cloudwatch_event_target.tfstate"

NIGHTLY = "aws_cloudwatch_event_target.nightly_lambda"
EC2_SNS = "module.ops.aws_cloudwatch_event_target.ec2_sns"
ORDERS = "aws_cloudwatch_event_target.order_queue"


def _where(account: Account, address: str) -> tuple[str, str, str]:
    attrs = account.attributes(address)
    return attrs["event_bus_name"], attrs["rule"], attrs["target_id"]


def _change(address: str, **changes: Any) -> Any:
    """Rewrite a target with some settings changed (PutTargets replaces the whole target)."""

    def apply(account: Account) -> None:
        events = account.client("events")
        bus, rule, target_id = _where(account, address)
        [target] = [
            t
            for t in events.list_targets_by_rule(Rule=rule, EventBusName=bus)["Targets"]
            if t["Id"] == target_id
        ]
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[{**target, **changes}])

    return apply


def _remove(account: Account) -> None:
    bus, rule, target_id = _where(account, ORDERS)
    account.client("events").remove_targets(Rule=rule, EventBusName=bus, Ids=[target_id])


def _console_target(account: Account) -> str:
    bus, rule, _ = _where(account, NIGHTLY)
    account.client("events").put_targets(
        Rule=rule,
        EventBusName=bus,
        Targets=[{"Id": "copy", "Arn": "arn:aws:sqs:us-east-1:210987654321:elsewhere"}],
    )
    return f"{rule}-copy"


def estate(n: int) -> dict[str, Any]:
    """The fixture's bus and rules once, and its targets ``n`` times over with unique ids."""
    doc = json.loads((FIXTURES / FIXTURE).read_text(encoding="utf-8"))
    others = [r for r in doc["resources"] if r["type"] != "aws_cloudwatch_event_target"]
    targets: list[dict[str, Any]] = []
    for copy_no in range(n):
        for resource in doc["resources"]:
            if resource["type"] != "aws_cloudwatch_event_target":
                continue
            twin = copy.deepcopy(resource)
            twin["name"] = f"{resource['name']}_{copy_no}"
            attrs = twin["instances"][0]["attributes"]
            old, new = attrs["target_id"], f"{attrs['target_id']}-{copy_no}"
            attrs.update(target_id=new, id=attrs["id"].removesuffix(old) + new)
            targets.append(twin)
    return {**doc, "resources": others + targets}


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation(
            "sent somewhere else",
            _change(ORDERS, Arn="arn:aws:sqs:us-east-1:210987654321:someone-elses-queue"),
            ORDERS,
            "arn",
            "warning",
        ),
        Mutation(
            "input changed",
            _change(NIGHTLY, Input=json.dumps({"report": "nightly", "format": "csv"})),
            NIGHTLY,
            "input",
            "warning",
        ),
        Mutation(
            "fewer retries",
            _change(NIGHTLY, RetryPolicy={"MaximumRetryAttempts": 0}),
            NIGHTLY,
            "retry_policy.maximum_retry_attempts",
            "warning",
        ),
        Mutation(
            "another message",
            _change(
                EC2_SNS,
                InputTransformer={
                    "InputPathsMap": {"instance": "$.detail.instance-id"},
                    "InputTemplate": '"<instance> changed"',
                },
            ),
            EC2_SNS,
            "input_transformer.input_template",
            "warning",
        ),
        Mutation("removed", _remove, ORDERS, "", "warning", "missing"),
        Mutation("added by hand", _console_target, None, "", "info", "unmanaged"),
    ),
    estate=estate,
)
