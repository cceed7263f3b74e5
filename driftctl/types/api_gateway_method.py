"""API Gateway methods (``aws_api_gateway_method`` + ``aws_api_gateway_integration``,
``aws_api_gateway_method_response`` and ``aws_api_gateway_integration_response``): read from
the same GetResources listing (methods embedded, 500 resources a page) as the resource type,
one per listed REST API the IaC names, after the shared GetRestApis. Methods of other REST
APIs are not read, so they are never unmanaged; nor are those of a REST API whose IaC declares
none of its resources or methods (its tree comes from an OpenAPI ``body`` or another tool).

resource_id is ``<rest api id>/<resource id>/<HTTP method>`` (the provider's ids,
``agm-<api>-<resource>-<METHOD>`` and ``agi-…``, read as the same). The integration merges
into its method as ``integration`` (an object: only what the state sets is compared; an
unset connection type is ``INTERNET`` and an unset timeout 29,000 ms, as in AWS). Method and
integration responses merge as the sets ``method_responses`` and ``integration_responses``,
one member per status code with its settings (``200 {"parameters": …}``); they are compared
only for a method whose responses the IaC declares. Critical: a method whose authorization
the IaC sets (``AWS_IAM``, ``CUSTOM``, ``COGNITO_USER_POOLS``) answering ``NONE``. moto
drops an integration's ``connectionId`` and ``cacheKeyParameters`` and has no UpdateMethod
(AWS has both).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl.iac.instance import StateInstance
from driftctl.resources import SENSITIVE, ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import apigateway
from driftctl.types.api_gateway_resource import TREE_CALLS
from driftctl.types.apigateway_build import (
    AFTER_METHOD,
    AFTER_RESOURCE,
    build_integration,
    build_method,
)
from driftctl.types.build import BuildContext, Builder
from driftctl.types.spec import Attr, Kind, ResourceSpec, Rule, Scope, TerraformType

if TYPE_CHECKING:
    from driftctl.diff.findings import DiffEntry, Finding

RESOURCE_TYPE = "API_GATEWAY_METHOD"
OPEN = "NONE"
_PREFIXES = ("agm-", "agi-", "agmr-", "agir-")


def method_id(rest_api: str, resource: str, http_method: str) -> str:
    """``a1b2c3d4e5/q7w8e9/GET``."""
    return f"{rest_api}/{resource}/{http_method.upper()}"


def canonical_id(value: str) -> str:
    """The method id from ``api/resource/VERB`` or the provider's ``agm-api-resource-VERB``."""
    for prefix in _PREFIXES:
        if value.startswith(prefix) and "/" not in value:
            parts = value[len(prefix) :].split("-")
            if len(parts) >= 3:
                return method_id(parts[0], parts[1], parts[2])
    return value


def _compose_id(attrs: Mapping[str, Any]) -> str | None:
    api, resource, verb = (
        attrs.get("rest_api_id"),
        attrs.get("resource_id"),
        attrs.get("http_method"),
    )
    if api and resource and verb:
        return method_id(str(api), str(resource), str(verb))
    ident = attrs.get("id")
    return canonical_id(str(ident)) if ident else None


def _opened(entry: DiffEntry, _finding: Finding) -> bool:
    expected = entry.get("expected")
    return bool(expected) and expected != OPEN and entry.get("actual") in (OPEN, None, "")


def response_key(status: Any, settings: Mapping[str, Any]) -> str:
    """One response as a set member: its status code, then its non-empty settings as JSON."""
    kept = {k: v for k, v in sorted(settings.items()) if v not in (None, "", {}, [])}
    return f"{status} {json.dumps(kept, sort_keys=True)}" if kept else str(status)


# -- reading the state -------------------------------------------------------------------------


def _map(value: Any) -> dict[str, Any]:
    # Static parameter values can carry credentials: secret-looking keys are masked. AWS
    # answers an empty template as null, the state holds "".
    if not isinstance(value, Mapping):
        return {}
    return mask_secret_values({k: "" if v is None else v for k, v in value.items()})


def _integration(inst: StateInstance) -> dict[str, Any]:
    a = inst.attrs
    if any(inst.is_sensitive(k) for k in ("uri", "credentials", "request_templates")):
        return {"integration": SENSITIVE}
    integration: dict[str, Any] = {
        "type": a.get("type"),
        "uri": a.get("uri"),
        "integration_http_method": a.get("integration_http_method"),
        "connection_type": a.get("connection_type"),
        "connection_id": a.get("connection_id"),
        "credentials": a.get("credentials"),
        "passthrough_behavior": a.get("passthrough_behavior"),
        "content_handling": a.get("content_handling"),
        "timeout_milliseconds": a.get("timeout_milliseconds"),
        "request_parameters": _map(a.get("request_parameters")),
        "request_templates": _map(a.get("request_templates")),
        "cache_key_parameters": apigateway.sorted_strings(a.get("cache_key_parameters")),
    }
    return {"integration": {k: v for k, v in integration.items() if v is not None}}


def _method_response(inst: StateInstance) -> dict[str, Any]:
    a = inst.attrs
    settings = {
        "models": _map(a.get("response_models")),
        "parameters": _map(a.get("response_parameters")),
    }
    return {"method_responses": [response_key(a.get("status_code"), settings)]}


def _integration_response(inst: StateInstance) -> dict[str, Any]:
    a = inst.attrs
    settings = {
        "selection_pattern": a.get("selection_pattern"),
        "content_handling": a.get("content_handling"),
        "parameters": _map(a.get("response_parameters")),
        "templates": _map(a.get("response_templates")),
    }
    return {"integration_responses": [response_key(a.get("status_code"), settings)]}


_MAP = Attr(Kind.MAP)
SCHEMA: dict[str, Attr] = {
    "rest_api_id": Attr(),
    "resource_id": Attr(),
    "http_method": Attr(),
    "authorization": Attr(),
    "authorizer_id": Attr(),
    "authorization_scopes": Attr(Kind.SET),
    "api_key_required": Attr(type=bool, default=False),
    "request_parameters": _MAP,
    "request_models": _MAP,
    "request_validator_id": Attr(),
    "operation_name": Attr(),
    "integration": Attr(
        Kind.OBJECT,
        read=lambda _inst: None,
        fields={
            "connection_type": Attr(default="INTERNET"),
            "timeout_milliseconds": Attr(type=int, default=29000),
            "request_parameters": _MAP,
            "request_templates": _MAP,
            "cache_key_parameters": Attr(Kind.SET),
        },
        doc="aws_api_gateway_integration",
    ),
    "method_responses": Attr(
        Kind.SET, read=lambda _inst: None, doc="aws_api_gateway_method_response: status settings"
    ),
    "integration_responses": Attr(
        Kind.SET,
        read=lambda _inst: None,
        doc="aws_api_gateway_integration_response: status settings",
    ),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """The methods of the REST APIs the IaC names in ``region``. Listing errors propagate;
    a failed GetResources spoils its region only."""
    found, failures = apigateway.trees(ctx, region, RESOURCE_TYPE)
    methods = [
        to_resource(rest_api, str(item["id"]), method, region, ctx.account_id)
        for rest_api, items in found
        for item in items
        for method in (item.get("resourceMethods") or {}).values()
        if isinstance(method, Mapping) and method.get("httpMethod")
    ]
    return Collected(resources=methods, failures=failures)


def _aws_integration(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {
        "type": value.get("type"),
        "uri": value.get("uri"),
        "integration_http_method": value.get("httpMethod"),
        "connection_type": value.get("connectionType"),
        "connection_id": value.get("connectionId"),
        "credentials": value.get("credentials"),
        "passthrough_behavior": value.get("passthroughBehavior"),
        "content_handling": value.get("contentHandling"),
        "timeout_milliseconds": value.get("timeoutInMillis"),
        "request_parameters": _map(value.get("requestParameters")),
        "request_templates": _map(value.get("requestTemplates")),
        "cache_key_parameters": apigateway.sorted_strings(value.get("cacheKeyParameters")),
    }


def to_resource(
    rest_api: str,
    resource: str,
    method: Mapping[str, Any],
    region: str,
    account_id: str | None,
) -> ActualResource:
    """One embedded method of a GetResources item in the canonical form."""
    integration = method.get("methodIntegration")
    method_responses = [
        response_key(
            r.get("statusCode") or code,
            {
                "models": _map(r.get("responseModels")),
                "parameters": _map(r.get("responseParameters")),
            },
        )
        for code, r in (method.get("methodResponses") or {}).items()
        if isinstance(r, Mapping)
    ]
    integration_responses = [
        response_key(
            r.get("statusCode") or code,
            {
                "selection_pattern": r.get("selectionPattern"),
                "content_handling": r.get("contentHandling"),
                "parameters": _map(r.get("responseParameters")),
                "templates": _map(r.get("responseTemplates")),
            },
        )
        for code, r in ((integration or {}).get("integrationResponses") or {}).items()
        if isinstance(r, Mapping)
    ]
    verb = str(method["httpMethod"])
    attributes: dict[str, Any] = {
        "rest_api_id": rest_api,
        "resource_id": resource,
        "http_method": verb,
        "authorization": method.get("authorizationType"),
        "authorizer_id": method.get("authorizerId"),
        "authorization_scopes": apigateway.sorted_strings(method.get("authorizationScopes")),
        "api_key_required": bool(method.get("apiKeyRequired")),
        "request_parameters": _map(method.get("requestParameters")),
        "request_models": _map(method.get("requestModels")),
        "request_validator_id": method.get("requestValidatorId"),
        "operation_name": method.get("operationName"),
        "integration": _aws_integration(integration),
        "method_responses": sorted(method_responses),
        "integration_responses": sorted(integration_responses),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=method_id(rest_api, resource, verb),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- building in an emulated account ---------------------------------------------------------


def _build_method_response(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client(apigateway.SERVICE).put_method_response(
        restApiId=ctx.id(str(attrs["rest_api_id"])),
        resourceId=ctx.id(str(attrs["resource_id"])),
        httpMethod=attrs["http_method"],
        statusCode=str(attrs["status_code"]),
        responseModels=_map(attrs.get("response_models")),
        responseParameters={k: bool(v) for k, v in _map(attrs.get("response_parameters")).items()},
    )


def _build_integration_response(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if attrs.get("selection_pattern"):
        extra["selectionPattern"] = attrs["selection_pattern"]
    if attrs.get("content_handling"):
        extra["contentHandling"] = attrs["content_handling"]
    ctx.client(apigateway.SERVICE).put_integration_response(
        restApiId=ctx.id(str(attrs["rest_api_id"])),
        resourceId=ctx.id(str(attrs["resource_id"])),
        httpMethod=attrs["http_method"],
        statusCode=str(attrs["status_code"]),
        responseParameters=_map(attrs.get("response_parameters")),
        responseTemplates=_map(attrs.get("response_templates")),
        **extra,
    )


def _child(name: str, read: Any, not_compared: Mapping[str, str] | None = None) -> TerraformType:
    return TerraformType(
        name,
        id=("rest_api_id", "resource_id", "http_method"),
        compose_id=_compose_id,
        read=read,
        parent=True,
        not_compared=not_compared or {},
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="API Gateway method",
    with_article="an API Gateway method",
    sarif_name="ApiGatewayMethod",
    terraform=(
        TerraformType(
            "aws_api_gateway_method",
            id=("rest_api_id", "resource_id", "http_method"),
            compose_id=_compose_id,
        ),
        _child(
            "aws_api_gateway_integration",
            _integration,
            {
                "cache_namespace": "AWS sets it to the resource id",
                "tls_config": "not compared yet",
            },
        ),
        _child("aws_api_gateway_method_response", _method_response),
        _child("aws_api_gateway_integration_response", _integration_response),
    ),
    scope=Scope.REGIONAL,
    service=apigateway.SERVICE,
    collect=collect,
    api_calls=TREE_CALLS,
    schema=SCHEMA,
    canonical_id=canonical_id,
    id_doc="rest api id/resource id/HTTP method",
    rules=(
        Rule(
            "authorization",
            _opened,
            doc="a method the IaC guards with an authorizer or IAM answers without one",
        ),
    ),
    builders={
        "aws_api_gateway_method": Builder(build_method, after=AFTER_RESOURCE),
        "aws_api_gateway_integration": Builder(build_integration, after=AFTER_METHOD),
        "aws_api_gateway_method_response": Builder(_build_method_response, after=AFTER_METHOD),
        "aws_api_gateway_integration_response": Builder(
            _build_integration_response,
            after=(*AFTER_METHOD, "aws_api_gateway_integration", "aws_api_gateway_method_response"),
        ),
    },
)
