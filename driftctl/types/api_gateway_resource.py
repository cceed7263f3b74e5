"""API Gateway resources (``aws_api_gateway_resource``): the path tree of a REST API. After
the GetRestApis listing (shared), one GetResources with the methods embedded (500 a page) per
listed REST API the IaC names (as a REST API, or as the parent of a stage or method it
declares), shared with the method type: one listing for both. Resources of other REST APIs
are not read, so they are never unmanaged; nor are those of a REST API whose IaC declares none
of its resources or methods (its tree comes from an OpenAPI ``body`` or another tool).

resource_id is the resource id AWS gives it. Compared: the REST API, the parent and the path
part; ``path`` is computed from them. Each REST API's root resource (``/``, no parent) is
created by AWS with the API: never unmanaged. moto answers GetResources with every method
embedded whatever ``embed`` asks and in one page whatever its limit (AWS pages), and has no
UpdateResource (AWS does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import apigateway
from driftctl.types.apigateway_build import AFTER_API, build_resource
from driftctl.types.build import Builder
from driftctl.types.spec import ApiCall, Attr, ResourceSpec, Scope, TerraformType

RESOURCE_TYPE = "API_GATEWAY_RESOURCE"

# The calls of both types the GetResources listing serves.
TREE_CALLS = (
    # The REST APIs are listed (and pages counted) whatever their resources.
    ApiCall(
        apigateway.LIST_REST_APIS.operation,
        per="parent",
        parent="rest_api_id",
        page_size=apigateway.PAGE[1],
    ),
    ApiCall(
        apigateway.operation("GetResources"),
        per="parent",
        parent="rest_api_id",
        managed_only=True,
    ),
)

SCHEMA: dict[str, Attr] = {
    "rest_api_id": Attr(),
    "parent_id": Attr(),
    "path_part": Attr(),
}


def collect(ctx: ScanContext, region: str) -> Collected:
    """The resources of the REST APIs the IaC names in ``region``. Listing errors propagate;
    a failed GetResources spoils its region only."""
    found, failures = apigateway.trees(ctx, region, RESOURCE_TYPE)
    resources = [
        to_resource(rest_api, item, region, ctx.account_id)
        for rest_api, items in found
        for item in items
    ]
    return Collected(resources=resources, failures=failures)


def to_resource(
    rest_api: str, item: Mapping[str, Any], region: str, account_id: str | None
) -> ActualResource:
    """One GetResources item in the canonical form."""
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(item["id"]),
        region=region,
        attributes={
            "rest_api_id": rest_api,
            "parent_id": item.get("parentId"),
            "path_part": item.get("pathPart"),
            "path": item.get("path"),
        },
        account_id=account_id,
    )


def is_root(attributes: Mapping[str, Any]) -> bool:
    """A REST API's root resource, which AWS creates with the API."""
    return not attributes.get("parent_id") and attributes.get("path") in (None, "/")


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="API Gateway resource",
    with_article="an API Gateway resource",
    sarif_name="ApiGatewayResource",
    terraform=(TerraformType("aws_api_gateway_resource", id=("id",)),),
    scope=Scope.REGIONAL,
    service=apigateway.SERVICE,
    collect=collect,
    api_calls=TREE_CALLS,
    schema=SCHEMA,
    id_doc="resource id",
    is_default=is_root,
    builders={"aws_api_gateway_resource": Builder(build_resource, after=AFTER_API)},
)
