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
