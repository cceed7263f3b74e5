"""Conformance entry of CLOUDWATCH_METRIC_ALARM (fixture: cloudwatch_metric_alarm.tfstate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._copies import copies, replace_all
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "CLOUDWATCH_METRIC_ALARM"
FIXTURE = "cloudwatch_metric_alarm.tfstate"

CPU = "aws_cloudwatch_metric_alarm.cpu_high"
RATE = "aws_cloudwatch_metric_alarm.error_rate"
TOPIC = "arn:aws:sns:us-east-1:123456789012:webapp-alerts"


def _tag(account: Account, name: str, key: str, value: str) -> None:
    arn = account.attributes(CPU)["arn"].replace("webapp-cpu-high", name)
    account.client("cloudwatch").tag_resource(ResourceARN=arn, Tags=[{"Key": key, "Value": value}])


def _cpu(**changes: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        settings: dict[str, Any] = {
            "AlarmName": "webapp-cpu-high",
            "AlarmDescription": "CPU above 80% for 10 minutes",
            "MetricName": "CPUUtilization",
            "Namespace": "AWS/EC2",
            "Statistic": "Average",
            "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "webapp-asg"}],
            "Period": 300,
            "EvaluationPeriods": 2,
            "Threshold": 80.0,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [TOPIC],
            "OKActions": [TOPIC],
        }
        settings.update(changes)
        account.client("cloudwatch").put_metric_alarm(**settings)

    return apply


def _mute(account: Account) -> None:
    account.client("cloudwatch").disable_alarm_actions(AlarmNames=[account.ids[CPU]])


def _delete_rate(account: Account) -> None:
    account.client("cloudwatch").delete_alarms(AlarmNames=["webapp-5xx-rate"])


def _console_alarm(account: Account) -> str:
    account.client("cloudwatch").put_metric_alarm(
        AlarmName="scratch-alarm",
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    return "scratch-alarm"


def _target_tracking_alarms(account: Account) -> list[str]:
    # What Application Auto Scaling creates for a target-tracking policy on a DynamoDB table.
    name = "TargetTracking-table/webapp-orders-AlarmHigh-0c1e3a5b-7d9f-4b2a-8c6e-1f3a5c7e9b0d"
    policy = (
        "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0c1e3a5b:resource/dynamodb/"
        "table/webapp-orders:policyName/read-target"
    )
    account.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        AlarmDescription=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy}.",
        MetricName="ConsumedReadCapacityUnits",
        Namespace="AWS/DynamoDB",
        Statistic="Sum",
        Dimensions=[{"Name": "TableName", "Value": "webapp-orders"}],
        Period=60,
        EvaluationPeriods=2,
        Threshold=2100.0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[policy],
    )
    return [name]


def _rename(number: int, attrs: dict[str, Any]) -> dict[str, Any]:
    name = str(attrs["alarm_name"])
    return replace_all(attrs, [(name, f"{name}-{number}")])


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's alarms."""
    return copies(FIXTURE, ["aws_cloudwatch_metric_alarm"], n, _rename)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, CPU),
        Mutation("threshold raised", _cpu(Threshold=95.0), CPU, "threshold", "warning"),
        Mutation(
            "missing data treated as fine",
            _cpu(TreatMissingData="notBreaching"),
            CPU,
            "treat_missing_data",
            "warning",
        ),
        Mutation(
            "action removed", _cpu(AlarmActions=[]), CPU, f"alarm_actions[{TOPIC}]", "warning"
        ),
        Mutation("actions turned off", _mute, CPU, "actions_enabled", "warning"),
        Mutation("created in the console", _console_alarm, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete_rate, RATE, "", "warning", "missing"),
    ),
    aws_owned=_target_tracking_alarms,
    estate=estate,
)
