"""Creating the REST API family's children in an emulated account: resources, methods,
integrations and deployments, the way the provider does (used by the demo and the tests).

moto drops an integration's ``connectionId`` and ``cacheKeyParameters`` (AWS keeps them) and
makes a deployment only for an API with at least one integrated method, as AWS does.
"""

from __future__ import annotations

from typing import Any

from driftctl.types import apigateway
from driftctl.types.build import BuildContext


def _client(ctx: BuildContext) -> Any:
    return ctx.client(apigateway.SERVICE)


def build_resource(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    """``aws_api_gateway_resource``: state order puts a parent before its children."""
    created = _client(ctx).create_resource(
        restApiId=ctx.id(str(attrs["rest_api_id"])),
        parentId=ctx.id(str(attrs["parent_id"])),
        pathPart=attrs["path_part"],
    )
    ctx.ids[str(attrs["id"])] = created["id"]


def build_method(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    """``aws_api_gateway_method``."""
    extra: dict[str, Any] = {}
    if attrs.get("authorizer_id"):
        extra["authorizerId"] = ctx.id(str(attrs["authorizer_id"]))
    if attrs.get("authorization_scopes"):
        extra["authorizationScopes"] = list(attrs["authorization_scopes"])
    if attrs.get("request_parameters"):
        extra["requestParameters"] = {k: bool(v) for k, v in attrs["request_parameters"].items()}
    if attrs.get("request_models"):
        extra["requestModels"] = dict(attrs["request_models"])
    if attrs.get("operation_name"):
        extra["operationName"] = attrs["operation_name"]
    _client(ctx).put_method(
        restApiId=ctx.id(str(attrs["rest_api_id"])),
        resourceId=ctx.id(str(attrs["resource_id"])),
        httpMethod=attrs["http_method"],
        authorizationType=attrs.get("authorization") or "NONE",
        apiKeyRequired=bool(attrs.get("api_key_required")),
        **extra,
    )


def build_integration(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    """``aws_api_gateway_integration``."""
    extra: dict[str, Any] = {}
    for key, name in (
        ("uri", "uri"),
        ("integration_http_method", "integrationHttpMethod"),
        ("connection_type", "connectionType"),
        ("connection_id", "connectionId"),
        ("credentials", "credentials"),
        ("passthrough_behavior", "passthroughBehavior"),
        ("cache_namespace", "cacheNamespace"),
        ("content_handling", "contentHandling"),
    ):
        if attrs.get(key):
            extra[name] = attrs[key]
    if extra.get("cacheNamespace") == attrs.get("resource_id"):
        extra["cacheNamespace"] = ctx.id(str(attrs["resource_id"]))
    for key, name in (
        ("request_parameters", "requestParameters"),
        ("request_templates", "requestTemplates"),
    ):
        if attrs.get(key):
            extra[name] = dict(attrs[key])
    if attrs.get("cache_key_parameters"):
        extra["cacheKeyParameters"] = list(attrs["cache_key_parameters"])
    if attrs.get("timeout_milliseconds"):
        extra["timeoutInMillis"] = int(attrs["timeout_milliseconds"])
    _client(ctx).put_integration(
        restApiId=ctx.id(str(attrs["rest_api_id"])),
        resourceId=ctx.id(str(attrs["resource_id"])),
        httpMethod=attrs["http_method"],
        type=attrs["type"],
        **extra,
    )


def build_deployment(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    """``aws_api_gateway_deployment`` (not compared: a deployment is a snapshot)."""
    created = _client(ctx).create_deployment(
        restApiId=ctx.id(str(attrs["rest_api_id"])), description=attrs.get("description") or ""
    )
    ctx.ids[str(attrs["id"])] = created["id"]


AFTER_API = ("aws_api_gateway_rest_api", "aws_api_gateway_rest_api_policy")
AFTER_RESOURCE = (*AFTER_API, "aws_api_gateway_resource", "aws_api_gateway_authorizer")
AFTER_METHOD = (*AFTER_RESOURCE, "aws_api_gateway_method")
AFTER_INTEGRATION = (*AFTER_METHOD, "aws_api_gateway_integration")
