"""CloudWatch Logs log groups (``aws_cloudwatch_log_group``): one paginated DescribeLogGroups per
region, then ListTagsForResource per declared log group.

resource_id is the log group name (an ARN, with or without its ``:*`` ending, names the same
group). DescribeLogGroups carries retention, KMS key and class; only tags take a call per group,
and only for declared ones. A group without a retention policy never expires: AWS reports no
``retentionInDays`` and the state records 0, the same setting. ``skip_destroy`` only steers
``terraform destroy``: never compared.

AWS services create log groups for themselves (``/aws/lambda/<function>`` on a function's first
run, ``/aws/codebuild/…``, ``/aws/rds/…``): one whose owner is not in the IaC is still
unmanaged, reported at info like every unmanaged log group (a log group exposes nothing on its
own).

moto does not report ``logGroupClass`` (AWS always does, ``STANDARD`` unless set): an absent
class reads as ``STANDARD``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tags_of
from driftctl.types.fixes import resource_arn, scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "CLOUDWATCH_LOG_GROUP"
# DescribeLogGroups accepts 1..50 per page.
_LIST_PAGE = (1, 50)
_GONE = frozenset({"ResourceNotFoundException"})


def group_name(value: str) -> str:
    """The log group name from an ARN (``arn:aws:logs:…:log-group:NAME[:*]``); a name as is."""
    if not value.startswith("arn:"):
        return value
    _, marker, name = value.partition(":log-group:")
    if not marker:
        return value
    return name.removesuffix(":*")


SCHEMA: dict[str, Attr] = {
    "retention_in_days": Attr(type=int, default=0, doc="0: never expire"),
    "kms_key_id": Attr(),
    "log_group_class": Attr(default="STANDARD"),
    "tags": Attr(Kind.TAGS),
}


def _is_gone(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _GONE


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every log group of ``region``; tags of the declared ones. A failed listing propagates; a
    failed tag read leaves the region partial."""
    client = ctx.aws.client("logs", region)
    groups = [
        group
        for page in client.get_paginator("describe_log_groups").paginate(
            PaginationConfig={"PageSize": ctx.page_size_for(*_LIST_PAGE)}
        )
        for group in page.get("logGroups", [])
        if group.get("logGroupName")
    ]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(group: Mapping[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        name = str(group["logGroupName"])
        if name not in managed:
            return Detail(resource=to_resource(group, None, region, ctx.account_id))
        arn = group.get("logGroupArn") or str(group.get("arn") or "").removesuffix(":*")
        try:
            tags = client.list_tags_for_resource(resourceArn=arn).get("tags", {})
        except (BotoCoreError, ClientError) as exc:
            if _is_gone(exc):
                return Detail()
            return failed((region,), f"log group {name}", exc)
        return Detail(resource=to_resource(group, tags, region, ctx.account_id))

    return read_each(ctx, RESOURCE_TYPE, groups, read, noun="log groups")


def to_resource(
    group: Mapping[str, Any],
    tags: Mapping[str, str] | None,
    region: str,
    account_id: str | None,
) -> ActualResource:
    """One DescribeLogGroups item (and its tags, when read) in the canonical form."""
    retention = group.get("retentionInDays")
    attributes: dict[str, Any] = {
        "retention_in_days": retention if isinstance(retention, int) else 0,
        "kms_key_id": group.get("kmsKeyId") or None,
        "log_group_class": group.get("logGroupClass") or "STANDARD",
    }
    if tags is not None:
        attributes["tags"] = normalize.tags(dict(tags))
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(group["logGroupName"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------


def group_arn(query: FixQuery) -> str:
    """The ARN the tag APIs take (without DescribeLogGroups' ``:*`` ending)."""
    return resource_arn(query, "logs", f"log-group:{query.resource_id}")


def _retention(query: FixQuery, days: Any) -> Call:
    # 0 (or nothing) is "never expire": the group has no retention policy at all.
    if not days:
        return Call("logs", "DeleteRetentionPolicy", {"logGroupName": query.resource_id})
    return Call(
        "logs",
        "PutRetentionPolicy",
        {"logGroupName": query.resource_id, "retentionInDays": int(days)},
    )


# -- building in an emulated account ---------------------------------------------------------


def _build_log_group(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    logs = ctx.client("logs")
    extra: dict[str, Any] = {}
    if attrs.get("kms_key_id"):
        extra["kmsKeyId"] = attrs["kms_key_id"]
    if attrs.get("log_group_class"):
        extra["logGroupClass"] = attrs["log_group_class"]
    tags = tags_of(attrs)
    if tags:
        extra["tags"] = tags
    logs.create_log_group(logGroupName=attrs["name"], **extra)
    if attrs.get("retention_in_days"):
        logs.put_retention_policy(
            logGroupName=attrs["name"], retentionInDays=int(attrs["retention_in_days"])
        )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="CloudWatch log group",
    with_article="a CloudWatch log group",
    sarif_name="CloudWatchLogGroup",
    terraform=(
        TerraformType(
            "aws_cloudwatch_log_group",
            id=("name", "id"),
            not_compared={
                "skip_destroy": "Terraform-only (destroy keeps the group)",
                "name_prefix": "Terraform-only",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service="logs",
    collect=collect,
    api_calls=(
        ApiCall("cloudwatch-logs:DescribeLogGroups", per="region", page_size=_LIST_PAGE[1]),
        ApiCall("cloudwatch-logs:ListTagsForResource", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=group_name,
    id_doc="log group name",
    builders={"aws_cloudwatch_log_group": Builder(_build_log_group)},
    # kms_key_id is not reverted: moto has neither AssociateKmsKey nor DisassociateKmsKey, so
    # the revert could not be tested; the class cannot change without re-creating the group.
    fixes=(
        scalar_fix(
            "retention_in_days",
            _retention,
            doc="retention (logs:PutRetentionPolicy; DeleteRetentionPolicy for never expire)",
        ),
        tags_fix(
            "logs",
            "TagResource",
            "UntagResource",
            lambda q: {"resourceArn": group_arn(q)},
            style="map",
            tags_param="tags",
            keys_param="tagKeys",
        ),
    ),
    delete=lambda q: [Call("logs", "DeleteLogGroup", {"logGroupName": q.resource_id})],
)
