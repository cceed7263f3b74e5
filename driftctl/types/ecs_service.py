"""ECS services (``aws_ecs_service``): ListClusters per region (shared with the cluster type),
ListServices per cluster, then DescribeServices with tags, 10 services of one cluster a call.

resource_id is the service ARN (Terraform's id; the long form ``service/CLUSTER/NAME`` AWS uses
for every service created since 2021). The task definition compares as ``family:revision``
whatever the spelling (ARN, or just a family, which matches any of its revisions). Deployment
settings AWS reports for every service (200 / 100 percent, the circuit breaker off, the ECS
controller, no grace period) mean the same as Terraform's unset values.

``desired_count`` under Application Auto Scaling is what the scaler set, not drift: Terraform's
``lifecycle { ignore_changes = [desired_count] }`` is invisible in the state, so say it in
``.driftignore`` instead, for one service or for all of them::

    aws_ecs_service.*.desired_count

moto uses short service ARNs unless the account setting ``serviceLongArnFormat`` is on (the
emulated account turns it on, as AWS has it), ignores the deployment settings, capacity
provider strategy, grace period and ECS Exec flag on CreateService (UpdateService sets them),
and keeps a task definition given to UpdateService as written (AWS reports its ARN). The
declared DescribeServices minimum assumes services fill their clusters' batches of 10.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl.iac.instance import StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import ecs, elbv2
from driftctl.types.build import BuildContext, Builder, tags_of
from driftctl.types.fixes import scalar_fix
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

RESOURCE_TYPE = "ECS_SERVICE"


def _same_task_definition(expected: Any, actual: Any) -> bool:
    # A family alone runs the family's latest revision.
    return (
        isinstance(expected, str) and ":" not in expected and str(actual).split(":")[0] == expected
    )


def _strategy_key(provider: Any, weight: Any, base: Any) -> str:
    return f"{provider} weight={int(weight or 0)} base={int(base or 0)}"


def _load_balancer_key(target: Any, container: Any, port: Any) -> str:
    # A target group by its name (unique in its region), a classic load balancer by its own.
    return f"{elbv2.target_group_name(target)} -> {container}:{port}"


def _blocks(inst: StateInstance, name: str) -> list[Mapping[str, Any]] | str | None:
    raw = inst.get(name)
    if raw == SENSITIVE:
        return SENSITIVE
    return [b for b in raw if isinstance(b, Mapping)] if isinstance(raw, list) else None


def _state_strategy(inst: StateInstance) -> Any:
    blocks = _blocks(inst, "capacity_provider_strategy")
    if not isinstance(blocks, list):
        return blocks
    return sorted(
        {_strategy_key(b.get("capacity_provider"), b.get("weight"), b.get("base")) for b in blocks}
    )


def _state_load_balancers(inst: StateInstance) -> Any:
    blocks = _blocks(inst, "load_balancer")
    if not isinstance(blocks, list):
        return blocks
    return sorted(
        {
            _load_balancer_key(
                b.get("target_group_arn") or b.get("elb_name"),
                b.get("container_name"),
                b.get("container_port"),
            )
            for b in blocks
        }
    )


SCHEMA: dict[str, Attr] = {
    "task_definition": Attr(
        read=lambda inst: ecs.task_definition_ref(inst.get("task_definition")),
        same=_same_task_definition,
        doc="family:revision",
    ),
    "desired_count": Attr(
        type=int, doc="under autoscaling: `aws_ecs_service.*.desired_count` in .driftignore"
    ),
    "launch_type": Attr(empty_is_unset=True),
    "capacity_provider_strategy": Attr(
        Kind.SET, read=_state_strategy, doc="`PROVIDER weight=W base=B` keys"
    ),
    "network_configuration": Attr(
        Kind.OBJECT,
        fields={
            "subnets": Attr(Kind.SET),
            "security_groups": Attr(Kind.SET),
            "assign_public_ip": Attr(type=bool, default=False),
        },
    ),
    "load_balancer": Attr(
        Kind.SET, read=_state_load_balancers, doc="`TARGET_GROUP -> CONTAINER:PORT` keys"
    ),
    "deployment_maximum_percent": Attr(type=int, default=200),
    "deployment_minimum_healthy_percent": Attr(type=int, default=100),
    "deployment_circuit_breaker": Attr(
        Kind.OBJECT,
        fields={
            "enable": Attr(type=bool, default=False),
            "rollback": Attr(type=bool, default=False),
        },
    ),
    "deployment_controller": Attr(
        tf=("deployment_controller.0.type",), empty_is_unset=True, default="ECS"
    ),
    "health_check_grace_period_seconds": Attr(type=int, default=0),
    "enable_execute_command": Attr(type=bool, default=False),
    "propagate_tags": Attr(empty_is_unset=True, default="NONE"),
    "platform_version": Attr(empty_is_unset=True),
    "scheduling_strategy": Attr(empty_is_unset=True, default="REPLICA"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every service of every cluster in ``region``; AWS errors propagate to the runner."""
    from botocore.exceptions import ClientError

    ecs_client = ecs.client(ctx, region)

    def services_of(cluster: str) -> list[ActualResource]:
        try:
            pages = ecs_client.get_paginator("list_services").paginate(
                cluster=cluster, PaginationConfig={"PageSize": ctx.page_size_for(*ecs.LIST_PAGE)}
            )
            arns = [a for page in pages for a in page.get("serviceArns", []) if isinstance(a, str)]
            found: list[ActualResource] = []
            for batch in ecs.batches(arns, ecs.SERVICES_PER_CALL):
                answer = ecs_client.describe_services(
                    cluster=cluster, services=batch, include=["TAGS"]
                )
                found.extend(
                    to_resource(s, cluster, region, ctx.account_id)
                    for s in answer.get("services", [])
                    if isinstance(s, Mapping)
                    and s.get("serviceArn")
                    and s.get("status") == "ACTIVE"
                )
        except ClientError as exc:
            if ecs.error_code(exc) in ecs.NOT_FOUND:
                return []
            raise
        return found

    clusters = ecs.cluster_arns(ctx, region)
    return Collected(
        resources=[r for found in ecs.concurrently(ctx, clusters, services_of) for r in found]
    )


def to_resource(
    service: Mapping[str, Any], cluster: str, region: str, account_id: str | None
) -> ActualResource:
    """One DescribeServices item in the canonical form."""
    deployment = service.get("deploymentConfiguration") or {}
    breaker = deployment.get("deploymentCircuitBreaker") or {}
    network = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    attributes: dict[str, Any] = {
        "cluster": service.get("clusterArn") or cluster,
        "task_definition": ecs.task_definition_ref(service.get("taskDefinition")),
        "desired_count": service.get("desiredCount"),
        "launch_type": service.get("launchType"),
        "capacity_provider_strategy": sorted(
            {
                _strategy_key(s.get("capacityProvider"), s.get("weight"), s.get("base"))
                for s in service.get("capacityProviderStrategy") or []
                if isinstance(s, Mapping)
            }
        ),
        "network_configuration": {
            "subnets": ecs.strings(network.get("subnets") or []),
            "security_groups": ecs.strings(network.get("securityGroups") or []),
            "assign_public_ip": network.get("assignPublicIp") == "ENABLED",
        },
        "load_balancer": sorted(
            {
                _load_balancer_key(
                    b.get("targetGroupArn") or b.get("loadBalancerName"),
                    b.get("containerName"),
                    b.get("containerPort"),
                )
                for b in service.get("loadBalancers") or []
                if isinstance(b, Mapping)
            }
        ),
        "deployment_maximum_percent": deployment.get("maximumPercent"),
        "deployment_minimum_healthy_percent": deployment.get("minimumHealthyPercent"),
        "deployment_circuit_breaker": {
            "enable": breaker.get("enable"),
            "rollback": breaker.get("rollback"),
        },
        "deployment_controller": (service.get("deploymentController") or {}).get("type"),
        "health_check_grace_period_seconds": service.get("healthCheckGracePeriodSeconds"),
        "enable_execute_command": service.get("enableExecuteCommand"),
        "propagate_tags": service.get("propagateTags"),
        "platform_version": service.get("platformVersion"),
        "scheduling_strategy": service.get("schedulingStrategy"),
        "tags": ecs.tags(service.get("tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(service["serviceArn"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------
# Only settings UpdateService changes on their own: the network configuration, load balancers
# and deployment settings take more than the compared values (a new deployment, alarms).


def _update(query: FixQuery, *, restart: bool = False, **params: Any) -> Call:
    cluster = query.actual.get("cluster") or query.expected.get("cluster")
    target = {"cluster": str(cluster), "service": query.resource_id}
    return Call(ecs.SERVICE, "UpdateService", {**target, **params}, restart=restart)


FIXES = (
    scalar_fix(
        "desired_count",
        lambda q, count: _update(q, desiredCount=int(count)),
        doc="desired_count (ecs:UpdateService)",
    ),
    scalar_fix(
        "task_definition",
        lambda q, ref: _update(q, taskDefinition=str(ref), restart=True),
        doc="task_definition (ecs:UpdateService: a new deployment replaces the tasks)",
    ),
    scalar_fix(
        "enable_execute_command",
        lambda q, on: _update(q, enableExecuteCommand=bool(on)),
        doc="enable_execute_command (ecs:UpdateService; running tasks keep theirs)",
    ),
    ecs.tags_fix(),
)


# -- building in an emulated account ---------------------------------------------------------


def _first(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return {}


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    client = ctx.client(ecs.SERVICE)
    # AWS's default since 2021; moto's only when asked.
    client.put_account_setting(name="serviceLongArnFormat", value="enabled")
    extra: dict[str, Any] = {}
    network = _first(attrs.get("network_configuration"))
    if network:
        extra["networkConfiguration"] = {
            "awsvpcConfiguration": {
                "subnets": [ctx.id(s) for s in network.get("subnets") or []],
                "securityGroups": [ctx.id(g) for g in network.get("security_groups") or []],
                "assignPublicIp": "ENABLED" if network.get("assign_public_ip") else "DISABLED",
            }
        }
    balancers = [
        {
            "targetGroupArn": ctx.id(b["target_group_arn"]),
            "containerName": b["container_name"],
            "containerPort": int(b["container_port"]),
        }
        for b in attrs.get("load_balancer") or []
        if b.get("target_group_arn")
    ]
    if balancers:
        extra["loadBalancers"] = balancers
    for key, name in (
        ("launch_type", "launchType"),
        ("platform_version", "platformVersion"),
        ("propagate_tags", "propagateTags"),
        ("scheduling_strategy", "schedulingStrategy"),
    ):
        if attrs.get(key):
            extra[name] = attrs[key]
    tags = tags_of(attrs)
    if tags:
        extra["tags"] = ecs.tag_list(tags)
    service = client.create_service(
        cluster=ctx.id(attrs["cluster"]),
        serviceName=attrs["name"],
        taskDefinition=ctx.id(attrs["task_definition"]),
        desiredCount=int(attrs.get("desired_count") or 0),
        **extra,
    )["service"]
    ctx.remember(attrs.get("id"), service["serviceArn"])
    breaker = _first(attrs.get("deployment_circuit_breaker"))
    later: dict[str, Any] = {
        "deploymentConfiguration": {
            "maximumPercent": int(attrs.get("deployment_maximum_percent") or 200),
            "minimumHealthyPercent": int(attrs.get("deployment_minimum_healthy_percent") or 100),
            "deploymentCircuitBreaker": {
                "enable": bool(breaker.get("enable")),
                "rollback": bool(breaker.get("rollback")),
            },
        },
        "healthCheckGracePeriodSeconds": int(attrs.get("health_check_grace_period_seconds") or 0),
        "enableExecuteCommand": bool(attrs.get("enable_execute_command")),
    }
    strategy = [
        {
            "capacityProvider": s["capacity_provider"],
            "weight": int(s.get("weight") or 0),
            "base": int(s.get("base") or 0),
        }
        for s in attrs.get("capacity_provider_strategy") or []
    ]
    if strategy:
        later["capacityProviderStrategy"] = strategy
    client.update_service(cluster=ctx.id(attrs["cluster"]), service=attrs["name"], **later)


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="ECS service",
    with_article="an ECS service",
    sarif_name="ECSService",
    terraform=(
        TerraformType(
            "aws_ecs_service",
            id=("id", "arn"),
            not_compared={
                "cluster": "part of the id",
                "name": "part of the id",
                "iam_role": "not compared yet",
                "force_new_deployment": "Terraform-only",
                "force_delete": "Terraform-only",
                "wait_for_steady_state": "Terraform-only",
                "triggers": "Terraform-only",
                "timeouts": "Terraform-only",
                "ordered_placement_strategy": "not compared yet",
                "placement_constraints": "not compared yet",
                "service_registries": "not compared yet",
                "service_connect_configuration": "not compared yet",
                "alarms": "not compared yet",
                "enable_ecs_managed_tags": "not compared yet",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=ecs.SERVICE,
    collect=collect,
    api_calls=(
        ApiCall(
            ecs.LIST_CLUSTERS.operation, per="parent", parent="cluster", page_size=ecs.LIST_PAGE[1]
        ),
        ApiCall("ecs:ListServices", per="parent", parent="cluster"),
        ApiCall("ecs:DescribeServices", per="resource", page_size=ecs.SERVICES_PER_CALL),
    ),
    schema=SCHEMA,
    id_doc="service ARN",
    fixes=FIXES,
    builders={
        "aws_ecs_service": Builder(
            _build,
            after=(
                "aws_ecs_cluster",
                "aws_ecs_task_definition",
                "aws_subnet",
                "aws_security_group",
                "aws_lb_target_group",
                "aws_iam_role",
            ),
        )
    },
)
