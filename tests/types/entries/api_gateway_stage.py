"""Conformance entry of API_GATEWAY_STAGE (fixture: api_gateway_stage.tfstate)."""

from __future__ import annotations

from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._copies import copies, replace_all
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "API_GATEWAY_STAGE"
FIXTURE = "api_gateway_stage.tfstate"

PROD = "aws_api_gateway_stage.prod"
STAGING = "aws_api_gateway_stage.staging"


def _split(rid: str) -> tuple[str, str]:
    api, _, stage = rid.partition("/")
    return api, stage


def _tag(account: Account, rid: str, key: str, value: str) -> None:
    api, stage = _split(rid)
    arn = f"arn:aws:apigateway:{account.build.region}::/restapis/{api}/stages/{stage}"
    account.client("apigateway").tag_resource(resourceArn=arn, tags={key: value})


def _patch(address: str, *operations: dict[str, str]) -> Any:
    def apply(account: Account) -> None:
        api, stage = _split(account.ids[address])
        account.client("apigateway").update_stage(
            restApiId=api, stageName=stage, patchOperations=list(operations)
        )

    return apply


def _delete_staging(account: Account) -> None:
    api, stage = _split(account.ids[STAGING])
    account.client("apigateway").delete_stage(restApiId=api, stageName=stage)


def _console_stage(account: Account) -> str:
    api, _ = _split(account.ids[PROD])
    client = account.client("apigateway")
    deployment = client.get_stages(restApiId=api)["item"][0]["deploymentId"]
    client.create_stage(restApiId=api, stageName="hotfix", deploymentId=deployment)
    return f"{api}/hotfix"


def _rename(number: int, attrs: dict[str, Any]) -> dict[str, Any]:
    name = attrs.get("stage_name")
    if not name:
        return attrs
    return replace_all(
        attrs, [(f"/{name}", f"/{name}{number}"), (f"-{name}", f"-{name}{number}")]
    ) | {"stage_name": f"{name}{number}"}


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's stages (one REST API), each with its method settings."""
    return copies(FIXTURE, ["aws_api_gateway_stage", "aws_api_gateway_method_settings"], n, _rename)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, PROD),
        Mutation(
            "variable changed",
            _patch(PROD, {"op": "replace", "path": "/variables/backend", "value": "orders-dr"}),
            PROD,
            "variables.backend",
            "warning",
        ),
        Mutation(
            "variable added",
            _patch(PROD, {"op": "replace", "path": "/variables/debug", "value": "on"}),
            PROD,
            "variables.debug",
            "warning",
        ),
        Mutation(
            "description changed",
            _patch(PROD, {"op": "replace", "path": "/description", "value": "edited"}),
            PROD,
            "description",
            "warning",
        ),
        Mutation(
            "cache cluster deleted",
            _patch(PROD, {"op": "replace", "path": "/cacheClusterEnabled", "value": "false"}),
            PROD,
            "cache_cluster_enabled",
            "warning",
        ),
        Mutation(
            "tracing turned off",
            _patch(PROD, {"op": "replace", "path": "/tracingEnabled", "value": "false"}),
            PROD,
            "xray_tracing_enabled",
            "warning",
        ),
        Mutation(
            "logging raised to INFO",
            _patch(PROD, {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}),
            PROD,
            "method_settings[*/*: logging_level=INFO]",
            "warning",
        ),
        Mutation(
            "access logs turned off",
            _patch(PROD, {"op": "remove", "path": "/accessLogSettings"}),
            PROD,
            "access_log_settings.destination_arn",
            "warning",
        ),
        Mutation("created in the console", _console_stage, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete_staging, STAGING, "", "warning", "missing"),
    ),
    estate=estate,
)
