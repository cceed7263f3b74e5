"""SQS queues (``aws_sqs_queue`` + ``aws_sqs_queue_policy``, ``aws_sqs_queue_redrive_policy``):
one paginated ListQueues per region, then GetQueueAttributes(All) per queue and ListQueueTags
per declared queue.

resource_id is the queue URL, as Terraform and the Go driftctl name a queue (its ARN, or a URL of
AWS's legacy form, names the same queue). AWS has no batch call for queue attributes; the policy
of every queue is read, declared or not, because an unmanaged queue whose policy is public
(``Principal: *`` without a condition) is critical. Tags are read for declared queues only.

AWS sends every attribute as text (``"30"``, ``"true"``): read as numbers and flags. A queue
without a policy or redrive policy reports none, and the state records ``""``: both mean "none"
and compare equal, so a policy added behind Terraform's back is still drift. SSE-SQS has been
on by default for new queues since late 2022, so a state that says ``false`` (written before the
provider learned that) against AWS's ``true`` is not drift; the reverse is. ``maxReceiveCount``
compares as a number whether the state or AWS spell it as text.

moto reports ``SqsManagedSseEnabled: true`` together with a KMS key; AWS never does (the two
are exclusive), so a queue with a KMS key reads as SSE-SQS off. moto's SetQueueAttributes
drops the queue's policy unless the call sends it again (AWS keeps it): the builders send it
again (``set_attributes``); the scan itself only reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from driftctl import normalize
from driftctl.diff.conditions import became_public_unconditionally, grants_public_unconditionally
from driftctl.iac.instance import StateInstance, policy
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import messaging
from driftctl.types.build import BuildContext, Builder, tags_of
from driftctl.types.fixes import expected_value, tags_fix
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

RESOURCE_TYPE = "SQS_QUEUE"
# What SQS answers for a queue deleted between the listing and the read.
_GONE = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"})
# ListQueues accepts 1..1000 per page.
_LIST_PAGE = (1, 1000)
# Terraform attribute -> SQS attribute, for the numbers.
NUMBERS = {
    "visibility_timeout_seconds": "VisibilityTimeout",
    "message_retention_seconds": "MessageRetentionPeriod",
    "delay_seconds": "DelaySeconds",
    "max_message_size": "MaximumMessageSize",
    "receive_wait_time_seconds": "ReceiveMessageWaitTimeSeconds",
}


# -- ids -----------------------------------------------------------------------------------


def queue_url(value: str) -> str:
    """The queue URL in AWS's current form (``https://sqs.<region>.amazonaws.com/<account>/
    <name>``) from a queue ARN, a URL of that form or a legacy one
    (``https://<region>.queue.amazonaws.com/...``); other text (a local endpoint) as is."""
    if value.startswith("arn:"):
        parts = value.split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            return value
        suffix = ".cn" if parts[1] == "aws-cn" else ""
        return f"https://sqs.{parts[3]}.amazonaws.com{suffix}/{parts[4]}/{parts[5]}"
    if not value.startswith(("https://", "http://")):
        return value
    url = urlparse(value)
    path = [p for p in url.path.split("/") if p]
    host = (url.hostname or "").lower()
    if len(path) != 2 or not host.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        return value
    labels = host.split(".")
    if labels[0] == "sqs" and len(labels) > 3:
        region = labels[1]
    elif labels[0] == "queue":
        region = "us-east-1"
    elif len(labels) > 3 and labels[1] == "queue":
        region = labels[0]
    else:
        return value
    suffix = ".cn" if host.endswith(".cn") else ""
    return f"https://sqs.{region}.amazonaws.com{suffix}/{path[0]}/{path[1]}"


# -- documents -----------------------------------------------------------------------------


def _redrive(document: Any) -> Any:
    # Terraform users write maxReceiveCount as a number or as text; AWS answers a number.
    if isinstance(document, Mapping) and "maxReceiveCount" in document:
        count = messaging.number(document["maxReceiveCount"])
        if count is not None:
            return {**document, "maxReceiveCount": count}
    return document


def _state_policy(inst: StateInstance) -> Any:
    value = inst.get("policy")
    if value == "":
        # The provider reads the queue's policy back: "" is "this queue has none".
        return dict(messaging.NO_DOCUMENT)
    return policy(value)


def aws_policy(text: Any) -> Any:
    """A policy AWS sends as text, normalised; None when the resource has none."""
    if not text:
        return None
    try:
        return normalize.policy(text)
    except (ValueError, TypeError, AttributeError):
        # Not JSON: kept as text, so it compares as different instead of failing the read.
        return str(text)


SCHEMA: dict[str, Attr] = {
    **{name: Attr(type=int) for name in NUMBERS},
    "redrive_policy": Attr(
        Kind.DOCUMENT,
        read=lambda inst: _redrive(messaging.state_document(inst, "redrive_policy")),
        doc="{} when there is none",
    ),
    "sqs_managed_sse_enabled": Attr(
        type=bool,
        same=lambda exp, act: not messaging.flag(exp) and messaging.flag(act),
        doc="AWS's default (on) where the state says off is not drift",
    ),
    "kms_master_key_id": Attr(),
    "fifo_queue": Attr(type=bool),
    "content_based_deduplication": Attr(type=bool),
    "policy": Attr(Kind.POLICY, read=_state_policy, doc="{} when there is none"),
    "tags": Attr(Kind.TAGS),
}


def _queue_policy(inst: StateInstance) -> dict[str, Any]:
    return {"policy": _state_policy(inst)}


def _redrive_policy(inst: StateInstance) -> dict[str, Any]:
    return {"redrive_policy": _redrive(messaging.state_document(inst, "redrive_policy"))}


# -- reading AWS -------------------------------------------------------------------------------


def _is_gone(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _GONE


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every queue of ``region``; tags of the declared ones. A failed listing propagates; a
    failed read of one queue leaves the region partial."""
    client = ctx.aws.client("sqs", region)
    urls: list[str] = []
    for page in client.get_paginator("list_queues").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*_LIST_PAGE)}
    ):
        urls.extend(u for u in page.get("QueueUrls", []) if isinstance(u, str))
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(url: str) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            found = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            attrs: Mapping[str, str] = found.get("Attributes", {})
            queue = queue_url(url)
            tags = None
            if queue in managed:
                tags = client.list_queue_tags(QueueUrl=url).get("Tags", {})
        except (BotoCoreError, ClientError) as exc:
            if _is_gone(exc):
                return Detail()
            return failed((region,), f"queue {url.rsplit('/', 1)[-1]}", exc)
        return Detail(resource=to_resource(queue, attrs, tags, region, ctx.account_id))

    return read_each(ctx, RESOURCE_TYPE, urls, read, noun="queues")


def to_resource(
    url: str,
    attrs: Mapping[str, str],
    tags: Mapping[str, str] | None,
    region: str,
    account_id: str | None,
) -> ActualResource:
    """One GetQueueAttributes answer in the canonical SQS_QUEUE form."""
    kms = attrs.get("KmsMasterKeyId") or None
    attributes: dict[str, Any] = {
        name: messaging.number(attrs.get(aws)) for name, aws in NUMBERS.items()
    }
    attributes.update(
        {
            "redrive_policy": _redrive(messaging.aws_document(attrs.get("RedrivePolicy"))),
            # SSE-SQS and a KMS key are exclusive in AWS (moto reports both).
            "sqs_managed_sse_enabled": kms is None
            and messaging.flag(attrs.get("SqsManagedSseEnabled")),
            "kms_master_key_id": kms,
            "fifo_queue": messaging.flag(attrs.get("FifoQueue")),
            "content_based_deduplication": messaging.flag(attrs.get("ContentBasedDeduplication")),
            "policy": aws_policy(attrs.get("Policy")),
        }
    )
    if tags is not None:
        attributes["tags"] = normalize.tags(dict(tags))
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=url,
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _risky(attributes: Mapping[str, Any]) -> bool:
    return grants_public_unconditionally(attributes.get("policy"))


# -- remediation -------------------------------------------------------------------------------


def document_text(document: Any) -> str:
    """A policy or redrive policy as SetQueueAttributes takes it: ``""`` removes it."""
    return json.dumps(document, separators=(",", ":")) if document else ""


def _kept_policy(query: FixQuery) -> str | None:
    """The policy a call sends again although it does not change it.

    AWS keeps a queue's policy when SetQueueAttributes does not name it; moto drops it. Sending
    the policy the queue must end up with (the IaC's, or the queue's own where the IaC does not
    manage it) is the same to AWS and keeps emulated accounts exact.
    """
    expected = query.expected.get("policy")
    if isinstance(expected, Mapping):
        return document_text(expected) or None
    actual = query.actual.get("policy")
    if expected is None and isinstance(actual, Mapping) and actual:
        return document_text(actual)
    return None


def _attribute_fix(name: str, attribute: str, text: Any, doc: str) -> Fix:
    def plan(query: FixQuery) -> list[Call]:
        attributes = {attribute: text(expected_value(query, name))}
        kept = _kept_policy(query)
        if attribute != "Policy" and kept is not None:
            attributes["Policy"] = kept
        return [
            Call(
                "sqs",
                "SetQueueAttributes",
                {"QueueUrl": query.resource_id, "Attributes": attributes},
                fixes=(name,),
            )
        ]

    return Fix(name, plan, doc=f"{doc} (sqs:SetQueueAttributes {attribute})")


def _flag_text(value: Any) -> str:
    return "true" if messaging.flag(value) else "false"


_FIXES = (
    *(
        _attribute_fix(name, attribute, lambda v: str(int(v)), name.replace("_", " "))
        for name, attribute in NUMBERS.items()
    ),
    _attribute_fix("redrive_policy", "RedrivePolicy", document_text, "redrive policy"),
    _attribute_fix("policy", "Policy", document_text, "queue policy"),
    _attribute_fix("sqs_managed_sse_enabled", "SqsManagedSseEnabled", _flag_text, "SSE-SQS"),
    tags_fix(
        "sqs",
        "TagQueue",
        "UntagQueue",
        lambda q: {"QueueUrl": q.resource_id},
        style="map",
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _build_queue(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    settings: dict[str, str] = {
        aws: str(attrs[name]) for name, aws in NUMBERS.items() if attrs.get(name) is not None
    }
    if attrs.get("fifo_queue"):
        settings["FifoQueue"] = "true"
        dedup = bool(attrs.get("content_based_deduplication"))
        settings["ContentBasedDeduplication"] = "true" if dedup else "false"
    if attrs.get("kms_master_key_id"):
        settings["KmsMasterKeyId"] = attrs["kms_master_key_id"]
        if attrs.get("kms_data_key_reuse_period_seconds"):
            period = str(attrs["kms_data_key_reuse_period_seconds"])
            settings["KmsDataKeyReusePeriodSeconds"] = period
    elif attrs.get("sqs_managed_sse_enabled"):
        # Off is not sent, as providers before SSE-SQS became the default did: AWS (and moto)
        # then turn it on.
        settings["SqsManagedSseEnabled"] = "true"
    if attrs.get("policy"):
        settings["Policy"] = messaging.resend(attrs["policy"])
    sqs = ctx.client("sqs")
    url = sqs.create_queue(QueueName=attrs["name"], Attributes=settings, tags=tags_of(attrs))[
        "QueueUrl"
    ]
    if attrs.get("redrive_policy"):
        # The dead-letter queue may come later in the state.
        redrive = attrs["redrive_policy"]
        ctx.defer(
            "aws_sqs_queue",
            lambda: set_attributes(sqs, url, {"RedrivePolicy": messaging.resend(redrive)}),
        )


def set_attributes(sqs: Any, url: str, attributes: dict[str, str]) -> None:
    """SetQueueAttributes as AWS does it: moto drops the queue's policy when a call does not
    send it again, so it is sent again."""
    if "Policy" not in attributes:
        current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        kept = current.get("Attributes", {}).get("Policy")
        if kept:
            attributes = {**attributes, "Policy": kept}
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)


def _build_queue_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    set_attributes(
        ctx.client("sqs"), attrs["queue_url"], {"Policy": messaging.resend(attrs["policy"])}
    )


def _build_redrive_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    set_attributes(
        ctx.client("sqs"),
        attrs["queue_url"],
        {"RedrivePolicy": json.dumps(json.loads(attrs["redrive_policy"]))},
    )


def _child(name: str, read: Any) -> TerraformType:
    return TerraformType(name, id=("queue_url", "id"), read=read, parent=True, overrides=True)


_AFTER_QUEUE = ("aws_sqs_queue",)

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="SQS queue",
    with_article="an SQS queue",
    sarif_name="SQSQueue",
    terraform=(
        TerraformType(
            "aws_sqs_queue",
            id=("url", "id", "arn"),
            not_compared={
                "name_prefix": "Terraform-only",
                "kms_data_key_reuse_period_seconds": "not compared yet",
                "redrive_allow_policy": "not compared yet",
                "deduplication_scope": "not compared yet",
                "fifo_throughput_limit": "not compared yet",
            },
        ),
        _child("aws_sqs_queue_policy", _queue_policy),
        _child("aws_sqs_queue_redrive_policy", _redrive_policy),
    ),
    scope=Scope.REGIONAL,
    service="sqs",
    collect=collect,
    api_calls=(
        ApiCall("sqs:ListQueues", per="region", page_size=_LIST_PAGE[1]),
        ApiCall("sqs:GetQueueAttributes", per="resource"),
        ApiCall("sqs:ListQueueTags", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=queue_url,
    id_doc="queue URL",
    rules=(
        Rule(
            "policy",
            became_public_unconditionally,
            doc="the queue policy grants Principal: * without a condition",
        ),
    ),
    risky=_risky,
    builders={
        "aws_sqs_queue": Builder(_build_queue),
        "aws_sqs_queue_policy": Builder(_build_queue_policy, after=_AFTER_QUEUE),
        "aws_sqs_queue_redrive_policy": Builder(_build_redrive_policy, after=_AFTER_QUEUE),
    },
    # Not reverted: fifo_queue (fixed at creation); kms_master_key_id and
    # content_based_deduplication are left to Terraform for now.
    fixes=_FIXES,
    delete=lambda q: [Call("sqs", "DeleteQueue", {"QueueUrl": q.resource_id})],
)
