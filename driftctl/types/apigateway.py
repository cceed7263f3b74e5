"""What the API Gateway REST types share: the GetRestApis listing (500 a page, once per scan
and region for every type that needs it), the GetResources listing of one REST API with its
methods embedded (one listing for the resource and the method types), the REST APIs a scan
reads children of, and how API Gateway spells its policies.

API Gateway answers a REST API's policy as JSON whose quotes are escaped once more
(``{\\"Version\\":…}``); moto answers it as it was sent. Both read the same. AWS also writes
the ``execute-api:/…`` shorthand of a policy's ``Resource`` as the API's full ARN
(``arn:aws:execute-api:us-east-1:123456789012:abc123/…``): both forms read as the shorthand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from driftctl import normalize
from driftctl.scanner.base import ScanContext, ScanError
from driftctl.types.spec import ApiCall

SERVICE = "apigateway"
# How botocore names the service in API-call counts (``api-gateway:…``).
OPERATION_PREFIX = "api-gateway"
# GetRestApis and GetResources accept a limit of 1..500.
PAGE = (1, 500)
NOT_FOUND = "NotFoundException"
_EXECUTE_API_ARN = re.compile(r"^arn:aws[\w-]*:execute-api:[\w-]*:\d{12}:[A-Za-z0-9]+/")


def operation(name: str) -> str:
    """``GetRestApis`` as it appears in API-call counts."""
    return f"{OPERATION_PREFIX}:{name}"


LIST_REST_APIS = ApiCall(operation("GetRestApis"), per="region", page_size=PAGE[1])


def api_id(value: str) -> str:
    """The REST API id from an id or an ARN (``arn:aws:apigateway:us-east-1::/restapis/ID``)."""
    if value.startswith("arn:") and "/restapis/" in value:
        return value.split("/restapis/", 1)[1].split("/", 1)[0]
    return value


def rest_apis(ctx: ScanContext, region: str) -> list[Any]:
    """Every REST API of ``region`` (GetRestApis), listed once per scan for every type."""

    def load() -> list[Any]:
        pages = (
            ctx.aws.client(SERVICE, region)
            .get_paginator("get_rest_apis")
            .paginate(PaginationConfig={"PageSize": ctx.page_size_for(*PAGE)})
        )
        return [api for page in pages for api in page.get("items", []) if api.get("id")]

    found: list[Any] = ctx.shared(f"apigateway:rest_apis:{region}", load)
    return found


def declared_apis(ctx: ScanContext) -> list[str]:
    """The REST API ids the IaC names: the REST APIs it declares, and the parents of the
    stages and methods it declares (the part of their id before the first ``/``)."""
    found = set(ctx.expected_ids.get("API_GATEWAY_REST_API", frozenset()))
    for rtype in ("API_GATEWAY_STAGE", "API_GATEWAY_METHOD"):
        found |= {i.split("/", 1)[0] for i in ctx.expected_ids.get(rtype, frozenset()) if "/" in i}
    return sorted(found)


def named_apis(ctx: ScanContext, region: str) -> list[str]:
    """The REST APIs of ``region`` the IaC names (GetRestApis, shared)."""
    listed = {str(api["id"]) for api in rest_apis(ctx, region)}
    return [a for a in declared_apis(ctx) if a in listed]


def is_not_found(exc: BaseException) -> bool:
    """Whether an API Gateway error says the object is gone (or was never there)."""
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == NOT_FOUND


def trees(
    ctx: ScanContext, region: str, resource_type: str
) -> tuple[list[tuple[str, list[Any]]], list[ScanError]]:
    """(REST API id, its resources with their methods) for each REST API of ``region`` the
    IaC names and declares some of the tree of, and the failure (one per region) of those
    that could not be read."""
    from botocore.exceptions import BotoCoreError, ClientError

    from driftctl.scanner.details import Detail, failed, read_each

    out: list[tuple[str, list[Any]]] = []

    def read(rest_api: str) -> Detail:
        try:
            items = resources(ctx, region, rest_api)
        except (BotoCoreError, ClientError) as exc:
            return failed((region,), f"resources of REST API {rest_api}", exc)
        if items is not None:
            out.append((rest_api, items))
        return Detail()

    collected = read_each(ctx, resource_type, named_apis(ctx, region), read, noun="REST APIs")
    kept = [(api, items) for api, items in out if _declares_tree(ctx, api, items)]
    return sorted(kept, key=lambda pair: pair[0]), collected.failures


def _declares_tree(ctx: ScanContext, rest_api: str, items: list[Any]) -> bool:
    """Whether the IaC declares any resource or method of this REST API. One that declares
    none has its tree made some other way (an OpenAPI ``body``, another tool): its resources
    and methods are neither compared nor unmanaged."""
    resources = ctx.expected_ids.get("API_GATEWAY_RESOURCE", frozenset())
    methods = ctx.expected_ids.get("API_GATEWAY_METHOD", frozenset())
    for item in items:
        rid = str(item["id"])
        if rid in resources:
            return True
        for verb in item.get("resourceMethods") or {}:
            if f"{rest_api}/{rid}/{str(verb).upper()}" in methods:
                return True
    return False


def resources(ctx: ScanContext, region: str, rest_api: str) -> list[Any] | None:
    """The resources of one REST API with their methods (GetResources, embed=methods), listed
    once per scan for both types; None when the API does not exist (in this region)."""

    def load() -> list[Any] | None:
        client = ctx.aws.client(SERVICE, region)
        pages = client.get_paginator("get_resources").paginate(
            restApiId=rest_api,
            embed=["methods"],
            PaginationConfig={"PageSize": ctx.page_size_for(*PAGE)},
        )
        try:
            return [item for page in pages for item in page.get("items", []) if item.get("id")]
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise

    found: list[Any] | None = ctx.shared(f"apigateway:resources:{region}:{rest_api}", load)
    return found


# -- policies --------------------------------------------------------------------------------


def _short_resource(value: Any) -> Any:
    if isinstance(value, str):
        return _EXECUTE_API_ARN.sub("execute-api:/", value)
    if isinstance(value, list):
        return [_short_resource(v) for v in value]
    return value


def policy_text(value: Any) -> Any:
    """A REST API policy (text as either AWS or the state holds it, or an object) parsed."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        # API Gateway's escaped form: unescape it as a JSON string body, then parse.
        return json.loads(json.loads(f'"{value}"'))


def policy(value: Any) -> dict[str, Any] | None:
    """A REST API policy in normalised form, ``Resource`` ARNs of the API in shorthand.
    Raises ValueError on text that is not JSON."""
    doc = policy_text(value)
    if doc is None:
        return None
    if not isinstance(doc, Mapping):
        raise ValueError("a policy document must be a JSON object")
    statements = doc.get("Statement") or []
    if isinstance(statements, Mapping):
        statements = [statements]
    rewritten = [
        {
            k: (_short_resource(v) if k in ("Resource", "NotResource") else v)
            for k, v in dict(st).items()
        }
        for st in statements
        if isinstance(st, Mapping)
    ]
    return normalize.policy({**doc, "Statement": rewritten})


def tags(value: Any) -> dict[str, str]:
    """A tag map as API Gateway answers it, ``aws:`` keys included (the comparer skips them)."""
    return normalize.tags(value) if isinstance(value, Mapping) else {}


def sorted_strings(values: Iterable[Any] | None) -> list[str]:
    """A list of strings as a sorted set (None: empty)."""
    return sorted({str(v) for v in values or () if v not in (None, "")})
