"""CloudWatch metric alarms (``aws_cloudwatch_metric_alarm``): one paginated DescribeAlarms per
region (100 alarms a page, metric alarms only), then ListTagsForResource for each alarm the IaC
declares (CloudWatch has no batch call for tags).

resource_id is the alarm name. The threshold compares as a number (``80`` and ``80.0`` are the
same). AWS omits TreatMissingData when it was never set, which means ``missing`` (the provider's
default), omits DatapointsToAlarm when it equals the evaluation periods (the provider writes 0)
and omits the period, statistic and threshold of alarms on metric math or anomaly detection
(the provider writes 0 and ""): none of these is drift. Actions compare as sets, dimensions as a
map, ``metric_query`` as one document (its queries in id order, empty fields dropped).
Target-tracking scaling policies (EC2 Auto Scaling, Application Auto Scaling: DynamoDB, ECS…)
create and delete their own alarms (``TargetTracking-…``, "DO NOT EDIT OR DELETE"): they are
AWS's, never unmanaged. moto ignores MaxRecords (it answers in one page); AWS pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.iac.instance import StateInstance
from driftctl.resources import SENSITIVE, ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
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

RESOURCE_TYPE = "CLOUDWATCH_METRIC_ALARM"
SERVICE = "cloudwatch"
# DescribeAlarms accepts 1..100 per page.
_PAGE = (1, 100)


_TARGET_TRACKING_PREFIX = "TargetTracking-"
_TARGET_TRACKING_NOTE = "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy"


def is_default(attributes: Mapping[str, Any]) -> bool:
    """An alarm a target-tracking scaling policy created for itself."""
    return str(attributes.get("alarm_name") or "").startswith(_TARGET_TRACKING_PREFIX) and str(
        attributes.get("alarm_description") or ""
    ).startswith(_TARGET_TRACKING_NOTE)


def canonical_id(value: str) -> str:
    """The alarm name, from a name or an alarm ARN (names may hold ``:``)."""
    if value.startswith("arn:") and ":alarm:" in value:
        return value.split(":alarm:", 1)[1]
    return value


# -- metric queries: one canonical document from either side --------------------------------


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", {}, 0)}


def _query(
    ident: Any,
    expression: Any,
    label: Any,
    return_data: Any,
    period: Any,
    account_id: Any,
    metric: Mapping[str, Any] | None,
) -> dict[str, Any]:
    out = _clean(
        {
            "id": ident,
            "expression": expression,
            "label": label,
            "period": int(period) if period else None,
            "account_id": account_id,
        }
    )
    out["return_data"] = (
        bool(return_data) if not isinstance(return_data, str) else (return_data.lower() == "true")
    )
    if metric:
        out["metric"] = metric
    return out


def _metric(
    namespace: Any, name: Any, dimensions: Mapping[str, Any], period: Any, stat: Any, unit: Any
) -> dict[str, Any]:
    out = _clean(
        {
            "namespace": namespace,
            "metric_name": name,
            "period": int(period) if period else None,
            "stat": stat,
            "unit": unit,
        }
    )
    if dimensions:
        out["dimensions"] = {str(k): str(v) for k, v in sorted(dimensions.items())}
    return out


def _state_queries(inst: StateInstance) -> Any:
    blocks = inst.get("metric_query")
    if blocks == SENSITIVE or not isinstance(blocks, list):
        return blocks if blocks == SENSITIVE else None
    out = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        metric = None
        for m in block.get("metric") or []:
            if isinstance(m, Mapping):
                metric = _metric(
                    m.get("namespace"),
                    m.get("metric_name"),
                    m.get("dimensions") or {},
                    m.get("period"),
                    m.get("stat"),
                    m.get("unit"),
                )
        out.append(
            _query(
                block.get("id"),
                block.get("expression"),
                block.get("label"),
                block.get("return_data"),
                block.get("period"),
                block.get("account_id"),
                metric,
            )
        )
    return sorted(out, key=lambda q: str(q.get("id")))


def _aws_queries(metrics: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in metrics:
        stat = item.get("MetricStat") or {}
        metric = None
        if stat:
            m = stat.get("Metric") or {}
            metric = _metric(
                m.get("Namespace"),
                m.get("MetricName"),
                {d["Name"]: d.get("Value") for d in m.get("Dimensions") or [] if "Name" in d},
                stat.get("Period"),
                stat.get("Stat"),
                stat.get("Unit"),
            )
        out.append(
            _query(
                item.get("Id"),
                item.get("Expression"),
                item.get("Label"),
                item.get("ReturnData", False),
                item.get("Period"),
                item.get("AccountId"),
                metric,
            )
        )
    return sorted(out, key=lambda q: str(q.get("id")))


SCHEMA: dict[str, Attr] = {
    "metric_name": Attr(empty_is_unset=True),
    "namespace": Attr(empty_is_unset=True),
    "statistic": Attr(empty_is_unset=True),
    "extended_statistic": Attr(empty_is_unset=True),
    "dimensions": Attr(Kind.MAP),
    "period": Attr(type=int, default=0, doc="seconds (0: set by the metric queries)"),
    "evaluation_periods": Attr(type=int),
    "datapoints_to_alarm": Attr(type=int, default=0, doc="0: the evaluation periods"),
    "threshold": Attr(type=float, default=0.0, doc="compared as a number"),
    "threshold_metric_id": Attr(empty_is_unset=True),
    "comparison_operator": Attr(),
    "treat_missing_data": Attr(default="missing"),
    "evaluate_low_sample_count_percentiles": Attr(empty_is_unset=True),
    "actions_enabled": Attr(type=bool, default=True),
    "alarm_actions": Attr(Kind.SET),
    "ok_actions": Attr(Kind.SET),
    "insufficient_data_actions": Attr(Kind.SET),
    "alarm_description": Attr(empty_is_unset=True),
    "unit": Attr(empty_is_unset=True),
    "metric_query": Attr(Kind.JSON, read=_state_queries, doc="queries in id order"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every metric alarm of ``region``; tags of the declared ones. Listing errors propagate; a
    failed tag read leaves the region partial."""
    cw = ctx.aws.client(SERVICE, region)
    pages = cw.get_paginator("describe_alarms").paginate(
        AlarmTypes=["MetricAlarm"], PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    alarms = [a for page in pages for a in page.get("MetricAlarms", []) if a.get("AlarmName")]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(alarm: Mapping[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        if alarm["AlarmName"] not in managed:
            return Detail(resource=to_resource(alarm, region, ctx.account_id))
        try:
            tags = cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags")
        except (BotoCoreError, ClientError) as exc:
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == (
                "ResourceNotFound"
            ):
                return Detail()
            return failed((region,), f"alarm {alarm['AlarmName']}", exc)
        return Detail(resource=to_resource(alarm, region, ctx.account_id, normalize.tags(tags)))

    return read_each(ctx, RESOURCE_TYPE, alarms, read, noun="alarms")


def to_resource(
    alarm: Mapping[str, Any],
    region: str,
    account_id: str | None,
    tags: Mapping[str, str] | None = None,
) -> ActualResource:
    """One DescribeAlarms metric alarm in the canonical form."""
    dimensions = {
        str(d["Name"]): str(d.get("Value", ""))
        for d in alarm.get("Dimensions") or []
        if "Name" in d
    }
    threshold = alarm.get("Threshold")
    attributes: dict[str, Any] = {
        "alarm_name": str(alarm["AlarmName"]),
        "metric_name": alarm.get("MetricName"),
        "namespace": alarm.get("Namespace"),
        "statistic": alarm.get("Statistic"),
        "extended_statistic": alarm.get("ExtendedStatistic"),
        "dimensions": mask_secret_values(dimensions),
        "period": alarm.get("Period"),
        "evaluation_periods": alarm.get("EvaluationPeriods"),
        "datapoints_to_alarm": alarm.get("DatapointsToAlarm"),
        "threshold": float(threshold) if threshold is not None else None,
        "threshold_metric_id": alarm.get("ThresholdMetricId"),
        "comparison_operator": alarm.get("ComparisonOperator"),
        "treat_missing_data": alarm.get("TreatMissingData"),
        "evaluate_low_sample_count_percentiles": alarm.get("EvaluateLowSampleCountPercentile"),
        "actions_enabled": alarm.get("ActionsEnabled", True),
        "alarm_actions": sorted(alarm.get("AlarmActions") or []),
        "ok_actions": sorted(alarm.get("OKActions") or []),
        "insufficient_data_actions": sorted(alarm.get("InsufficientDataActions") or []),
        "alarm_description": alarm.get("AlarmDescription"),
        "unit": alarm.get("Unit"),
        "metric_query": _aws_queries(list(alarm.get("Metrics") or [])),
    }
    if tags is not None:
        attributes["tags"] = dict(tags)
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(alarm["AlarmName"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------


def alarm_arn(query: FixQuery) -> str:
    """The alarm's ARN, as the tag APIs take it."""
    return resource_arn(query, "cloudwatch", f"alarm:{query.resource_id}")


def _actions_enabled(query: FixQuery, expected: Any) -> Call:
    operation = "DisableAlarmActions" if expected is False else "EnableAlarmActions"
    return Call("cloudwatch", operation, {"AlarmNames": [query.resource_id]})


# Everything else goes through PutMetricAlarm, which replaces the whole alarm from every one
# of its settings: left to Terraform.
_FIXES = (
    scalar_fix(
        "actions_enabled",
        _actions_enabled,
        doc="actions enabled (cloudwatch:EnableAlarmActions / DisableAlarmActions)",
    ),
    tags_fix("cloudwatch", "TagResource", "UntagResource", lambda q: {"ResourceARN": alarm_arn(q)}),
)


# -- building in an emulated account ---------------------------------------------------------


def _aws_metric_queries(blocks: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for block in blocks:
        item: dict[str, Any] = {"Id": block["id"], "ReturnData": bool(block.get("return_data"))}
        for key, name in (("expression", "Expression"), ("label", "Label")):
            if block.get(key):
                item[name] = block[key]
        if block.get("period"):
            item["Period"] = int(block["period"])
        for m in block.get("metric") or []:
            stat: dict[str, Any] = {
                "Metric": {
                    "Namespace": m["namespace"],
                    "MetricName": m["metric_name"],
                    "Dimensions": [
                        {"Name": k, "Value": v}
                        for k, v in sorted((m.get("dimensions") or {}).items())
                    ],
                },
                "Period": int(m["period"]),
                "Stat": m["stat"],
            }
            if m.get("unit"):
                stat["Unit"] = m["unit"]
            item["MetricStat"] = stat
        out.append(item)
    return out


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    for key, name in (
        ("metric_name", "MetricName"),
        ("namespace", "Namespace"),
        ("statistic", "Statistic"),
        ("extended_statistic", "ExtendedStatistic"),
        ("alarm_description", "AlarmDescription"),
        ("unit", "Unit"),
        ("treat_missing_data", "TreatMissingData"),
        ("threshold_metric_id", "ThresholdMetricId"),
        ("evaluate_low_sample_count_percentiles", "EvaluateLowSampleCountPercentile"),
    ):
        if attrs.get(key):
            extra[name] = attrs[key]
    # AWS omits a treat_missing_data that was never set: leave the default out to see it so.
    if extra.get("TreatMissingData") == "missing":
        del extra["TreatMissingData"]
    for key, name in (("period", "Period"), ("datapoints_to_alarm", "DatapointsToAlarm")):
        if attrs.get(key):
            extra[name] = int(attrs[key])
    if attrs.get("dimensions"):
        extra["Dimensions"] = [{"Name": k, "Value": v} for k, v in attrs["dimensions"].items()]
    if attrs.get("metric_query"):
        extra["Metrics"] = _aws_metric_queries(attrs["metric_query"])
    if not attrs.get("threshold_metric_id"):
        extra["Threshold"] = float(attrs.get("threshold") or 0)
    tags = tags_of(attrs)
    if tags:
        extra["Tags"] = tag_list(tags)
    ctx.client(SERVICE).put_metric_alarm(
        AlarmName=attrs["alarm_name"],
        EvaluationPeriods=int(attrs["evaluation_periods"]),
        ComparisonOperator=attrs["comparison_operator"],
        ActionsEnabled=bool(attrs.get("actions_enabled", True)),
        AlarmActions=[ctx.id(a) for a in attrs.get("alarm_actions") or []],
        OKActions=[ctx.id(a) for a in attrs.get("ok_actions") or []],
        InsufficientDataActions=[ctx.id(a) for a in attrs.get("insufficient_data_actions") or []],
        **extra,
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="CloudWatch metric alarm",
    with_article="a CloudWatch metric alarm",
    sarif_name="CloudWatchMetricAlarm",
    terraform=(
        TerraformType(
            "aws_cloudwatch_metric_alarm",
            id=("alarm_name", "id"),
            not_compared={"alarm_name": "the id"},
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(
        ApiCall("cloudwatch:DescribeAlarms", per="region", page_size=100),
        ApiCall("cloudwatch:ListTagsForResource", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=canonical_id,
    id_doc="alarm name",
    is_default=is_default,
    builders={
        "aws_cloudwatch_metric_alarm": Builder(
            _build, after=("aws_sns_topic", "aws_instance", "aws_lb", "aws_alb")
        )
    },
    fixes=_FIXES,
)
