"""CLOUDWATCH_EVENT_RULE traps the conformance test does not reach: states written by older
providers (``is_enabled`` only), event patterns in another key order, the ids rules go by."""

from __future__ import annotations

import json
from typing import Any

import pytest

from driftctl.diff.compare import diff_attributes
from driftctl.iac.instance import StateInstance, read_schema
from driftctl.types import cloudwatch_event_rule as rule
from driftctl.types import eventbridge


def _state(**attrs: Any) -> dict[str, Any]:
    return read_schema(StateInstance({"attributes": attrs}, "test"), rule.SCHEMA)


@pytest.mark.parametrize(
    ("attrs", "state"),
    [
        ({"is_enabled": False}, "DISABLED"),
        ({"is_enabled": True, "state": ""}, "ENABLED"),
        (
            {"is_enabled": True, "state": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"},
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
        ),
    ],
)
def test_state_comes_from_is_enabled_in_older_providers(attrs: dict[str, Any], state: str) -> None:
    assert _state(**attrs)["state"] == state


def test_an_event_pattern_in_another_key_order_is_the_same() -> None:
    pattern = {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
    state = _state(event_pattern=json.dumps(pattern, separators=(",", ":")), event_bus_name="")
    aws = {"event_pattern": eventbridge.aws_style(json.dumps(pattern)), "event_bus_name": "default"}
    assert diff_attributes("CLOUDWATCH_EVENT_RULE", state, aws) == {}


@pytest.mark.parametrize(
    ("value", "ident"),
    [
        ("nightly", "nightly"),
        ("default/nightly", "nightly"),
        ("arn:aws:events:us-east-1:123456789012:rule/nightly", "nightly"),
        ("arn:aws:events:us-east-1:123456789012:rule/orders/big", "orders/big"),
        ("arn:aws:events:us-east-1:123456789012:event-bus/orders/big", "orders/big"),
    ],
)
def test_a_rule_is_known_by_its_name_its_bus_and_name_or_its_arn(value: str, ident: str) -> None:
    assert eventbridge.canonical_rule_id(value) == ident


def test_a_denied_listing_leaves_only_eventbridge_of_that_region_unread() -> None:
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws

    from driftctl.scanner.runner import ScanPlan, scan_actual

    def deny(context: dict[str, Any], **_: Any) -> None:
        if context.get("client_region") == "eu-west-1":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListRules")

    def factory() -> boto3.session.Session:
        session = boto3.session.Session(region_name="us-east-1")
        session.events.register("before-call.events.ListRules", deny)
        return session

    with mock_aws():
        for region in ("us-east-1", "eu-west-1"):
            boto3.client("events", region_name=region).put_rule(
                Name="nightly", ScheduleExpression="rate(1 day)"
            )
        scan = scan_actual(
            ScanPlan(
                resource_types=["CLOUDWATCH_EVENT_RULE", "CLOUDWATCH_EVENT_TARGET", "KMS_ALIAS"],
                regions=["us-east-1", "eu-west-1"],
                session_factory=factory,
                expected_ids={"CLOUDWATCH_EVENT_RULE": frozenset({"nightly"})},
            )
        )
    assert sorted((e.resource_type, e.region, e.code) for e in scan.errors) == [
        ("CLOUDWATCH_EVENT_RULE", "eu-west-1", "AccessDenied"),
        ("CLOUDWATCH_EVENT_TARGET", "eu-west-1", "AccessDenied"),
    ]
    assert {("CLOUDWATCH_EVENT_RULE", "us-east-1"), ("KMS_ALIAS", "eu-west-1")} <= scan.read_ok
    assert [
        (r.resource_id, r.region) for r in scan.resources if r.resource_type != "KMS_ALIAS"
    ] == [("nightly", "us-east-1")]


def test_a_cloudtrail_state_goes_back_with_the_whole_rule_on_its_bus() -> None:
    from driftctl.remediation.plan import plan_drift

    expected = {
        "event_pattern": {"source": ["aws.s3"]},
        "state": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
        "description": "Buckets",
    }
    plan = plan_drift(
        resource_type="CLOUDWATCH_EVENT_RULE",
        resource_id="aws.partner/acme/orders/watch",
        region="us-east-1",
        account_id="123456789012",
        drift_type="modified",
        difference={
            "state": {"change": "changed", "expected": expected["state"], "actual": "ENABLED"}
        },
        expected=expected,
        actual={**expected, "state": "ENABLED"},
    )
    [call] = plan.calls
    assert call.operation == "PutRule"
    assert call.params == {
        "Name": "watch",
        "EventBusName": "aws.partner/acme/orders",
        "EventPattern": '{"source":["aws.s3"]}',
        "State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
        "Description": "Buckets",
    }


def test_a_masked_part_of_the_rule_leaves_it_to_terraform() -> None:
    from driftctl.remediation.plan import plan_drift
    from driftctl.resources import SENSITIVE

    plan = plan_drift(
        resource_type="CLOUDWATCH_EVENT_RULE",
        resource_id="nightly",
        region="us-east-1",
        account_id="123456789012",
        drift_type="modified",
        difference={"schedule_expression": {"change": "changed", "expected": "rate(1 day)"}},
        expected={"schedule_expression": "rate(1 day)", "description": SENSITIVE},
        actual={"schedule_expression": "rate(5 minutes)"},
    )
    assert not plan.ready
    assert "masked" in plan.not_revertible["schedule_expression"]
