"""Conformance entry of SNS_TOPIC (fixture: sns_topic.tfstate)."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.types.entries._common import tag_mutation
from tests.types.entries._estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "SNS_TOPIC"

ORDER_EVENTS = "aws_sns_topic.order_events"
ALERTS = "aws_sns_topic.alerts"
AUDIT = "aws_sns_topic.audit"


def _tag(account: Account, rid: str, key: str, value: str) -> None:
    account.client("sns").tag_resource(ResourceArn=rid, Tags=[{"Key": key, "Value": value}])


def _set(address: str, name: str, value: str) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("sns").set_topic_attributes(
            TopicArn=account.ids[address], AttributeName=name, AttributeValue=value
        )

    return apply


def _public(arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "SNS:Publish",
                    "Resource": arn,
                }
            ],
        }
    )


def _make_public(account: Account) -> None:
    _set(ORDER_EVENTS, "Policy", _public(account.ids[ORDER_EVENTS]))(account)


def _delete_audit(account: Account) -> None:
    account.client("sns").delete_topic(TopicArn=account.ids[AUDIT])


def _public_topic(account: Account) -> str:
    sns = account.client("sns")
    arn = str(sns.create_topic(Name="open-door")["TopicArn"])
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=_public(arn))
    return arn


def _console_topic(account: Account) -> str:
    # Created with AWS's default policy: Principal AWS:* limited to the owner by a condition.
    return str(account.client("sns").create_topic(Name="console-made")["TopicArn"])


_SLOWER = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 10}}})

ENTRY = Entry(
    fixture="sns_topic.tfstate",
    mutations=(
        tag_mutation(_tag, ALERTS),
        Mutation(
            "display name changed",
            _set(ORDER_EVENTS, "DisplayName", "Orders!"),
            ORDER_EVENTS,
            "display_name",
            "warning",
        ),
        Mutation(
            "delivery policy changed",
            _set(ORDER_EVENTS, "DeliveryPolicy", _SLOWER),
            ORDER_EVENTS,
            "delivery_policy",
            "warning",
        ),
        Mutation("policy made public", _make_public, ORDER_EVENTS, "policy", "critical"),
        Mutation(
            "encryption removed",
            _set(ALERTS, "KmsMasterKeyId", ""),
            ALERTS,
            "kms_master_key_id",
            "warning",
        ),
        Mutation("deleted", _delete_audit, AUDIT, "", "warning", "missing"),
        Mutation("public topic", _public_topic, None, "", "critical", "unmanaged"),
        Mutation("console topic", _console_topic, None, "", "info", "unmanaged"),
    ),
    estate=copies("sns_topic.tfstate", lambda attrs: [attrs.get("name") or ""]),
)
