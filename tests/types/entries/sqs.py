"""Conformance entry of SQS_QUEUE (fixture: sqs.tfstate)."""

from __future__ import annotations

import json
from typing import Any

from driftctl.types.sqs import set_attributes
from tests.types.entries._common import tag_mutation
from tests.types.entries._estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "SQS_QUEUE"

ORDERS = "aws_sqs_queue.orders"
DLQ = "aws_sqs_queue.orders_dlq"
EVENTS = "aws_sqs_queue.events"


def _url(account: Account, address: str) -> str:
    return str(account.attributes(address)["url"])


def _tag(account: Account, rid: str, key: str, value: str) -> None:
    account.client("sqs").tag_queue(QueueUrl=rid, Tags={key: value})


def _set(address: str, **attributes: str) -> Any:
    def apply(account: Account) -> None:
        set_attributes(account.client("sqs"), _url(account, address), dict(attributes))

    return apply


def _public(resource: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": resource}
            ],
        }
    )


def _make_public(account: Account) -> None:
    _set(ORDERS, Policy=_public(str(account.attributes(ORDERS)["arn"])))(account)


def _delete_events(account: Account) -> None:
    account.client("sqs").delete_queue(QueueUrl=_url(account, EVENTS))


def _public_queue(account: Account) -> str:
    sqs = account.client("sqs")
    url = sqs.create_queue(QueueName="drop-box")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    set_attributes(sqs, url, {"Policy": _public(arn)})
    return str(url)


def _plain_queue(account: Account) -> str:
    sqs = account.client("sqs")
    return str(sqs.create_queue(QueueName="scratch")["QueueUrl"])


ENTRY = Entry(
    fixture="sqs.tfstate",
    mutations=(
        tag_mutation(_tag, DLQ),
        Mutation(
            "visibility timeout changed",
            _set(ORDERS, VisibilityTimeout="120"),
            ORDERS,
            "visibility_timeout_seconds",
            "warning",
        ),
        Mutation(
            "messages kept for a day",
            _set(ORDERS, MessageRetentionPeriod="86400"),
            ORDERS,
            "message_retention_seconds",
            "warning",
        ),
        Mutation(
            "delivery delay dropped",
            _set(EVENTS, DelaySeconds="0"),
            EVENTS,
            "delay_seconds",
            "warning",
        ),
        Mutation(
            "message size limit lowered",
            _set(DLQ, MaximumMessageSize="1024"),
            DLQ,
            "max_message_size",
            "warning",
        ),
        Mutation(
            "long polling turned off",
            _set(ORDERS, ReceiveMessageWaitTimeSeconds="0"),
            ORDERS,
            "receive_wait_time_seconds",
            "warning",
        ),
        Mutation(
            "SSE-SQS turned off",
            _set(DLQ, SqsManagedSseEnabled="false"),
            DLQ,
            "sqs_managed_sse_enabled",
            "warning",
        ),
        Mutation(
            "redrive loosened",
            _set(
                ORDERS,
                RedrivePolicy=json.dumps(
                    {
                        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:orders-dlq",
                        "maxReceiveCount": "50",
                    }
                ),
            ),
            ORDERS,
            "redrive_policy",
            "warning",
        ),
        Mutation("policy made public", _make_public, ORDERS, "policy", "critical"),
        Mutation("deleted", _delete_events, EVENTS, "", "warning", "missing"),
        Mutation("public queue", _public_queue, None, "", "critical", "unmanaged"),
        Mutation("console queue", _plain_queue, None, "", "info", "unmanaged"),
    ),
    estate=copies("sqs.tfstate", lambda attrs: [attrs.get("name") or ""]),
)
