"""SNS subscriptions (``aws_sns_topic_subscription``): one paginated ListSubscriptions per
region, then GetSubscriptionAttributes per declared subscription.

resource_id is the subscription ARN. The listing names each subscription's topic, protocol and
endpoint, which is all an unmanaged subscription is judged on (at info: a subscription exposes
nothing on its own), so attributes are read for declared subscriptions only. A declared
subscription still waiting for confirmation is listed as ``PendingConfirmation`` instead of its
ARN: it is read by its ARN all the same.

AWS sends flags as text (``"true"``); ``RawMessageDelivery`` is absent for protocols without it
(off). A filter policy's scope is ``MessageAttributes`` unless set, and AWS reports no scope
without a filter policy. The password of an HTTP(S) endpoint with basic authentication is
masked on both sides. ``endpoint_auto_confirms`` and ``confirmation_timeout_in_minutes`` only
steer Terraform while it creates an HTTP(S) subscription: never compared. Subscriptions have no
tags.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import messaging
from driftctl.types.build import BuildContext, Builder
from driftctl.types.fixes import scalar_fix
from driftctl.types.sns_topic import is_gone
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "SNS_TOPIC_SUBSCRIPTION"


def endpoint(value: Any) -> Any:
    """An endpoint with the password of an ``https://user:password@host`` URL masked (both
    sides alike, so the rest still compares)."""
    if not isinstance(value, str) or "://" not in value:
        return value
    scheme, _, rest = value.partition("://")
    userinfo, at, host = rest.partition("@")
    if not at or ":" not in userinfo or "/" in userinfo:
        return value
    return f"{scheme}://{userinfo.split(':', 1)[0]}:{SENSITIVE}@{host}"


def _document(name: str) -> Attr:
    return Attr(
        Kind.DOCUMENT,
        read=lambda inst: messaging.state_document(inst, name),
        doc="{} when there is none",
    )


SCHEMA: dict[str, Attr] = {
    "topic_arn": Attr(),
    "protocol": Attr(),
    "endpoint": Attr(read=lambda inst: endpoint(inst.get("endpoint")), doc="passwords masked"),
    "filter_policy": _document("filter_policy"),
    "filter_policy_scope": Attr(default="MessageAttributes"),
    "raw_message_delivery": Attr(type=bool),
    "redrive_policy": _document("redrive_policy"),
}


def _region_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[3] if len(parts) == 6 and parts[0] == "arn" else None


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every subscription of ``region``; the attributes of the declared ones. A failed listing
    propagates; a failed read of one subscription leaves the region partial."""
    client = ctx.aws.client("sns", region)
    listed: dict[str, Mapping[str, Any]] = {}
    for page in client.get_paginator("list_subscriptions").paginate():
        for sub in page.get("Subscriptions", []):
            arn = sub.get("SubscriptionArn") or ""
            # "PendingConfirmation" and "Deleted" name no subscription.
            if arn.startswith("arn:"):
                listed[arn] = sub
    managed = sorted(
        arn for arn in ctx.expected_ids.get(RESOURCE_TYPE, frozenset()) if _region_of(arn) == region
    )
    wanted = set(managed)

    def read(arn: str) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        if arn not in wanted:
            return Detail(resource=to_resource(arn, listed[arn], region, ctx.account_id))
        try:
            attrs = client.get_subscription_attributes(SubscriptionArn=arn).get("Attributes", {})
        except (BotoCoreError, ClientError) as exc:
            if is_gone(exc):
                return Detail()
            return failed((region,), f"subscription {arn.rsplit(':', 1)[-1]}", exc)
        return Detail(resource=to_resource(arn, attrs, region, ctx.account_id, detailed=True))

    arns = [*listed, *(a for a in managed if a not in listed)]
    return read_each(ctx, RESOURCE_TYPE, arns, read, noun="subscriptions")


def to_resource(
    arn: str,
    attrs: Mapping[str, Any],
    region: str,
    account_id: str | None,
    *,
    detailed: bool = False,
) -> ActualResource:
    """A ListSubscriptions item, or a GetSubscriptionAttributes answer (``detailed``), in the
    canonical SNS_TOPIC_SUBSCRIPTION form."""
    attributes: dict[str, Any] = {
        "topic_arn": attrs.get("TopicArn"),
        "protocol": attrs.get("Protocol"),
        "endpoint": endpoint(attrs.get("Endpoint")),
    }
    if detailed:
        attributes.update(
            {
                "filter_policy": messaging.aws_document(attrs.get("FilterPolicy")),
                "filter_policy_scope": attrs.get("FilterPolicyScope") or None,
                "raw_message_delivery": messaging.flag(attrs.get("RawMessageDelivery")),
                "redrive_policy": messaging.aws_document(attrs.get("RedrivePolicy")),
            }
        )
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=arn,
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------


def _set(name: str, attribute: str, text: Callable[[Any], str], doc: str) -> Fix:
    # SetSubscriptionAttributes takes one attribute per call.
    def call(query: FixQuery, expected: Any) -> Call:
        params = {
            "SubscriptionArn": query.resource_id,
            "AttributeName": attribute,
            "AttributeValue": text(expected),
        }
        return Call("sns", "SetSubscriptionAttributes", params)

    return scalar_fix(name, call, doc=f"{doc} (sns:SetSubscriptionAttributes {attribute})")


def _json(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"))


_FIXES = (
    # AWS removes a filter policy set to {} (and reads it back as none).
    _set("filter_policy", "FilterPolicy", lambda v: _json(v or {}), "filter policy"),
    _set(
        "filter_policy_scope",
        "FilterPolicyScope",
        lambda v: str(v or "MessageAttributes"),
        "filter policy scope",
    ),
    _set(
        "raw_message_delivery",
        "RawMessageDelivery",
        lambda v: "true" if messaging.flag(v) else "false",
        "raw message delivery",
    ),
    _set(
        "redrive_policy",
        "RedrivePolicy",
        lambda v: _json(v) if v else "",
        "dead-letter queue",
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _build_subscription(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    settings: dict[str, str] = {}
    if attrs.get("raw_message_delivery"):
        settings["RawMessageDelivery"] = "true"
    if attrs.get("filter_policy"):
        settings["FilterPolicy"] = messaging.resend(attrs["filter_policy"])
        if attrs.get("filter_policy_scope"):
            settings["FilterPolicyScope"] = attrs["filter_policy_scope"]
    if attrs.get("redrive_policy"):
        settings["RedrivePolicy"] = messaging.resend(attrs["redrive_policy"])
    found = ctx.client("sns").subscribe(
        TopicArn=ctx.id(attrs["topic_arn"]),
        Protocol=attrs["protocol"],
        Endpoint=ctx.id(attrs["endpoint"]),
        Attributes=settings,
        ReturnSubscriptionArn=True,
    )
    ctx.remember(attrs.get("arn"), found.get("SubscriptionArn"))


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="SNS topic subscription",
    with_article="an SNS topic subscription",
    sarif_name="SNSTopicSubscription",
    terraform=(
        TerraformType(
            "aws_sns_topic_subscription",
            id=("arn", "id"),
            not_compared={
                "endpoint_auto_confirms": "Terraform-only (creation of HTTP(S) subscriptions)",
                "confirmation_timeout_in_minutes": "Terraform-only (creation)",
                "delivery_policy": "not compared yet",
                "replay_policy": "not compared yet",
                "subscription_role_arn": "not compared yet",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service="sns",
    collect=collect,
    api_calls=(
        ApiCall("sns:ListSubscriptions", per="region", page_size=100),
        ApiCall("sns:GetSubscriptionAttributes", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    id_doc="subscription ARN",
    builders={
        "aws_sns_topic_subscription": Builder(
            _build_subscription, after=("aws_sns_topic", "aws_sqs_queue")
        ),
    },
    # Subscriptions have no tags; topic, protocol and endpoint only change by subscribing anew.
    fixes=_FIXES,
)
