"""CLOUDWATCH_LOG_GROUP comparison traps the conformance test cannot reach."""

from __future__ import annotations

from driftctl.diff.compare import diff_attributes
from driftctl.types.cloudwatch_log_group import group_name, to_resource

TYPE = "CLOUDWATCH_LOG_GROUP"


def _actual(**group: object) -> dict[str, object]:
    return to_resource({"logGroupName": "/app/x", **group}, None, "eu-west-1", None).attributes


def test_no_retention_is_never_expire() -> None:
    assert diff_attributes(TYPE, {"retention_in_days": 0}, _actual()) == {}
    assert diff_attributes(TYPE, {"retention_in_days": 0}, _actual(retentionInDays=30))


def test_an_unreported_class_is_standard_and_no_key_is_no_key() -> None:
    expected = {"log_group_class": "STANDARD", "kms_key_id": ""}
    assert diff_attributes(TYPE, expected, _actual()) == {}


def test_an_arn_names_the_group() -> None:
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn"
    assert group_name(arn) == "/aws/lambda/fn"
    assert group_name(arn + ":*") == "/aws/lambda/fn"
    assert group_name("/aws/lambda/fn") == "/aws/lambda/fn"
