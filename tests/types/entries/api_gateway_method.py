"""Conformance entry of API_GATEWAY_METHOD (fixture: api_gateway_method.tfstate).

Methods carry no tags: there is no tag mutation. moto has no UpdateMethod: a method is changed
the way the console replaces one (PutMethod again, then its integration put back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._apigw import tree_copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "API_GATEWAY_METHOD"
FIXTURE = "api_gateway_method.tfstate"

LIST = "aws_api_gateway_method.orders"
CREATE = "aws_api_gateway_method.item"


def _split(rid: str) -> tuple[str, str, str]:
    api, resource, verb = rid.split("/")
    return api, resource, verb


def _replace(address: str, **changes: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        api, resource, verb = _split(account.ids[address])
        client = account.client("apigateway")
        old = client.get_method(restApiId=api, resourceId=resource, httpMethod=verb)
        integration = old.get("methodIntegration") or {}
        client.put_method(
            restApiId=api,
            resourceId=resource,
            httpMethod=verb,
            authorizationType=changes.get("authorizationType", old["authorizationType"]),
            apiKeyRequired=changes.get("apiKeyRequired", old.get("apiKeyRequired", False)),
            requestParameters=old.get("requestParameters") or {},
        )
        kept = {
            k: integration[k]
            for k in ("uri", "connectionType", "passthroughBehavior", "timeoutInMillis")
            if integration.get(k)
        }
        if integration.get("httpMethod"):
            kept["integrationHttpMethod"] = integration["httpMethod"]
        client.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod=verb,
            type=changes.get("type", integration["type"]),
            cacheNamespace=integration.get("cacheNamespace") or resource,
            requestParameters=integration.get("requestParameters") or {},
            **kept,
        )

    return apply


def _delete_create(account: Account) -> None:
    api, resource, verb = _split(account.ids[CREATE])
    account.client("apigateway").delete_method(restApiId=api, resourceId=resource, httpMethod=verb)


def _console_method(account: Account) -> str:
    api, resource, _ = _split(account.ids[LIST])
    account.client("apigateway").put_method(
        restApiId=api, resourceId=resource, httpMethod="DELETE", authorizationType="NONE"
    )
    return f"{api}/{resource}/DELETE"


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's ``/orders`` tree with its methods, integrations and
    responses, under one REST API."""
    types = [
        "aws_api_gateway_resource",
        "aws_api_gateway_method",
        "aws_api_gateway_integration",
        "aws_api_gateway_method_response",
        "aws_api_gateway_integration_response",
    ]
    return tree_copies(FIXTURE, types, n)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation(
            "authorization removed",
            _replace(CREATE, authorizationType="NONE"),
            CREATE,
            "authorization",
            "critical",
        ),
        Mutation(
            "API key no longer required",
            _replace(CREATE, apiKeyRequired=False),
            CREATE,
            "api_key_required",
            "warning",
        ),
        Mutation(
            "integration switched to HTTP",
            _replace(CREATE, type="HTTP"),
            CREATE,
            "integration.type",
            "warning",
        ),
        Mutation(
            "integration response gone",
            _replace(LIST),
            LIST,
            "integration_responses[*]",
            "warning",
        ),
        Mutation("created in the console", _console_method, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete_create, CREATE, "", "warning", "missing"),
    ),
    estate=estate,
)
