"""Conformance entry of ECS_SERVICE (fixture: ecs_service.tfstate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._estate_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "ECS_SERVICE"
FIXTURE = "ecs_service.tfstate"

API = "aws_ecs_service.storefront_api"
BATCH = "aws_ecs_service.storefront_batch"
CLUSTER = "aws_ecs_cluster.platform"


def _tag(account: Account, arn: str, key: str, value: str) -> None:
    account.client("ecs").tag_resource(resourceArn=arn, tags=[{"key": key, "value": value}])


def _update(address: str, **changes: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("ecs").update_service(
            cluster=account.ids[CLUSTER], service=account.ids[address], **changes
        )

    return apply


def _new_task_definition(account: Account) -> None:
    ecs = account.client("ecs")
    current = ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    fresh = ecs.register_task_definition(
        family="web",
        containerDefinitions=current["containerDefinitions"],
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
    )["taskDefinition"]["taskDefinitionArn"]
    _update(API, taskDefinition=fresh)(account)


def _extra_group(account: Account) -> None:
    network = account.attributes(API)["network_configuration"][0]
    vpc = account.client("ec2").describe_subnets(SubnetIds=network["subnets"][:1])["Subnets"][0]
    group = account.client("ec2").create_security_group(
        GroupName="console-extra", Description="extra", VpcId=vpc["VpcId"]
    )["GroupId"]
    _update(
        API,
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": network["subnets"],
                "securityGroups": [*network["security_groups"], group],
                "assignPublicIp": "DISABLED",
            }
        },
    )(account)


def _delete(account: Account) -> None:
    account.client("ecs").delete_service(
        cluster=account.ids[CLUSTER], service=account.ids[BATCH], force=True
    )


def _console_service(account: Account) -> str:
    network = account.attributes(API)["network_configuration"][0]
    service = account.client("ecs").create_service(
        cluster=account.ids[CLUSTER],
        serviceName="console-made",
        taskDefinition="web",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": network["subnets"],
                "securityGroups": network["security_groups"],
            }
        },
    )["service"]
    return str(service["serviceArn"])


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, API),
        Mutation("scaled by hand", _update(API, desiredCount=7), API, "desired_count", "warning"),
        Mutation(
            "deployed another revision",
            _new_task_definition,
            API,
            "task_definition",
            "warning",
        ),
        Mutation(
            "ECS Exec turned off",
            _update(API, enableExecuteCommand=False),
            API,
            "enable_execute_command",
            "warning",
        ),
        Mutation(
            "circuit breaker off",
            _update(
                API,
                deploymentConfiguration={
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 50,
                    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                },
            ),
            API,
            "deployment_circuit_breaker.enable",
            "warning",
        ),
        Mutation(
            "security group added",
            _extra_group,
            API,
            "network_configuration.security_groups[sg-*",
            "warning",
        ),
        Mutation(
            "load balancer swapped",
            _update(
                API,
                loadBalancers=[
                    {
                        "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                        "targetgroup/canary/0f1e2d3c4b5a6978",
                        "containerName": "web",
                        "containerPort": 8080,
                    }
                ],
            ),
            API,
            "load_balancer[canary -> web:8080]",
            "warning",
        ),
        Mutation("created in the console", _console_service, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete, BATCH, "", "warning", "missing"),
    ),
    estate=lambda n: copies(FIXTURE, ("aws_ecs_service",), n),
)
