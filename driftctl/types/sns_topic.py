"""SNS topics (``aws_sns_topic`` + ``aws_sns_topic_policy``): one paginated ListTopics per
region, then GetTopicAttributes per topic and ListTagsForResource per declared topic.

resource_id is the topic ARN. AWS has no batch call for topic attributes; every topic's are read,
declared or not, because an unmanaged topic whose policy is public (``Principal: *`` without a
condition) is critical. Tags are read for declared topics only.

AWS gives every topic a default policy (one ``__default_statement_ID`` statement allowing the
owner account, by an ``AWS:SourceOwner`` condition, the usual SNS actions); the provider writes
it into the state when IaC sets none. That default is "no policy" on both sides, whatever its
action list (AWS dropped ``SNS:Receive`` from it over the years; moto's lacks it too), so only a
policy someone wrote is compared, and a policy added to a topic that had the default is drift.
``EffectiveDeliveryPolicy`` (AWS's defaults merged into the delivery policy) is never compared:
only ``DeliveryPolicy``, the one IaC sets; an empty one and none are the same. AWS sends flags
as text (``"true"``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from driftctl import normalize
from driftctl.diff.conditions import became_public_unconditionally, grants_public_unconditionally
from driftctl.iac.instance import BadValue, StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import messaging
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "SNS_TOPIC"
# What SNS answers for a topic deleted between the listing and the read.
_GONE = frozenset({"NotFound", "NotFoundException"})
# Actions AWS's default topic policy has allowed (some of them, depending on the topic's age).
_DEFAULT_ACTIONS = frozenset(
    {
        "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes",
        "SNS:AddPermission",
        "SNS:RemovePermission",
        "SNS:DeleteTopic",
        "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic",
        "SNS:Publish",
        "SNS:Receive",
    }
)


def is_default_policy(document: Any) -> bool:
    """Whether a normalised topic policy is AWS's default one (owner account only)."""
    if not isinstance(document, Mapping):
        return False
    statements = document.get("Statement") or []
    if len(statements) != 1 or not isinstance(statements[0], Mapping):
        return False
    st = statements[0]
    condition = st.get("Condition")
    if not isinstance(condition, Mapping) or set(condition) != {"StringEquals"}:
        return False
    equals = condition["StringEquals"]
    actions = st.get("Action") or []
    return (
        st.get("Sid") == "__default_statement_ID"
        and st.get("Effect") == "Allow"
        and st.get("Principal") == {"AWS": ["*"]}
        and isinstance(equals, Mapping)
        and set(equals) == {"AWS:SourceOwner"}
        and bool(actions)
        and {str(a) for a in actions} <= _DEFAULT_ACTIONS
    )


def _state_policy(inst: StateInstance) -> Any:
    value = inst.get("policy")
    if value is None or value == SENSITIVE:
        return value
    if value == "":
        return dict(messaging.NO_DOCUMENT)
    try:
        document = normalize.policy(value)
    except (ValueError, TypeError, AttributeError):
        raise BadValue("a policy document is not valid JSON") from None
    return dict(messaging.NO_DOCUMENT) if is_default_policy(document) else document


def aws_policy(text: Any) -> Any:
    """A topic policy AWS sends as text, normalised; None for AWS's default (or none)."""
    if not text:
        return None
    try:
        document = normalize.policy(text)
    except (ValueError, TypeError, AttributeError):
        return str(text)
    return None if is_default_policy(document) else document


SCHEMA: dict[str, Attr] = {
    "policy": Attr(Kind.POLICY, read=_state_policy, doc="{} when AWS's default applies"),
    "display_name": Attr(),
    "kms_master_key_id": Attr(),
    "fifo_topic": Attr(type=bool),
    "content_based_deduplication": Attr(type=bool),
    "delivery_policy": Attr(
        Kind.DOCUMENT,
        read=lambda inst: messaging.state_document(inst, "delivery_policy"),
        doc="{} when there is none",
    ),
    "tags": Attr(Kind.TAGS),
}


def _topic_policy(inst: StateInstance) -> dict[str, Any]:
    return {"policy": _state_policy(inst)}


# -- reading AWS -------------------------------------------------------------------------------


def is_gone(exc: BaseException) -> bool:
    """Whether an SNS error says the topic or subscription no longer exists."""
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _GONE


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every topic of ``region``; tags of the declared ones. A failed listing propagates; a
    failed read of one topic leaves the region partial."""
    client = ctx.aws.client("sns", region)
    arns = [
        t["TopicArn"]
        for page in client.get_paginator("list_topics").paginate()
        for t in page.get("Topics", [])
        if t.get("TopicArn")
    ]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(arn: str) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            attrs = client.get_topic_attributes(TopicArn=arn).get("Attributes", {})
            tags = None
            if arn in managed:
                tags = client.list_tags_for_resource(ResourceArn=arn).get("Tags", [])
        except (BotoCoreError, ClientError) as exc:
            if is_gone(exc):
                return Detail()
            return failed((region,), f"topic {arn.rsplit(':', 1)[-1]}", exc)
        return Detail(resource=to_resource(arn, attrs, tags, region, ctx.account_id))

    return read_each(ctx, RESOURCE_TYPE, arns, read, noun="topics")


def to_resource(
    arn: str,
    attrs: Mapping[str, str],
    tags: Any,
    region: str,
    account_id: str | None,
) -> ActualResource:
    """One GetTopicAttributes answer (and the tags, when read) in the canonical SNS_TOPIC form."""
    attributes: dict[str, Any] = {
        "policy": aws_policy(attrs.get("Policy")),
        "display_name": attrs.get("DisplayName") or "",
        "kms_master_key_id": attrs.get("KmsMasterKeyId") or None,
        "fifo_topic": messaging.flag(attrs.get("FifoTopic")),
        "content_based_deduplication": messaging.flag(attrs.get("ContentBasedDeduplication")),
        # DeliveryPolicy only: EffectiveDeliveryPolicy adds AWS's defaults to it.
        "delivery_policy": messaging.aws_document(attrs.get("DeliveryPolicy")),
    }
    if tags is not None:
        attributes["tags"] = normalize.tags(tags)
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=arn,
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _risky(attributes: Mapping[str, Any]) -> bool:
    return grants_public_unconditionally(attributes.get("policy"))


# -- remediation -------------------------------------------------------------------------------

# The actions of AWS's default topic policy today, in its own order.
_DEFAULT_POLICY_ACTIONS = (
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
)


def default_policy(topic_arn: str) -> dict[str, Any]:
    """AWS's default policy of a topic: its owner account only (what "no policy" means)."""
    owner = topic_arn.split(":")[4] if topic_arn.count(":") >= 5 else ""
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(_DEFAULT_POLICY_ACTIONS),
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": owner}},
            }
        ],
    }


def _document_text(document: Any) -> str:
    return json.dumps(document, separators=(",", ":")) if document else ""


def _set(name: str, attribute: str, text: Callable[[FixQuery, Any], str], doc: str) -> Fix:
    # SetTopicAttributes takes one attribute per call.
    def call(query: FixQuery, expected: Any) -> Call:
        params = {
            "TopicArn": query.resource_id,
            "AttributeName": attribute,
            "AttributeValue": text(query, expected),
        }
        return Call("sns", "SetTopicAttributes", params)

    return scalar_fix(name, call, doc=f"{doc} (sns:SetTopicAttributes {attribute})")


def _policy_text(query: FixQuery, expected: Any) -> str:
    # SNS has no "no policy": the IaC's none is AWS's default one.
    return _document_text(expected or default_policy(query.resource_id))


_FIXES = (
    _set("policy", "Policy", _policy_text, "topic policy"),
    _set("display_name", "DisplayName", lambda _q, v: str(v or ""), "display name"),
    _set(
        "delivery_policy",
        "DeliveryPolicy",
        lambda _q, v: _document_text(v),
        "delivery policy",
    ),
    # "" turns server-side encryption off, as the IaC without a key says.
    _set(
        "kms_master_key_id",
        "KmsMasterKeyId",
        lambda _q, v: str(v or ""),
        "encryption key",
    ),
    tags_fix("sns", "TagResource", "UntagResource", lambda q: {"ResourceArn": q.resource_id}),
)


# -- building in an emulated account ---------------------------------------------------------


def _build_topic(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    settings: dict[str, str] = {}
    if attrs.get("display_name"):
        settings["DisplayName"] = attrs["display_name"]
    if attrs.get("kms_master_key_id"):
        settings["KmsMasterKeyId"] = attrs["kms_master_key_id"]
    if attrs.get("delivery_policy"):
        settings["DeliveryPolicy"] = messaging.resend(attrs["delivery_policy"])
    if attrs.get("fifo_topic"):
        settings["FifoTopic"] = "true"
        dedup = bool(attrs.get("content_based_deduplication"))
        settings["ContentBasedDeduplication"] = "true" if dedup else "false"
    text = attrs.get("policy")
    # AWS's default policy is what the topic gets anyway.
    if text and not is_default_policy(normalize.policy(text)):
        settings["Policy"] = messaging.resend(text)
    ctx.client("sns").create_topic(
        Name=attrs["name"], Attributes=settings, Tags=tag_list(tags_of(attrs))
    )


def _build_topic_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("sns").set_topic_attributes(
        TopicArn=attrs["arn"],
        AttributeName="Policy",
        AttributeValue=messaging.resend(attrs["policy"]),
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="SNS topic",
    with_article="an SNS topic",
    sarif_name="SNSTopic",
    terraform=(
        TerraformType(
            "aws_sns_topic",
            id=("arn", "id"),
            not_compared={
                "name_prefix": "Terraform-only",
                "archive_policy": "not compared yet",
                "signature_version": "not compared yet",
                "tracing_config": "not compared yet",
                "fifo_throughput_scope": "not compared yet",
                "*_feedback_role_arn": "not compared yet",
                "*_feedback_sample_rate": "not compared yet",
            },
        ),
        TerraformType(
            "aws_sns_topic_policy", id=("arn",), read=_topic_policy, parent=True, overrides=True
        ),
    ),
    scope=Scope.REGIONAL,
    service="sns",
    collect=collect,
    api_calls=(
        ApiCall("sns:ListTopics", per="region", page_size=100),
        ApiCall("sns:GetTopicAttributes", per="resource"),
        ApiCall("sns:ListTagsForResource", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    id_doc="topic ARN",
    rules=(
        Rule(
            "policy",
            became_public_unconditionally,
            doc="the topic policy grants Principal: * without a condition",
        ),
    ),
    risky=_risky,
    builders={
        "aws_sns_topic": Builder(_build_topic),
        "aws_sns_topic_policy": Builder(_build_topic_policy, after=("aws_sns_topic",)),
    },
    # fifo_topic is fixed at creation; content_based_deduplication is left to Terraform.
    fixes=_FIXES,
    delete=lambda q: [Call("sns", "DeleteTopic", {"TopicArn": q.resource_id})],
)
