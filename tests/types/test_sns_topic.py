"""SNS_TOPIC comparison traps the conformance test cannot reach."""

from __future__ import annotations

import json
from typing import Any

from driftctl.diff.compare import diff_attributes
from driftctl.normalize import policy as normalize_policy
from driftctl.remediation.plan import plan_drift
from driftctl.types.sns_topic import aws_policy, default_policy, is_default_policy, to_resource

ARN = "arn:aws:sns:eu-west-1:123456789012:jobs"


def _default(*actions: str, extra: list[dict[str, Any]] | None = None) -> str:
    statement = {
        "Sid": "__default_statement_ID",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": list(actions),
        "Resource": ARN,
        "Condition": {"StringEquals": {"AWS:SourceOwner": "123456789012"}},
    }
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [statement, *(extra or [])],
        }
    )


def test_the_default_policy_is_no_policy_whatever_its_actions() -> None:
    assert aws_policy(_default("SNS:Publish", "SNS:Subscribe")) is None
    assert aws_policy(_default("SNS:Publish", "SNS:Receive")) is None
    assert aws_policy("") is None


def test_a_default_policy_with_more_statements_is_compared() -> None:
    public = {"Effect": "Allow", "Principal": "*", "Action": "SNS:Publish", "Resource": ARN}
    assert aws_policy(_default("SNS:Publish", extra=[public])) is not None
    wider = json.loads(_default("SNS:Publish", "sns:*"))
    assert aws_policy(json.dumps(wider)) is not None


def test_effective_delivery_policy_is_not_drift() -> None:
    actual = to_resource(
        ARN,
        {"DeliveryPolicy": "", "EffectiveDeliveryPolicy": '{"http":{"numRetries":3}}'},
        None,
        "eu-west-1",
        "123456789012",
    ).attributes
    assert diff_attributes("SNS_TOPIC", {"delivery_policy": {}}, actual) == {}


def test_flags_come_back_as_text() -> None:
    actual = to_resource(
        ARN, {"FifoTopic": "true", "ContentBasedDeduplication": "false"}, None, "eu-west-1", None
    ).attributes
    assert (
        diff_attributes(
            "SNS_TOPIC", {"fifo_topic": True, "content_based_deduplication": False}, actual
        )
        == {}
    )


def test_the_default_policy_a_revert_puts_back_reads_as_no_policy() -> None:
    document = default_policy(ARN)
    assert is_default_policy(normalize_policy(json.dumps(document)))
    assert aws_policy(json.dumps(document)) is None
    public = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}}]}
    plan = plan_drift(
        resource_type="SNS_TOPIC",
        resource_id=ARN,
        region="eu-west-1",
        account_id="123456789012",
        drift_type="modified",
        difference={"policy": {"change": "added", "expected": None, "actual": public}},
        expected={"policy": {}},
        actual={"policy": public},
    )
    [call] = plan.calls
    assert call.params["AttributeName"] == "Policy"
    assert json.loads(call.params["AttributeValue"]) == document
