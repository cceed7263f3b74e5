"""Conformance entry of LB_TARGET_GROUP (fixture: lb_target_group.tfstate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "LB_TARGET_GROUP"

WEB = "aws_lb_target_group.web"
IP = "aws_lb_target_group.ip"
TCP = "aws_alb_target_group.tcp"
FN = "aws_lb_target_group.fn"


def _health(address: str, **changes: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("elbv2").modify_target_group(TargetGroupArn=account.ids[address], **changes)

    return apply


def _attributes(address: str, **settings: str) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("elbv2").modify_target_group_attributes(
            TargetGroupArn=account.ids[address],
            Attributes=[{"Key": k, "Value": v} for k, v in settings.items()],
        )

    return apply


def _targets(address: str, verb: str, target: dict[str, Any]) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        call = getattr(account.client("elbv2"), f"{verb}_targets")
        call(TargetGroupArn=account.ids[address], Targets=[target])

    return apply


def _delete_fn(account: Account) -> None:
    account.client("elbv2").delete_target_group(TargetGroupArn=account.ids[FN])


def _console_group(account: Account) -> str:
    group = account.client("elbv2").create_target_group(
        Name="console-tg",
        Protocol="HTTP",
        Port=80,
        VpcId=account.attributes(WEB)["vpc_id"],
    )["TargetGroups"][0]
    return str(group["TargetGroupArn"])


ENTRY = Entry(
    fixture="lb_target_group.tfstate",
    mutations=(
        Mutation(
            "health check path",
            _health(WEB, HealthCheckPath="/"),
            WEB,
            "health_check.path",
            "warning",
        ),
        Mutation(
            "health check interval",
            _health(IP, HealthCheckIntervalSeconds=60),
            IP,
            "health_check.interval",
            "warning",
        ),
        Mutation(
            "health check timeout",
            _health(IP, HealthCheckTimeoutSeconds=10),
            IP,
            "health_check.timeout",
            "warning",
        ),
        Mutation(
            "healthy threshold",
            _health(IP, HealthyThresholdCount=5),
            IP,
            "health_check.healthy_threshold",
            "warning",
        ),
        Mutation(
            "unhealthy threshold",
            _health(IP, UnhealthyThresholdCount=2),
            IP,
            "health_check.unhealthy_threshold",
            "warning",
        ),
        Mutation(
            "health check port",
            _health(IP, HealthCheckPort="traffic-port"),
            IP,
            "health_check.port",
            "warning",
        ),
        Mutation(
            "health check protocol",
            _health(WEB, HealthCheckProtocol="HTTPS"),
            WEB,
            "health_check.protocol",
            "warning",
        ),
        Mutation(
            "success codes",
            _health(IP, Matcher={"HttpCode": "200,302"}),
            IP,
            "health_check.matcher",
            "warning",
        ),
        Mutation(
            "health checks off",
            _health(TCP, HealthCheckEnabled=False),
            TCP,
            "health_check.enabled",
            "warning",
        ),
        Mutation(
            "deregistration delay",
            _attributes(TCP, **{"deregistration_delay.timeout_seconds": "300"}),
            TCP,
            "deregistration_delay",
            "warning",
        ),
        Mutation(
            "cookie duration",
            _attributes(WEB, **{"stickiness.lb_cookie.duration_seconds": "600"}),
            WEB,
            "stickiness.cookie_duration",
            "warning",
        ),
        Mutation(
            "stickiness off",
            _attributes(WEB, **{"stickiness.enabled": "false"}),
            WEB,
            "stickiness.enabled",
            "warning",
        ),
        Mutation(
            "target deregistered",
            _targets(IP, "deregister", {"Id": "10.20.1.32", "Port": 8080}),
            IP,
            "targets[10.20.1.32]",
            "warning",
        ),
        Mutation(
            "target registered outside Terraform",
            _targets(IP, "register", {"Id": "10.20.0.99", "Port": 8080}),
            IP,
            "targets[10.20.0.99]",
            "warning",
        ),
        tag_mutation("elbv2", TCP),
        Mutation("deleted", _delete_fn, FN, "", "warning", "missing"),
        Mutation("created in the console", _console_group, None, "", "info", "unmanaged"),
    ),
)
