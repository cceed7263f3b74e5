"""API Gateway stages (``aws_api_gateway_stage`` + ``aws_api_gateway_method_settings``): the
GetRestApis listing (shared with the other API Gateway types), then one GetStages for each
listed REST API the IaC names (as a REST API, or as the parent of a stage or method it
declares). Stages of other REST APIs are not read, so they are never unmanaged.

resource_id is ``<rest api id>/<stage name>`` (the provider's own id, ``ags-<api>-<stage>``,
and the stage ARN read as the same). Method settings merge into their stage as
``method_settings``, a set with one member per method path and setting
(``*/*: logging_level=ERROR``), numbers in one spelling (``100`` and ``100.0`` are the same);
stage settings for a method path no ``aws_api_gateway_method_settings`` declares are compared
only when the IaC declares some for the stage. ``access_log_settings`` unset in the state
(``[]``) compares as none, so access logging turned on or off is drift either way.
``cache_cluster_size`` is compared only where the state sets it; ``web_acl_arn`` and
``invoke_url`` are computed. moto answers a stage's method settings with its own defaults
(throttling 1,000/2,000, cache encryption on) where AWS reports -1 and off: the settings are
written in full by the provider, so either way only what the state says is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from driftctl.iac.instance import StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import apigateway
from driftctl.types.apigateway_build import AFTER_INTEGRATION, build_deployment
from driftctl.types.build import BuildContext, Builder, tags_of
from driftctl.types.fixes import ADDED, map_key, partition, scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "API_GATEWAY_STAGE"
METHOD_SETTINGS = "aws_api_gateway_method_settings"

# AWS's method setting -> the provider's, in the order the provider lists them.
SETTINGS = {
    "metricsEnabled": "metrics_enabled",
    "loggingLevel": "logging_level",
    "dataTraceEnabled": "data_trace_enabled",
    "throttlingBurstLimit": "throttling_burst_limit",
    "throttlingRateLimit": "throttling_rate_limit",
    "cachingEnabled": "caching_enabled",
    "cacheTtlInSeconds": "cache_ttl_in_seconds",
    "cacheDataEncrypted": "cache_data_encrypted",
    "requireAuthorizationForCacheControl": "require_authorization_for_cache_control",
    "unauthorizedCacheControlHeaderStrategy": "unauthorized_cache_control_header_strategy",
}
# The patch path of each setting (UpdateStage), for the builder.
_PATCH = {
    "metrics_enabled": "metrics/enabled",
    "logging_level": "logging/loglevel",
    "data_trace_enabled": "logging/dataTrace",
    "throttling_burst_limit": "throttling/burstLimit",
    "throttling_rate_limit": "throttling/rateLimit",
    "caching_enabled": "caching/enabled",
    "cache_ttl_in_seconds": "caching/ttlInSeconds",
    "cache_data_encrypted": "caching/dataEncrypted",
    "require_authorization_for_cache_control": "caching/requireAuthorizationForCacheControl",
    "unauthorized_cache_control_header_strategy": "caching/unauthorizedCacheControlHeaderStrategy",
}


def stage_id(rest_api: str, stage: str) -> str:
    """``a1b2c3d4e5/prod``."""
    return f"{rest_api}/{stage}"


def canonical_id(value: str) -> str:
    """The stage id from ``api/stage``, the provider's ``ags-api-stage`` or a stage ARN."""
    if value.startswith("arn:") and "/restapis/" in value and "/stages/" in value:
        rest = value.split("/restapis/", 1)[1]
        api, _, stage = rest.partition("/stages/")
        return stage_id(api, stage)
    if value.startswith("ags-") and "/" not in value:
        api, _, stage = value[4:].partition("-")
        return stage_id(api, stage) if stage else value
    return value


def _compose_id(attrs: Mapping[str, Any]) -> str | None:
    api, stage = attrs.get("rest_api_id"), attrs.get("stage_name")
    if api and stage:
        return stage_id(str(api), str(stage))
    ident = attrs.get("id")
    return canonical_id(str(ident)) if ident else None


def setting_value(value: Any) -> str:
    """One setting's value in one spelling: ``true``, ``100`` (also for 100.0), ``ERROR``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, str):
        try:
            return setting_value(float(value))
        except ValueError:
            return value
    return str(value)


def setting_members(method_path: str, settings: Mapping[str, Any]) -> list[str]:
    """The ``method_settings`` members of one method path (settings by the provider's names)."""
    return sorted(
        f"{method_path}: {name}={setting_value(value)}"
        for name, value in settings.items()
        if value is not None and value != ""
    )


# -- reading the state -------------------------------------------------------------------------


def _method_settings(inst: StateInstance) -> dict[str, Any] | None:
    path = inst.get("method_path")
    settings = inst.get("settings")
    if path == SENSITIVE or settings == SENSITIVE:
        return {"method_settings": SENSITIVE}
    if not path or not isinstance(settings, list) or not settings:
        return None
    first = settings[0] if isinstance(settings[0], Mapping) else {}
    known = {k: v for k, v in first.items() if k in _PATCH}
    return {"method_settings": setting_members(str(path), known)}


def _access_logs(inst: StateInstance) -> Any:
    raw = inst.get("access_log_settings")
    if raw is None or raw == SENSITIVE:
        return raw
    first = raw[0] if isinstance(raw, list) and raw and isinstance(raw[0], Mapping) else {}
    return {
        "destination_arn": str(first.get("destination_arn") or ""),
        "format": str(first.get("format") or ""),
    }


SCHEMA: dict[str, Attr] = {
    "rest_api_id": Attr(),
    "deployment_id": Attr(),
    "description": Attr(),
    "cache_cluster_enabled": Attr(type=bool, default=False),
    "cache_cluster_size": Attr(empty_is_unset=True),
    "variables": Attr(Kind.MAP),
    "xray_tracing_enabled": Attr(type=bool, default=False),
    "access_log_settings": Attr(
        Kind.OBJECT,
        read=_access_logs,
        fields={"destination_arn": Attr(), "format": Attr()},
        doc="none: empty",
    ),
    "client_certificate_id": Attr(),
    "documentation_version": Attr(),
    "method_settings": Attr(
        Kind.SET, read=lambda _inst: None, doc="aws_api_gateway_method_settings: path: name=value"
    ),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """The stages of the REST APIs the IaC names in ``region``. Listing errors propagate; a
    failed GetStages spoils its region only."""
    wanted = apigateway.named_apis(ctx, region)
    client = ctx.aws.client(apigateway.SERVICE, region)

    def read(rest_api: str) -> list[ActualResource] | Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            items = client.get_stages(restApiId=rest_api).get("item", [])
        except (BotoCoreError, ClientError) as exc:
            if apigateway.is_not_found(exc):
                return []
            return failed((region,), f"stages of REST API {rest_api}", exc)
        return [
            to_resource(rest_api, stage, region, ctx.account_id)
            for stage in items
            if stage.get("stageName")
        ]

    found: list[ActualResource] = []

    def one(rest_api: str) -> Detail:
        result = read(rest_api)
        if isinstance(result, Detail):
            return result
        found.extend(result)
        return Detail()

    collected = read_each(ctx, RESOURCE_TYPE, wanted, one, noun="REST APIs")
    collected.resources.extend(sorted(found, key=lambda r: r.resource_id))
    return collected


def to_resource(
    rest_api: str, stage: Mapping[str, Any], region: str, account_id: str | None
) -> ActualResource:
    """One GetStages item in the canonical form."""
    logs = stage.get("accessLogSettings") or {}
    members: list[str] = []
    for path, settings in (stage.get("methodSettings") or {}).items():
        if isinstance(settings, Mapping):
            named = {SETTINGS[k]: v for k, v in settings.items() if k in SETTINGS}
            members.extend(setting_members(str(path), named))
    enabled = bool(stage.get("cacheClusterEnabled"))
    attributes: dict[str, Any] = {
        "rest_api_id": rest_api,
        "deployment_id": stage.get("deploymentId"),
        "description": stage.get("description"),
        "cache_cluster_enabled": enabled,
        "cache_cluster_size": stage.get("cacheClusterSize") if enabled else None,
        "variables": dict(stage.get("variables") or {}),
        "xray_tracing_enabled": bool(stage.get("tracingEnabled")),
        "access_log_settings": {
            "destination_arn": str(logs.get("destinationArn") or ""),
            "format": str(logs.get("format") or ""),
        },
        "client_certificate_id": stage.get("clientCertificateId"),
        "documentation_version": stage.get("documentationVersion"),
        "method_settings": sorted(members),
        "tags": apigateway.tags(stage.get("tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=stage_id(rest_api, str(stage["stageName"])),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------
# Not reverted: method settings (moto ignores removing a method path's settings, so a setting
# only AWS has cannot be taken back testably).


def _split(query: FixQuery) -> tuple[str, str]:
    api, _, stage = query.resource_id.partition("/")
    return api, stage


def stage_arn(query: FixQuery) -> str:
    """``arn:aws:apigateway:REGION::/restapis/API/stages/STAGE``, what TagResource takes."""
    api, stage = _split(query)
    return (
        f"arn:{partition(query.region)}:apigateway:{query.region}::/restapis/{api}/stages/{stage}"
    )


def _update(query: FixQuery, operations: list[dict[str, str]]) -> Call:
    api, stage = _split(query)
    params = {"restApiId": api, "stageName": stage, "patchOperations": operations}
    return Call(apigateway.SERVICE, "UpdateStage", params)


def _flag(value: Any) -> str:
    return "true" if value else "false"


def _replace(path: str, render: Callable[[Any], str] = str) -> Callable[[FixQuery, Any], Call]:
    def call(query: FixQuery, expected: Any) -> Call:
        return _update(query, [{"op": "replace", "path": path, "value": render(expected)}])

    return call


def _cache_cluster(query: FixQuery, expected: Any) -> Call:
    operations = [{"op": "replace", "path": "/cacheClusterEnabled", "value": _flag(expected)}]
    size = query.expected.get("cache_cluster_size")
    if expected and size:
        operations.append({"op": "replace", "path": "/cacheClusterSize", "value": str(size)})
    return _update(query, operations)


def _variables(query: FixQuery) -> list[Call]:
    operations = []
    for path, entry in sorted(query.entries.items()):
        where = f"/variables/{map_key(path)}"
        if entry.get("change") == ADDED:
            operations.append({"op": "remove", "path": where})
        else:
            operations.append({"op": "replace", "path": where, "value": str(entry["expected"])})
    return [_update(query, operations)]


def _put_access_logs(query: FixQuery) -> list[Call]:
    expected = query.expected.get("access_log_settings")
    expected = expected if isinstance(expected, Mapping) else {}
    destination, form = expected.get("destination_arn") or "", expected.get("format") or ""
    if not destination and not form:
        return [_update(query, [{"op": "remove", "path": "/accessLogSettings"}])]
    return [
        _update(
            query,
            [
                {
                    "op": "replace",
                    "path": "/accessLogSettings/destinationArn",
                    "value": destination,
                },
                {"op": "replace", "path": "/accessLogSettings/format", "value": form},
            ],
        )
    ]


FIXES = (
    scalar_fix("description", _replace("/description"), doc="description (apigateway:UpdateStage)"),
    scalar_fix(
        "xray_tracing_enabled",
        _replace("/tracingEnabled", _flag),
        doc="X-Ray tracing (apigateway:UpdateStage)",
    ),
    scalar_fix(
        "cache_cluster_enabled",
        _cache_cluster,
        doc="the cache cluster, created or deleted (apigateway:UpdateStage)",
    ),
    Fix("variables.*", _variables, doc="stage variables (apigateway:UpdateStage)"),
    Fix(
        "access_log_settings.*",
        _put_access_logs,
        doc="access logging (apigateway:UpdateStage)",
    ),
    tags_fix(
        apigateway.SERVICE,
        "TagResource",
        "UntagResource",
        lambda q: {"resourceArn": stage_arn(q)},
        style="map",
        tags_param="tags",
        keys_param="tagKeys",
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    client = ctx.client(apigateway.SERVICE)
    api = ctx.id(str(attrs["rest_api_id"]))
    extra: dict[str, Any] = {}
    if attrs.get("cache_cluster_enabled"):
        extra["cacheClusterEnabled"] = True
        if attrs.get("cache_cluster_size"):
            extra["cacheClusterSize"] = str(attrs["cache_cluster_size"])
    if attrs.get("variables"):
        extra["variables"] = dict(attrs["variables"])
    tags = tags_of(attrs)
    if tags:
        extra["tags"] = tags
    client.create_stage(
        restApiId=api,
        stageName=attrs["stage_name"],
        deploymentId=ctx.id(str(attrs["deployment_id"])),
        description=attrs.get("description") or "",
        tracingEnabled=bool(attrs.get("xray_tracing_enabled")),
        **extra,
    )
    logs = (attrs.get("access_log_settings") or [{}])[0]
    if logs.get("destination_arn"):
        client.update_stage(
            restApiId=api,
            stageName=attrs["stage_name"],
            patchOperations=[
                {
                    "op": "replace",
                    "path": "/accessLogSettings/destinationArn",
                    "value": logs["destination_arn"],
                },
                {"op": "replace", "path": "/accessLogSettings/format", "value": logs["format"]},
            ],
        )


def _build_settings(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    settings = (attrs.get("settings") or [{}])[0]
    path = str(attrs["method_path"])
    operations = [
        {"op": "replace", "path": f"/{path}/{_PATCH[name]}", "value": setting_value(value)}
        for name, value in settings.items()
        if name in _PATCH and value is not None
    ]
    ctx.client(apigateway.SERVICE).update_stage(
        restApiId=ctx.id(str(attrs["rest_api_id"])),
        stageName=attrs["stage_name"],
        patchOperations=operations,
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="API Gateway stage",
    with_article="an API Gateway stage",
    sarif_name="ApiGatewayStage",
    terraform=(
        TerraformType(
            "aws_api_gateway_stage",
            id=("rest_api_id", "stage_name"),
            compose_id=_compose_id,
            not_compared={
                "canary_settings": "not compared yet",
                "web_acl_arn": "computed",
            },
        ),
        TerraformType(
            METHOD_SETTINGS,
            id=("rest_api_id", "stage_name"),
            compose_id=_compose_id,
            read=_method_settings,
            parent=True,
        ),
    ),
    scope=Scope.REGIONAL,
    service=apigateway.SERVICE,
    collect=collect,
    api_calls=(
        # The REST APIs are listed (and pages counted) whatever their stages.
        ApiCall(
            apigateway.LIST_REST_APIS.operation,
            per="parent",
            parent="rest_api_id",
            page_size=apigateway.PAGE[1],
        ),
        ApiCall(
            apigateway.operation("GetStages"),
            per="parent",
            parent="rest_api_id",
            managed_only=True,
        ),
    ),
    schema=SCHEMA,
    canonical_id=canonical_id,
    id_doc="rest api id/stage name",
    fixes=FIXES,
    builders={
        "aws_api_gateway_stage": Builder(_build, after=("aws_api_gateway_deployment",)),
        METHOD_SETTINGS: Builder(_build_settings, after=("aws_api_gateway_stage",)),
        # A stage needs one; not compared (a deployment is a snapshot of the API).
        "aws_api_gateway_deployment": Builder(build_deployment, after=AFTER_INTEGRATION),
    },
)
