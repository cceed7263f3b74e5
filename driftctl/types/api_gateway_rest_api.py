"""API Gateway REST APIs (``aws_api_gateway_rest_api`` + ``aws_api_gateway_rest_api_policy``):
one paginated GetRestApis per region (500 a page, shared with the other API Gateway types),
which carries every compared attribute, the policy and the tags: no per-API call.

resource_id is the REST API id; the policy resource is keyed by its ``rest_api_id``. The
policy compares semantically (see ``types.apigateway``: AWS's escaped text and its full ARNs
for ``execute-api:/…`` read as the state's). A REST API whose state says it has no policy
(``policy = ""``, what the provider writes after reading none) compares as an empty policy,
so a policy added behind Terraform's back is drift. ``minimum_compression_size`` unset reads
as -1 (what provider v4 wrote; v5 writes ``""``; AWS answers nothing). ``body`` (an OpenAPI
document imported into resources and methods) is not readable as written: not compared; nor
are ``put_rest_api_mode``, ``fail_on_warnings`` and ``parameters`` (import options).
Critical: the policy comes to grant ``Principal: *`` without a condition where the IaC's did
not, and an unmanaged REST API whose policy does. moto answers GetRestApis in one page
whatever its limit (AWS pages), drops ``binaryMediaTypes`` on create (the builder adds
them after), and keeps a policy as sent (AWS rewrites it, see above).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl.diff.conditions import became_public_unconditionally, grants_public_unconditionally
from driftctl.iac.instance import BadValue, StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext, ScanError
from driftctl.types import apigateway
from driftctl.types.build import BuildContext, Builder, tags_of
from driftctl.types.fixes import scalar_fix
from driftctl.types.spec import (
    Attr,
    Call,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

if TYPE_CHECKING:
    pass

RESOURCE_TYPE = "API_GATEWAY_REST_API"
# "No policy" on both sides: an empty policy, so a policy only AWS has compares as a change.
NO_POLICY: dict[str, Any] = {"Version": "2012-10-17", "Statement": []}
NO_COMPRESSION = -1


# -- reading the state -------------------------------------------------------------------------


def _state_policy(value: Any, *, empty_means_none: bool) -> Any:
    if value is None or value == SENSITIVE:
        return value
    if value == "":
        return dict(NO_POLICY) if empty_means_none else None
    try:
        return apigateway.policy(value) or dict(NO_POLICY)
    except (ValueError, TypeError):
        raise BadValue("a policy document is not valid JSON") from None


def _policy(inst: StateInstance) -> Any:
    return _state_policy(inst.get("policy"), empty_means_none=True)


def _policy_resource(inst: StateInstance) -> dict[str, Any] | None:
    value = _state_policy(inst.get("policy"), empty_means_none=False)
    return None if value is None else {"policy": value}


def compression(value: Any) -> Any:
    """``minimum_compression_size`` as a number, -1 when unset (``""``, -1, or nothing)."""
    if value == SENSITIVE:
        return value
    if value is None or value == "":
        return NO_COMPRESSION
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadValue(f"expected a number, got {value!r}") from None


def _compression(inst: StateInstance) -> Any:
    if "minimum_compression_size" not in inst.attrs:
        return None
    return compression(inst.get("minimum_compression_size"))


SCHEMA: dict[str, Attr] = {
    "name": Attr(),
    "description": Attr(),
    "endpoint_configuration": Attr(
        Kind.OBJECT,
        fields={"types": Attr(Kind.SET), "vpc_endpoint_ids": Attr(Kind.SET)},
    ),
    "policy": Attr(Kind.POLICY, read=_policy, doc="also aws_api_gateway_rest_api_policy"),
    "api_key_source": Attr(default="HEADER"),
    "binary_media_types": Attr(Kind.SET),
    "minimum_compression_size": Attr(type=int, read=_compression, doc="-1: disabled"),
    "disable_execute_api_endpoint": Attr(type=bool, default=False),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every REST API of ``region``. Listing errors propagate; a policy that is not JSON
    leaves the region partial."""
    collected = Collected()
    bad: list[str] = []
    for api in apigateway.rest_apis(ctx, region):
        try:
            collected.resources.append(to_resource(api, region, ctx.account_id))
        except ValueError:
            bad.append(str(api["id"]))
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        collected.failures.append(
            ScanError(
                RESOURCE_TYPE,
                region,
                "InvalidPolicy",
                f"REST API {bad[0]}: its policy is not valid JSON{more}",
            )
        )
    return collected


def to_resource(api: Mapping[str, Any], region: str, account_id: str | None) -> ActualResource:
    """One GetRestApis item in the canonical form. Raises ValueError on a policy not JSON."""
    endpoint = api.get("endpointConfiguration") or {}
    size = api.get("minimumCompressionSize")
    attributes: dict[str, Any] = {
        "name": api.get("name"),
        "description": api.get("description"),
        "endpoint_configuration": {
            "types": apigateway.sorted_strings(endpoint.get("types")),
            "vpc_endpoint_ids": apigateway.sorted_strings(endpoint.get("vpcEndpointIds")),
        },
        "policy": apigateway.policy(api.get("policy")) or dict(NO_POLICY),
        "api_key_source": api.get("apiKeySource"),
        "binary_media_types": apigateway.sorted_strings(api.get("binaryMediaTypes")),
        "minimum_compression_size": NO_COMPRESSION if size is None else int(size),
        "disable_execute_api_endpoint": bool(api.get("disableExecuteApiEndpoint")),
        "tags": apigateway.tags(api.get("tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(api["id"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------
# Not reverted: tags (moto's TagResource tags stages only, so the call cannot be tested), the
# endpoint type (a change of endpoint and DNS name, not a setting), and the settings moto's
# UpdateRestApi does not apply as AWS does (binary media types, compression, the flag).


def _replace(query: FixQuery, path: str, value: str) -> Call:
    operation = {"op": "replace", "path": path, "value": value}
    params = {"restApiId": query.resource_id, "patchOperations": [operation]}
    return Call(apigateway.SERVICE, "UpdateRestApi", params)


def _policy_text(expected: Any) -> str:
    # No statement is no policy: an empty value removes it.
    if not isinstance(expected, Mapping) or not expected.get("Statement"):
        return ""
    return json.dumps(expected)


FIXES = (
    scalar_fix(
        "name",
        lambda q, name: _replace(q, "/name", str(name)),
        doc="name (apigateway:UpdateRestApi)",
    ),
    scalar_fix(
        "description",
        lambda q, text: _replace(q, "/description", str(text)),
        doc="description (apigateway:UpdateRestApi)",
    ),
    scalar_fix(
        "policy",
        lambda q, doc: _replace(q, "/policy", _policy_text(doc)),
        doc="resource policy, removed where the IaC has none (apigateway:UpdateRestApi)",
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def reordered(text: str) -> str:
    """A JSON document in another key order and spacing, as AWS gives it back."""
    return json.dumps(json.loads(text), sort_keys=True, indent=2)


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    endpoint = (attrs.get("endpoint_configuration") or [{}])[0]
    if endpoint.get("types"):
        conf: dict[str, Any] = {"types": list(endpoint["types"])}
        if endpoint.get("vpc_endpoint_ids"):
            conf["vpcEndpointIds"] = list(endpoint["vpc_endpoint_ids"])
        extra["endpointConfiguration"] = conf
    if attrs.get("policy"):
        extra["policy"] = reordered(attrs["policy"])
    size = compression(attrs.get("minimum_compression_size"))
    if size != NO_COMPRESSION:
        extra["minimumCompressionSize"] = size
    media = list(attrs.get("binary_media_types") or [])
    if media:
        extra["binaryMediaTypes"] = media
    tags = tags_of(attrs)
    if tags:
        extra["tags"] = tags
    created = ctx.client(apigateway.SERVICE).create_rest_api(
        name=attrs["name"],
        description=attrs.get("description") or "",
        apiKeySource=attrs.get("api_key_source") or "HEADER",
        disableExecuteApiEndpoint=bool(attrs.get("disable_execute_api_endpoint")),
        **extra,
    )
    ctx.ids[str(attrs["id"])] = created["id"]
    if media and not created.get("binaryMediaTypes"):
        # moto drops binaryMediaTypes on create (AWS keeps them): add them one by one.
        ctx.client(apigateway.SERVICE).update_rest_api(
            restApiId=created["id"],
            patchOperations=[
                {"op": "add", "path": f"/binaryMediaTypes/{m.replace('/', '~1')}", "value": m}
                for m in media
            ],
        )
    if attrs.get("root_resource_id"):
        ctx.ids[str(attrs["root_resource_id"])] = created["rootResourceId"]


def _build_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client(apigateway.SERVICE).update_rest_api(
        restApiId=ctx.id(str(attrs["rest_api_id"])),
        patchOperations=[{"op": "replace", "path": "/policy", "value": reordered(attrs["policy"])}],
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="API Gateway REST API",
    with_article="an API Gateway REST API",
    sarif_name="ApiGatewayRestApi",
    terraform=(
        TerraformType(
            "aws_api_gateway_rest_api",
            id=("id",),
            not_compared={
                "body": "an OpenAPI document imported into resources: not readable as written",
                "put_rest_api_mode": "Terraform-only",
                "fail_on_warnings": "Terraform-only",
                "parameters": "import options: Terraform-only",
            },
        ),
        TerraformType(
            "aws_api_gateway_rest_api_policy",
            id=("rest_api_id", "id"),
            read=_policy_resource,
            parent=True,
            overrides=True,
        ),
    ),
    scope=Scope.REGIONAL,
    service=apigateway.SERVICE,
    collect=collect,
    api_calls=(apigateway.LIST_REST_APIS,),
    schema=SCHEMA,
    canonical_id=apigateway.api_id,
    id_doc="REST API id",
    rules=(
        Rule(
            "policy",
            became_public_unconditionally,
            doc="the policy grants Principal: * without a condition",
        ),
    ),
    risky=lambda attributes: grants_public_unconditionally(attributes.get("policy")),
    fixes=FIXES,
    builders={
        "aws_api_gateway_rest_api": Builder(_build),
        "aws_api_gateway_rest_api_policy": Builder(
            _build_policy, after=("aws_api_gateway_rest_api",)
        ),
    },
)
