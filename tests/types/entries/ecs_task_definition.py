"""Conformance entry of ECS_TASK_DEFINITION (fixture: ecs_task_definition.tfstate)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._estate_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "ECS_TASK_DEFINITION"
FIXTURE = "ecs_task_definition.tfstate"

WEB = "aws_ecs_task_definition.web"
WORKER = "aws_ecs_task_definition.worker"


def _latest(account: Account, family: str) -> dict[str, Any]:
    found: dict[str, Any] = account.client("ecs").describe_task_definition(taskDefinition=family)[
        "taskDefinition"
    ]
    return found


def _tag(account: Account, family: str, key: str, value: str) -> None:
    arn = _latest(account, family)["taskDefinitionArn"]
    account.client("ecs").tag_resource(resourceArn=arn, tags=[{"key": key, "value": value}])


def _new_revision(change: Callable[[dict[str, Any]], None]) -> Callable[[Account], None]:
    # A revision registered out of band (a CI job, the console): drift of the family.
    def apply(account: Account) -> None:
        current = _latest(account, account.ids[WEB])
        request: dict[str, Any] = {
            "family": current["family"],
            "containerDefinitions": current["containerDefinitions"],
            "networkMode": current["networkMode"],
            "requiresCompatibilities": current["requiresCompatibilities"],
            "cpu": current["cpu"],
            "memory": current["memory"],
            "executionRoleArn": current["executionRoleArn"],
            "taskRoleArn": current["taskRoleArn"],
        }
        change(request)
        account.client("ecs").register_task_definition(**request)

    return apply


def _more_memory(request: dict[str, Any]) -> None:
    request["memory"] = "1024"


def _other_image(request: dict[str, Any]) -> None:
    for container in request["containerDefinitions"]:
        if container["name"] == "web":
            container["image"] = container["image"].replace("1.4.2", "1.5.0-hotfix")


def _deregister(account: Account) -> None:
    arn = _latest(account, account.ids[WORKER])["taskDefinitionArn"]
    account.client("ecs").deregister_task_definition(taskDefinition=arn)


def _console_family(account: Account) -> str:
    definitions = json.loads(account.attributes(WORKER)["container_definitions"])
    account.client("ecs").register_task_definition(
        family="console-made", containerDefinitions=definitions
    )
    return "console-made"


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, WEB),
        Mutation(
            "revision registered out of band",
            _new_revision(_more_memory),
            WEB,
            "revision",
            "warning",
        ),
        Mutation(
            "image changed in a new revision",
            _new_revision(_other_image),
            WEB,
            "container_definitions.web",
            "warning",
        ),
        Mutation("family created in the console", _console_family, None, "", "info", "unmanaged"),
        Mutation("every revision deregistered", _deregister, WORKER, "", "warning", "missing"),
    ),
    estate=lambda n: copies(FIXTURE, ("aws_ecs_task_definition",), n, names=("family",)),
)
