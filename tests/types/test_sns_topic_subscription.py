"""SNS_TOPIC_SUBSCRIPTION comparison traps the conformance test cannot reach."""

from __future__ import annotations

from driftctl.diff.compare import diff_attributes
from driftctl.types.sns_subscription import to_resource

ARN = "arn:aws:sns:eu-west-1:123456789012:jobs:3f6c1a52-8d0e-4b7a-9e21-5c4d7f0a1b93"
TYPE = "SNS_TOPIC_SUBSCRIPTION"


def _actual(**attrs: str) -> dict[str, object]:
    return to_resource(ARN, attrs, "eu-west-1", None, detailed=True).attributes


def test_booleans_come_back_as_strings() -> None:
    assert diff_attributes(TYPE, {"raw_message_delivery": False}, _actual()) == {}
    assert (
        diff_attributes(TYPE, {"raw_message_delivery": True}, _actual(RawMessageDelivery="true"))
        == {}
    )
    assert "raw_message_delivery" in diff_attributes(
        TYPE, {"raw_message_delivery": True}, _actual(RawMessageDelivery="false")
    )


def test_the_filter_scope_defaults_to_message_attributes() -> None:
    expected = {"filter_policy": {"kind": ["a"]}, "filter_policy_scope": "MessageAttributes"}
    assert diff_attributes(TYPE, expected, _actual(FilterPolicy='{"kind": ["a"]}')) == {}
    assert diff_attributes(TYPE, {"filter_policy_scope": ""}, _actual()) == {}


def test_no_filter_policy_on_either_side_is_no_drift() -> None:
    assert diff_attributes(TYPE, {"filter_policy": {}, "redrive_policy": {}}, _actual()) == {}
    assert diff_attributes(TYPE, {"filter_policy": {}}, _actual(FilterPolicy='{"k":["v"]}'))


def test_an_endpoint_password_is_never_kept() -> None:
    actual = to_resource(
        ARN,
        {"Endpoint": "https://hook:s3cret@example.com/in", "Protocol": "https"},
        "eu-west-1",
        None,
    ).attributes
    assert "s3cret" not in str(actual)
    assert diff_attributes(TYPE, {"endpoint": actual["endpoint"]}, actual) == {}
