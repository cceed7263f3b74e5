"""SQS_QUEUE comparison traps the conformance test cannot reach."""

from __future__ import annotations

import json
from typing import Any

from driftctl.diff.compare import diff_attributes
from driftctl.diff.conditions import grants_public_unconditionally as public_without_condition
from driftctl.remediation.plan import plan_drift
from driftctl.types.sqs import queue_url, to_resource

ARN = "arn:aws:sqs:eu-west-1:123456789012:jobs"
URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"


def _actual(**attrs: str) -> dict[str, object]:
    return to_resource(URL, attrs, None, "eu-west-1", "123456789012").attributes


def test_numbers_and_flags_come_back_as_text() -> None:
    actual = _actual(VisibilityTimeout="30", DelaySeconds="0", FifoQueue="true")
    assert actual["visibility_timeout_seconds"] == 30
    assert actual["delay_seconds"] == 0
    assert actual["fifo_queue"] is True
    assert actual["content_based_deduplication"] is False


def test_max_receive_count_as_text_is_the_same_redrive_policy() -> None:
    expected = {"redrive_policy": {"deadLetterTargetArn": ARN, "maxReceiveCount": 5}}
    actual = _actual(RedrivePolicy=f'{{"deadLetterTargetArn":"{ARN}","maxReceiveCount":"5"}}')
    assert diff_attributes("SQS_QUEUE", expected, actual) == {}


def test_sse_sqs_on_by_default_is_not_drift_but_turning_it_off_is() -> None:
    assert (
        diff_attributes(
            "SQS_QUEUE", {"sqs_managed_sse_enabled": False}, _actual(SqsManagedSseEnabled="true")
        )
        == {}
    )
    assert "sqs_managed_sse_enabled" in diff_attributes(
        "SQS_QUEUE", {"sqs_managed_sse_enabled": True}, _actual(SqsManagedSseEnabled="false")
    )


def test_a_kms_key_means_sse_sqs_is_off() -> None:
    actual = _actual(SqsManagedSseEnabled="true", KmsMasterKeyId="alias/aws/sqs")
    assert actual["sqs_managed_sse_enabled"] is False


def test_no_policy_on_either_side_is_no_drift_and_a_new_one_is() -> None:
    assert diff_attributes("SQS_QUEUE", {"policy": {}}, _actual()) == {}
    public = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*"}]}'
    assert (
        diff_attributes("SQS_QUEUE", {"policy": {}}, _actual(Policy=public))["policy"]["change"]
        == "added"
    )


def test_a_condition_keeps_principal_star_from_being_public() -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage"}
    assert public_without_condition({"Statement": [statement]})
    conditioned = {**statement, "Condition": {"ArnEquals": {"aws:SourceArn": ARN}}}
    assert not public_without_condition({"Statement": [conditioned]})


def test_every_form_names_the_queue_by_its_current_url() -> None:
    assert queue_url(URL) == URL
    assert queue_url(ARN) == URL
    assert queue_url("https://eu-west-1.queue.amazonaws.com/123456789012/jobs") == URL
    assert queue_url("https://queue.amazonaws.com/123456789012/jobs") == (
        "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    )
    cn = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs"
    assert queue_url("arn:aws-cn:sqs:cn-north-1:123456789012:jobs") == cn
    assert queue_url("http://localhost:4566/000000000000/jobs") == (
        "http://localhost:4566/000000000000/jobs"
    )


def _plan(difference: dict[str, Any], expected: dict[str, Any], actual: dict[str, Any]) -> Any:
    return plan_drift(
        resource_type="SQS_QUEUE",
        resource_id=URL,
        region="us-east-1",
        account_id="123456789012",
        drift_type="modified",
        difference=difference,
        expected=expected,
        actual=actual,
    )


def test_a_reverted_attribute_sends_the_queue_policy_it_keeps() -> None:
    kept = {"Statement": [{"Effect": "Allow", "Principal": {"Service": ["sns.amazonaws.com"]}}]}
    entry = {"change": "changed", "expected": 30, "actual": 120}
    plan = _plan(
        {"visibility_timeout_seconds": entry},
        {"visibility_timeout_seconds": 30, "policy": kept},
        {"visibility_timeout_seconds": 120, "policy": kept},
    )
    [call] = plan.calls
    assert call.params["Attributes"] == {
        "VisibilityTimeout": "30",
        "Policy": json.dumps(kept, separators=(",", ":")),
    }


def test_a_policy_the_iac_says_is_none_is_removed() -> None:
    public = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["sqs:*"]}]}
    plan = _plan(
        {"policy": {"change": "added", "expected": None, "actual": public}},
        {"policy": {}},
        {"policy": public},
    )
    [call] = plan.calls
    assert call.params["Attributes"] == {"Policy": ""}
