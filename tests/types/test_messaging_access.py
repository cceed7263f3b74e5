"""A scan denied one call of SQS, SNS or CloudWatch Logs is partial for that type and region."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from driftctl.scanner.runner import ScanPlan, scan_actual

REGIONS = ["us-east-1", "eu-west-1"]

DENIED = {
    "SQS_QUEUE": "before-call.sqs.GetQueueAttributes",
    "SNS_TOPIC": "before-call.sns.GetTopicAttributes",
    "SNS_TOPIC_SUBSCRIPTION": "before-call.sns.ListSubscriptions",
    "CLOUDWATCH_LOG_GROUP": "before-call.cloudwatch-logs.DescribeLogGroups",
}


def _estate(region: str) -> None:
    sqs = boto3.client("sqs", region_name=region)
    queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns = boto3.client("sns", region_name=region)
    topic = sns.create_topic(Name="events")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    boto3.client("logs", region_name=region).create_log_group(logGroupName="/app/jobs")


@pytest.mark.parametrize("resource_type", sorted(DENIED))
def test_access_denied_leaves_one_type_and_region_unread(resource_type: str) -> None:
    def deny(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "Read")

    def factory() -> boto3.session.Session:
        session = boto3.session.Session(region_name="us-east-1")
        session.events.register(DENIED[resource_type], _only_in("us-east-1", deny))
        return session

    with mock_aws():
        for region in REGIONS:
            _estate(region)
        scan = scan_actual(
            ScanPlan(resource_types=sorted(DENIED), regions=REGIONS, session_factory=factory)
        )
    assert [(e.resource_type, e.region, e.code) for e in scan.errors] == [
        (resource_type, "us-east-1", "AccessDenied")
    ]
    expected_ok = {(t, r) for t in DENIED for r in REGIONS} - {(resource_type, "us-east-1")}
    assert scan.read_ok == expected_ok
    assert {(r.resource_type, r.region) for r in scan.resources} >= {(t, r) for t, r in expected_ok}


def _only_in(region: str, hook: Any) -> Any:
    # A session's hooks fire for the clients of every region: this one only for ``region``.
    def handler(**kwargs: Any) -> None:
        if kwargs["context"].get("client_region") == region:
            hook(**kwargs)

    return handler
