"""Conformance entry of API_GATEWAY_RESOURCE (fixture: api_gateway_resource.tfstate).

Resources carry no tags: there is no tag mutation. moto has no UpdateResource: the path and
parent changes edit the emulated resource in moto's backend, as AWS's UpdateResource would.
AWS's own root resource (``/``) of the fixture's REST API is listed by every scan and is not in
the state: the clean scan passing shows it is never unmanaged. (A scan without a state reads no
REST API's resources, so ``aws_owned`` cannot show it.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._apigw import tree_copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "API_GATEWAY_RESOURCE"
FIXTURE = "api_gateway_resource.tfstate"

ORDERS = "aws_api_gateway_resource.orders"
ITEM = "aws_api_gateway_resource.item"
API = "aws_api_gateway_rest_api.orders"


def _edit(address: str, **changes: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        from moto.apigateway.models import apigateway_backends
        from moto.core import DEFAULT_ACCOUNT_ID

        api = apigateway_backends[DEFAULT_ACCOUNT_ID][account.build.region].apis[account.ids[API]]
        resource = api.resources[account.ids[address]]
        for name, value in changes.items():
            if name == "parent_id":
                value = api.root_resource_id if value == "root" else value
            setattr(resource, name, value)

    return apply


def _delete_item(account: Account) -> None:
    account.client("apigateway").delete_resource(
        restApiId=account.ids[API], resourceId=account.ids[ITEM]
    )


def _console_resource(account: Account) -> str:
    client = account.client("apigateway")
    api = account.ids[API]
    root = client.get_rest_api(restApiId=api)["rootResourceId"]
    return str(client.create_resource(restApiId=api, parentId=root, pathPart="debug")["id"])


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's resources (``/orders`` and ``/orders/{id}``), one API."""
    return tree_copies(FIXTURE, ["aws_api_gateway_resource"], n)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation(
            "path part renamed", _edit(ITEM, path_part="{orderId}"), ITEM, "path_part", "warning"
        ),
        Mutation("moved to the root", _edit(ITEM, parent_id="root"), ITEM, "parent_id", "warning"),
        Mutation("created in the console", _console_resource, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete_item, ITEM, "", "warning", "missing"),
    ),
    estate=estate,
)
