"""Conformance entry of API_GATEWAY_REST_API (fixture: api_gateway_rest_api.tfstate).

moto's TagResource tags stages only: the tag mutation edits the emulated REST API's tags in
moto's backend, the way AWS's TagResource on the REST API ARN would.
"""

from __future__ import annotations

import json
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._copies import copies, replace_all
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "API_GATEWAY_REST_API"
FIXTURE = "api_gateway_rest_api.tfstate"

ORDERS = "aws_api_gateway_rest_api.orders"
LEGACY = "aws_api_gateway_rest_api.legacy"
OPEN = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*",
        }
    ],
}


def _tag(account: Account, rid: str, key: str, value: str) -> None:
    from moto.apigateway.models import apigateway_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    api = apigateway_backends[DEFAULT_ACCOUNT_ID][account.build.region].apis[rid]
    api.tags = {**(api.tags or {}), key: value}


def _patch(address: str, *operations: dict[str, str]) -> Any:
    def apply(account: Account) -> None:
        account.client("apigateway").update_rest_api(
            restApiId=account.ids[address], patchOperations=list(operations)
        )

    return apply


def _delete_legacy(account: Account) -> None:
    account.client("apigateway").delete_rest_api(restApiId=account.ids[LEGACY])


def _console(policy: dict[str, Any] | None) -> Any:
    def apply(account: Account) -> str:
        extra = {"policy": json.dumps(policy)} if policy else {}
        created = account.client("apigateway").create_rest_api(name="scratch", **extra)
        return str(created["id"])

    return apply


def _rename(number: int, attrs: dict[str, Any]) -> dict[str, Any]:
    ident = str(attrs.get("rest_api_id") or attrs["id"])
    # API ids are 10 characters: keep the length, make each copy's unique.
    new = f"{ident[:6]}{number:04d}"
    pairs = [(ident, new)]
    if attrs.get("name"):
        pairs.append((str(attrs["name"]), f"{attrs['name']}-{number}"))
    if attrs.get("root_resource_id"):
        root = str(attrs["root_resource_id"])
        pairs.append((root, f"{root[:6]}{number:04d}"))
    return replace_all(attrs, pairs)


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's REST APIs, each with its policy."""
    types = ["aws_api_gateway_rest_api", "aws_api_gateway_rest_api_policy"]
    return copies(FIXTURE, types, n, _rename)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, ORDERS),
        Mutation(
            "description changed",
            _patch(ORDERS, {"op": "replace", "path": "/description", "value": "edited"}),
            ORDERS,
            "description",
            "warning",
        ),
        Mutation(
            "renamed",
            _patch(ORDERS, {"op": "replace", "path": "/name", "value": "orders-api-old"}),
            ORDERS,
            "name",
            "warning",
        ),
        Mutation(
            "endpoint type switched to EDGE",
            _patch(
                ORDERS,
                {"op": "replace", "path": "/endpointConfiguration/types/REGIONAL", "value": "EDGE"},
            ),
            ORDERS,
            "endpoint_configuration.types[EDGE]",
            "warning",
        ),
        Mutation(
            "policy opened to anyone",
            _patch(ORDERS, {"op": "replace", "path": "/policy", "value": json.dumps(OPEN)}),
            ORDERS,
            "policy",
            "critical",
        ),
        Mutation(
            "a policy added where there was none",
            _patch(LEGACY, {"op": "replace", "path": "/policy", "value": json.dumps(OPEN)}),
            LEGACY,
            "policy",
            "critical",
        ),
        Mutation("created in the console", _console(None), None, "", "info", "unmanaged"),
        Mutation(
            "created in the console, open to anyone",
            _console(OPEN),
            None,
            "",
            "critical",
            "unmanaged",
        ),
        Mutation("deleted", _delete_legacy, LEGACY, "", "warning", "missing"),
    ),
    estate=estate,
)
