"""Conformance entry of SNS_TOPIC_SUBSCRIPTION (fixture: sns_topic_subscription.tfstate).

Subscriptions have no tags: there is no tag mutation.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.types.entries._estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "SNS_TOPIC_SUBSCRIPTION"

WORKER = "aws_sns_topic_subscription.worker"
AUDIT = "aws_sns_topic_subscription.audit"
TOPIC = "arn:aws:sns:us-east-1:123456789012:shipments"


def _set(address: str, name: str, value: str) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("sns").set_subscription_attributes(
            SubscriptionArn=account.ids[address], AttributeName=name, AttributeValue=value
        )

    return apply


def _unsubscribe(account: Account) -> None:
    account.client("sns").unsubscribe(SubscriptionArn=account.ids[AUDIT])


def _extra_subscription(account: Account) -> str:
    sqs = account.client("sqs")
    url = sqs.create_queue(QueueName="eavesdropper")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    found = account.client("sns").subscribe(
        TopicArn=TOPIC, Protocol="sqs", Endpoint=queue["QueueArn"], ReturnSubscriptionArn=True
    )
    return str(found["SubscriptionArn"])


_EVERYTHING = json.dumps({"event_type": [{"exists": True}]})
_DEAD_LETTERS = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:elsewhere"})

ENTRY = Entry(
    fixture="sns_topic_subscription.tfstate",
    mutations=(
        Mutation(
            "filter widened",
            _set(WORKER, "FilterPolicy", _EVERYTHING),
            WORKER,
            "filter_policy",
            "warning",
        ),
        Mutation(
            "raw delivery turned off",
            _set(WORKER, "RawMessageDelivery", "false"),
            WORKER,
            "raw_message_delivery",
            "warning",
        ),
        Mutation(
            "filter scope changed",
            _set(WORKER, "FilterPolicyScope", "MessageBody"),
            WORKER,
            "filter_policy_scope",
            "warning",
        ),
        Mutation(
            "raw delivery turned on",
            _set(AUDIT, "RawMessageDelivery", "true"),
            AUDIT,
            "raw_message_delivery",
            "warning",
        ),
        Mutation(
            "dead-letter queue added",
            _set(AUDIT, "RedrivePolicy", _DEAD_LETTERS),
            AUDIT,
            "redrive_policy",
            "warning",
        ),
        Mutation(
            "filter added",
            _set(AUDIT, "FilterPolicy", _EVERYTHING),
            AUDIT,
            "filter_policy",
            "warning",
        ),
        Mutation("unsubscribed", _unsubscribe, AUDIT, "", "warning", "missing"),
        Mutation("subscribed behind IaC", _extra_subscription, None, "", "info", "unmanaged"),
    ),
    estate=copies("sns_topic_subscription.tfstate", lambda attrs: [attrs.get("name") or ""]),
)
