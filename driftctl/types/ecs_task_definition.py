"""ECS task definitions (``aws_ecs_task_definition``), one resource per family.

resource_id is the family (Terraform's id): a revision registered out of band is drift of the
family (its ``revision`` and whatever the new revision changed), never an unmanaged resource
per revision. One paginated ListTaskDefinitionFamilies (ACTIVE) per region lists the families;
for each family the IaC declares, DescribeTaskDefinition (with tags) reads the revision in use,
the latest ACTIVE one, which is what a service naming the family runs. ECS has no batch call
for it. An unmanaged family is reported by name only.

Container definitions compare per container name, each as canonical JSON: the values AWS fills
in (``essential: true``, ``cpu: 0``, empty lists and maps, port protocol ``tcp``, a host port
equal to the container port in awsvpc and host mode) are dropped on both sides, environment
variables and secrets compare by name whatever their order, and the value of every environment
variable with a secret-looking name, and of every other key that looks secret (a log driver's
``splunk-token``, a docker label), is masked before it is kept. moto fills in fewer defaults
than AWS (no protocol, no host port), lists families whose revisions are all INACTIVE (AWS's
ACTIVE filter drops them) and describes a family's latest revision even when it is INACTIVE:
that reads as no revision in use, as on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from driftctl.iac.instance import BadValue, StateInstance, text
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import ecs
from driftctl.types.build import BuildContext, Builder, tags_of
from driftctl.types.fixes import partition
from driftctl.types.spec import (
    ApiCall,
    Attr,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "ECS_TASK_DEFINITION"
# What DescribeTaskDefinition answers for a family without an ACTIVE revision.
_GONE = frozenset({"ClientException", "TaskDefinitionNotFoundException"})


def family_of(value: str) -> str:
    """The family of a task definition ARN, ``family:revision`` or family."""
    return ecs.name_of(value).split(":", 1)[0]


def _state_containers(inst: StateInstance) -> Any:
    raw = inst.get("container_definitions")
    if raw is None or raw == "" or raw == SENSITIVE:
        return None if raw == "" else raw
    try:
        definitions = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise BadValue("container_definitions is not valid JSON") from None
    return ecs.containers(definitions, text(inst.get("network_mode"), empty_is_unset=True))


SCHEMA: dict[str, Attr] = {
    "revision": Attr(type=int, doc="the latest ACTIVE revision of the family"),
    "cpu": Attr(empty_is_unset=True),
    "memory": Attr(empty_is_unset=True),
    "network_mode": Attr(empty_is_unset=True),
    "requires_compatibilities": Attr(Kind.SET),
    "execution_role_arn": Attr(empty_is_unset=True),
    "task_role_arn": Attr(empty_is_unset=True),
    "container_definitions": Attr(
        Kind.MAP, read=_state_containers, doc="container name -> canonical definition"
    ),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every ACTIVE family of ``region``; the revision in use of the declared ones. Listing
    errors propagate; a failed describe spoils this region only."""
    ecs_client = ecs.client(ctx, region)
    pages = ecs_client.get_paginator("list_task_definition_families").paginate(
        status="ACTIVE", PaginationConfig={"PageSize": ctx.page_size_for(*ecs.LIST_PAGE)}
    )
    families = sorted(
        {f for page in pages for f in page.get("families", []) if isinstance(f, str) and f}
    )
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(family: str) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        if family not in managed:
            return Detail(resource=_resource(family, region, ctx.account_id, {}))
        try:
            answer = ecs_client.describe_task_definition(taskDefinition=family, include=["TAGS"])
        except (BotoCoreError, ClientError) as exc:
            if ecs.error_code(exc) in _GONE:
                return Detail()
            return failed((region,), f"task definition family {family}", exc)
        definition = answer.get("taskDefinition")
        if not isinstance(definition, Mapping) or definition.get("status") != "ACTIVE":
            return Detail()
        return Detail(resource=to_resource(definition, answer.get("tags"), region, ctx.account_id))

    return read_each(ctx, RESOURCE_TYPE, families, read, noun="task definition families")


def to_resource(
    definition: Mapping[str, Any], tags: Any, region: str, account_id: str | None
) -> ActualResource:
    """One DescribeTaskDefinition answer in the canonical form."""
    network_mode = definition.get("networkMode")
    attributes: dict[str, Any] = {
        "revision": definition.get("revision"),
        "cpu": definition.get("cpu"),
        "memory": definition.get("memory"),
        "network_mode": network_mode,
        "requires_compatibilities": ecs.strings(definition.get("requiresCompatibilities") or []),
        "execution_role_arn": definition.get("executionRoleArn"),
        "task_role_arn": definition.get("taskRoleArn"),
        "container_definitions": ecs.containers(
            definition.get("containerDefinitions") or [], network_mode
        ),
        "tags": ecs.tags(tags),
    }
    return _resource(str(definition.get("family")), region, account_id, attributes)


def _resource(
    family: str, region: str, account_id: str | None, attributes: dict[str, Any]
) -> ActualResource:
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=family,
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------
# Only tags: a revision cannot change, and registering one is a deployment decision.


def revision_arn(query: FixQuery) -> str:
    """The ARN of the revision in use, whose tags the family's are."""
    family, revision = query.resource_id, query.actual.get("revision")
    return (
        f"arn:{partition(query.region)}:ecs:{query.region}:{query.account_id}:"
        f"task-definition/{family}:{revision}"
    )


# -- building in an emulated account ---------------------------------------------------------


def _register(ctx: BuildContext, attrs: Mapping[str, Any]) -> str:
    extra: dict[str, Any] = {}
    for key, name in (
        ("network_mode", "networkMode"),
        ("cpu", "cpu"),
        ("memory", "memory"),
        ("execution_role_arn", "executionRoleArn"),
        ("task_role_arn", "taskRoleArn"),
    ):
        if attrs.get(key):
            extra[name] = str(attrs[key])
    if attrs.get("requires_compatibilities"):
        extra["requiresCompatibilities"] = list(attrs["requires_compatibilities"])
    tags = tags_of(attrs)
    if tags:
        extra["tags"] = ecs.tag_list(tags)
    definitions = [_as_written(d) for d in json.loads(attrs["container_definitions"])]
    answer = ctx.client(ecs.SERVICE).register_task_definition(
        family=attrs["family"], containerDefinitions=definitions, **extra
    )
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def _as_written(definition: Mapping[str, Any]) -> dict[str, Any]:
    # What a module author writes: AWS fills in the rest (the state holds AWS's answer).
    out = {k: v for k, v in definition.items() if v not in ([], {}, None) and k != "essential"}
    if definition.get("essential") is False:
        out["essential"] = False
    if isinstance(out.get("environment"), list):
        out["environment"] = list(reversed(out["environment"]))
    if isinstance(out.get("portMappings"), list):
        out["portMappings"] = [
            {k: v for k, v in p.items() if k not in ("protocol", "hostPort")}
            for p in out["portMappings"]
        ]
    return out


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    # The family's history: the revisions Terraform replaced are INACTIVE, the state's is the
    # latest ACTIVE one, with the same number.
    client = ctx.client(ecs.SERVICE)
    for _ in range(int(attrs.get("revision") or 1) - 1):
        client.deregister_task_definition(taskDefinition=_register(ctx, attrs))
    ctx.remember(attrs.get("arn"), _register(ctx, attrs))


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="ECS task definition",
    with_article="an ECS task definition",
    sarif_name="ECSTaskDefinition",
    terraform=(
        TerraformType(
            "aws_ecs_task_definition",
            id=("family", "id"),
            not_compared={
                "skip_destroy": "Terraform-only",
                "track_latest": "Terraform-only",
                "volume": "not compared yet",
                "placement_constraints": "not compared yet",
                "runtime_platform": "not compared yet",
                "ephemeral_storage": "not compared yet",
                "proxy_configuration": "not compared yet",
                "ipc_mode": "not compared yet",
                "pid_mode": "not compared yet",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=ecs.SERVICE,
    collect=collect,
    api_calls=(
        ApiCall("ecs:ListTaskDefinitionFamilies", per="region", page_size=ecs.LIST_PAGE[1]),
        ApiCall("ecs:DescribeTaskDefinition", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=family_of,
    id_doc="task definition family",
    fixes=(ecs.tags_fix(revision_arn),),
    builders={"aws_ecs_task_definition": Builder(_build, after=("aws_iam_role",))},
)
