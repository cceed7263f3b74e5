"""Lambda functions (``aws_lambda_function`` + ``aws_lambda_function_url``, ``aws_lambda_alias``).

One paginated ListFunctions per region (shared with the permission type) gives every function's
full configuration. For the functions the IaC declares, GetFunction adds tags, reserved
concurrency and the image URI, GetFunctionUrlConfig the function URL (none: not found) and
ListAliases the aliases. resource_id is the function name (ARNs, qualified or not, map to it).

Environment variables compare as a map; the value of a secret-looking key (``DB_PASSWORD``) is
masked on both sides before anything is stored, so it is never compared, stored or printed
(adding or removing such a key is still drift). The deployed code compares as AWS's CodeSha256
against the state's ``code_sha256`` (else ``source_code_hash``) only when both are present;
``filename`` and ``s3_key`` cannot be read back, and ``version``, ``qualified_arn`` and
``last_modified`` are computed. A function without a URL in the IaC must have none in AWS: a
URL created behind Terraform's back is drift, and one that answers without authentication
(``auth_type NONE``) is critical. Only the unqualified URL is compared (a URL on an alias is
not read). An alias compares as ``name=version`` (plus its routing weights), only for functions
whose aliases the IaC declares.

moto does not report DeadLetterConfig and ignores TracingConfig updates; AWS reports and applies
both, so both are read as AWS sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl.iac.instance import StateInstance, strings
from driftctl.resources import SENSITIVE, ActualResource, looks_secret, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tags_of
from driftctl.types.fixes import scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

if TYPE_CHECKING:
    from driftctl.diff.findings import DiffEntry, Finding

RESOURCE_TYPE = "LAMBDA_FUNCTION"
SERVICE = "lambda"
# ListFunctions returns at most 50 functions a page.
LIST_PAGE = (1, 50)
NOT_FOUND = "ResourceNotFoundException"
NO_AUTH = "NONE"
LIST_FUNCTIONS = ApiCall("lambda:ListFunctions", per="region", page_size=50)


def function_name(value: str) -> str:
    """The function name in a name, a partial ARN (``123456789012:function:f``) or an ARN,
    qualified (``…:function:f:live``) or not."""
    parts = value.split(":")
    if "function" in parts:
        index = parts.index("function")
        if index + 1 < len(parts):
            return parts[index + 1]
    return value


def functions(ctx: ScanContext, region: str) -> list[Any]:
    """Every function of ``region`` (ListFunctions), listed once per scan for both types."""

    def load() -> list[Any]:
        pages = (
            ctx.aws.client(SERVICE, region)
            .get_paginator("list_functions")
            .paginate(PaginationConfig={"PageSize": ctx.page_size_for(*LIST_PAGE)})
        )
        return [f for page in pages for f in page.get("Functions", []) if f.get("FunctionName")]

    found: list[Any] = ctx.shared(f"lambda:functions:{region}", load)
    return found


def is_not_found(exc: BaseException) -> bool:
    """Whether a Lambda error says the object is gone (or was never there)."""
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == NOT_FOUND


# -- reading the state -------------------------------------------------------------------------


def _environment(inst: StateInstance) -> Any:
    # Read below the marks: a mark on one variable hides that value only, not the whole map.
    if (
        inst.covered("environment")
        or inst.covered("environment", 0)
        or inst.covered("environment", 0, "variables")
    ):
        return SENSITIVE
    block = inst.attrs.get("environment")
    first = block[0] if isinstance(block, list) and block else None
    variables = first.get("variables") if isinstance(first, Mapping) else None
    if not isinstance(variables, Mapping):
        return {}
    return {
        str(k): SENSITIVE if inst.is_sensitive("environment", 0, "variables", str(k)) else v
        for k, v in mask_secret_values(variables).items()
    }


def _vpc_config(inst: StateInstance) -> Any:
    block = inst.get("vpc_config")
    if block == SENSITIVE:
        return SENSITIVE
    first = block[0] if isinstance(block, list) and block else {}
    if not isinstance(first, Mapping):
        return None
    return {
        "subnet_ids": strings(first.get("subnet_ids") or []),
        "security_group_ids": strings(first.get("security_group_ids") or []),
    }


def _dead_letter_target(inst: StateInstance) -> Any:
    # No block: the function has no dead-letter queue, and one added in AWS is drift.
    target = inst.get("dead_letter_config", 0, "target_arn")
    return "" if target is None else target


def _no_url(_inst: StateInstance) -> str:
    # "" is "no URL": the function URL resource, when declared, overrides it.
    return ""


def _url(inst: StateInstance) -> dict[str, Any] | None:
    if inst.get("qualifier"):
        return None  # a URL on an alias is not read
    return {
        "url_auth_type": inst.get("authorization_type"),
        "url_invoke_mode": inst.get("invoke_mode") or "BUFFERED",
    }


def alias_key(name: Any, version: Any, weights: Mapping[str, Any] | None) -> str:
    """One alias as ``live=3`` or ``live=3 (4:0.1)`` with its routing weights."""
    text = f"{name}={version}"
    if weights:
        routes = ",".join(f"{v}:{float(w):g}" for v, w in sorted(weights.items()))
        text += f" ({routes})"
    return text


def _alias(inst: StateInstance) -> dict[str, Any] | None:
    name, version = inst.get("name"), inst.get("function_version")
    if not name or SENSITIVE in (name, version):
        return None
    routing = inst.get("routing_config", 0, "additional_version_weights")
    weights = routing if isinstance(routing, Mapping) else None
    return {"aliases": [alias_key(name, version, weights)]}


def _same_text(expected: Any, actual: Any) -> bool:
    return str(expected).upper() == str(actual).upper()


def _both_present(_expected: Any, actual: Any) -> bool:
    # The code hash is compared only when AWS reports one too.
    return actual is None or actual == ""


SCHEMA: dict[str, Attr] = {
    "runtime": Attr(empty_is_unset=True),
    "handler": Attr(empty_is_unset=True),
    "role": Attr(),
    "description": Attr(),
    "memory_size": Attr(type=int, default=128),
    "timeout": Attr(type=int, default=3),
    "environment": Attr(Kind.MAP, read=_environment, doc="variables; secret-looking values masked"),
    "layers": Attr(Kind.SET),
    "vpc_config": Attr(
        Kind.OBJECT,
        read=_vpc_config,
        fields={"subnet_ids": Attr(Kind.SET), "security_group_ids": Attr(Kind.SET)},
    ),
    "architectures": Attr(Kind.SET),
    "ephemeral_storage": Attr(type=int, tf=("ephemeral_storage.0.size",), default=512, doc="MB"),
    "tracing_config": Attr(tf=("tracing_config.0.mode",), default="PassThrough", doc="mode"),
    "dead_letter_config": Attr(read=_dead_letter_target, doc="target ARN"),
    "kms_key_arn": Attr(),
    "reserved_concurrent_executions": Attr(type=int, default=-1, doc="-1: unreserved"),
    "image_uri": Attr(empty_is_unset=True),
    "code_sha256": Attr(
        tf=("code_sha256", "source_code_hash"), empty_is_unset=True, same=_both_present
    ),
    "url_auth_type": Attr(read=_no_url, doc="function URL auth type; empty: no URL"),
    "url_invoke_mode": Attr(read=lambda _inst: None, same=_same_text),
    "aliases": Attr(Kind.SET, read=lambda _inst: None, doc="name=version (routing)"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every function of ``region``; tags, concurrency, URL and aliases of declared ones.
    Listing errors propagate; a failed detail read spoils its region only."""
    listed = functions(ctx, region)
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    client = ctx.aws.client(SERVICE, region)

    def read(config: Mapping[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        name = str(config["FunctionName"])
        if name not in managed:
            return Detail(resource=to_resource(config, region, ctx.account_id))
        try:
            details = client.get_function(FunctionName=name)
            url = _optional(lambda: client.get_function_url_config(FunctionName=name))
            aliases = [
                a
                for page in client.get_paginator("list_aliases").paginate(FunctionName=name)
                for a in page.get("Aliases", [])
            ]
        except (BotoCoreError, ClientError) as exc:
            if is_not_found(exc):
                return Detail()
            return failed((region,), f"function {name}", exc)
        resource = to_resource(
            details.get("Configuration") or config,
            region,
            ctx.account_id,
            details=details,
            url=url,
            aliases=aliases,
        )
        return Detail(resource=resource)

    return read_each(ctx, RESOURCE_TYPE, listed, read, noun="functions")


def _optional(call: Any) -> Any:
    try:
        return call()
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise


def to_resource(
    config: Mapping[str, Any],
    region: str,
    account_id: str | None,
    *,
    details: Mapping[str, Any] | None = None,
    url: Mapping[str, Any] | None = None,
    aliases: list[Any] | None = None,
) -> ActualResource:
    """One function in the canonical form (GetFunction, URL and aliases when they were read)."""
    variables = (config.get("Environment") or {}).get("Variables") or {}
    vpc = config.get("VpcConfig") or {}
    attributes: dict[str, Any] = {
        "runtime": config.get("Runtime"),
        "handler": config.get("Handler"),
        "role": config.get("Role"),
        "description": config.get("Description") or "",
        "memory_size": config.get("MemorySize"),
        "timeout": config.get("Timeout"),
        # Masked before anything else sees them: secret values are never stored.
        "environment": {
            str(k): SENSITIVE if looks_secret(str(k)) else str(v) for k, v in variables.items()
        },
        "layers": sorted(
            str(layer["Arn"]) for layer in config.get("Layers") or [] if "Arn" in layer
        ),
        "vpc_config": {
            "subnet_ids": sorted(vpc.get("SubnetIds") or []),
            "security_group_ids": sorted(vpc.get("SecurityGroupIds") or []),
        },
        "architectures": sorted(config.get("Architectures") or ["x86_64"]),
        "ephemeral_storage": (config.get("EphemeralStorage") or {}).get("Size"),
        "tracing_config": (config.get("TracingConfig") or {}).get("Mode"),
        "dead_letter_config": (config.get("DeadLetterConfig") or {}).get("TargetArn") or "",
        "kms_key_arn": config.get("KMSKeyArn") or "",
        "code_sha256": config.get("CodeSha256"),
    }
    if details is not None:
        concurrency = (details.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
        attributes["reserved_concurrent_executions"] = -1 if concurrency is None else concurrency
        attributes["image_uri"] = (details.get("Code") or {}).get("ImageUri")
        attributes["tags"] = mask_secret_values(dict(details.get("Tags") or {}))
        attributes["url_auth_type"] = (url or {}).get("AuthType") or ""
        attributes["url_invoke_mode"] = (url or {}).get("InvokeMode")
        attributes["aliases"] = sorted(
            alias_key(
                a.get("Name"),
                a.get("FunctionVersion"),
                (a.get("RoutingConfig") or {}).get("AdditionalVersionWeights"),
            )
            for a in aliases or []
        )
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(config["FunctionName"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _open_url(entry: DiffEntry, _finding: Finding) -> bool:
    return entry.get("actual") == NO_AUTH and entry.get("expected") != NO_AUTH


# -- remediation -------------------------------------------------------------------------------

# Attribute -> UpdateFunctionConfiguration parameter, for what that one call puts back exactly.
_CONFIGURATION = {
    "description": "Description",
    "timeout": "Timeout",
    "memory_size": "MemorySize",
    "handler": "Handler",
    "runtime": "Runtime",
    "role": "Role",
}


def function_arn(query: FixQuery) -> str:
    """The unqualified ARN of the function a fix is about (TagResource takes no name). Its
    partition, and the account when the scan did not know it, come from the execution role's
    ARN: Lambda takes a role of the function's own account only."""
    role = str(query.actual.get("role") or query.expected.get("role") or "")
    parts = role.split(":")
    partition = parts[1] if len(parts) > 4 and parts[1] else "aws"
    account = query.account_id or (parts[4] if len(parts) > 4 else "")
    return f"arn:{partition}:lambda:{query.region}:{account}:function:{query.resource_id}"


def _configuration_fix(attribute: str) -> Fix:
    parameter = _CONFIGURATION[attribute]
    default = SCHEMA[attribute].default

    def call(query: FixQuery, expected: Any) -> Call:
        value = default if expected is None else expected
        if attribute == "description" and value is None:
            value = ""
        converted = int(value) if SCHEMA[attribute].type is int else str(value)
        return Call(
            SERVICE,
            "UpdateFunctionConfiguration",
            {"FunctionName": query.resource_id, parameter: converted},
            # A second update before this one is applied would be refused (ResourceConflict).
            wait=("function_updated_v2", {"FunctionName": query.resource_id}),
        )

    return scalar_fix(attribute, call, doc=f"{attribute} (lambda:UpdateFunctionConfiguration)")


def _concurrency(query: FixQuery, expected: Any) -> Call:
    name = {"FunctionName": query.resource_id}
    if expected is None or int(expected) < 0:
        return Call(SERVICE, "DeleteFunctionConcurrency", name)
    return Call(
        SERVICE, "PutFunctionConcurrency", {**name, "ReservedConcurrentExecutions": int(expected)}
    )


# -- building in an emulated account ---------------------------------------------------------


def code_zip() -> bytes:
    """The same small deployment package every time (its CodeSha256 is in the fixtures)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("index.py", date_time=(2024, 1, 1, 0, 0, 0))
        archive.writestr(info, "def handler(e,c):\n    return 1\n")
    return buffer.getvalue()


def _block(attrs: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = attrs.get(name)
    return value[0] if isinstance(value, list) and value and isinstance(value[0], Mapping) else {}


def _build_function(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    variables = _block(attrs, "environment").get("variables")
    if variables:
        extra["Environment"] = {"Variables": dict(variables)}
    if attrs.get("layers"):
        extra["Layers"] = list(attrs["layers"])
    vpc = _block(attrs, "vpc_config")
    if vpc.get("subnet_ids"):
        extra["VpcConfig"] = {
            "SubnetIds": [ctx.id(s) for s in vpc["subnet_ids"]],
            "SecurityGroupIds": [ctx.id(g) for g in vpc.get("security_group_ids") or []],
        }
    target = _block(attrs, "dead_letter_config").get("target_arn")
    if target:
        extra["DeadLetterConfig"] = {"TargetArn": target}
    if attrs.get("kms_key_arn"):
        extra["KMSKeyArn"] = attrs["kms_key_arn"]
    tags = tags_of(attrs)
    if tags:
        extra["Tags"] = tags
    if attrs.get("runtime"):
        extra["Runtime"] = attrs["runtime"]
    if attrs.get("handler"):
        extra["Handler"] = attrs["handler"]
    code: dict[str, Any] = (
        {"ImageUri": attrs["image_uri"]} if attrs.get("image_uri") else {"ZipFile": code_zip()}
    )
    client = ctx.client(SERVICE)
    client.create_function(
        FunctionName=attrs["function_name"],
        Role=attrs["role"],
        Code=code,
        PackageType="Image" if attrs.get("image_uri") else "Zip",
        Description=attrs.get("description") or "",
        Timeout=int(attrs.get("timeout") or 3),
        MemorySize=int(attrs.get("memory_size") or 128),
        Publish=bool(attrs.get("publish")),
        Architectures=list(attrs.get("architectures") or ["x86_64"]),
        EphemeralStorage={"Size": int(_block(attrs, "ephemeral_storage").get("size") or 512)},
        TracingConfig={"Mode": _block(attrs, "tracing_config").get("mode") or "PassThrough"},
        **extra,
    )
    reserved = int(attrs.get("reserved_concurrent_executions", -1))
    if reserved >= 0:
        client.put_function_concurrency(
            FunctionName=attrs["function_name"], ReservedConcurrentExecutions=reserved
        )


def _build_url(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if attrs.get("qualifier"):
        extra["Qualifier"] = attrs["qualifier"]
    ctx.client(SERVICE).create_function_url_config(
        FunctionName=function_name(attrs["function_name"]),
        AuthType=attrs["authorization_type"],
        InvokeMode=attrs.get("invoke_mode") or "BUFFERED",
        **extra,
    )


def _build_alias(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    weights = _block(attrs, "routing_config").get("additional_version_weights")
    if weights:
        extra["RoutingConfig"] = {
            "AdditionalVersionWeights": {k: float(v) for k, v in weights.items()}
        }
    ctx.client(SERVICE).create_alias(
        FunctionName=function_name(attrs["function_name"]),
        Name=attrs["name"],
        FunctionVersion=attrs["function_version"],
        Description=attrs.get("description") or "",
        **extra,
    )


_AFTER_FUNCTION = ("aws_lambda_function",)

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Lambda function",
    with_article="a Lambda function",
    sarif_name="LambdaFunction",
    terraform=(
        TerraformType(
            "aws_lambda_function",
            id=("function_name", "id"),
            not_compared={
                "filename": "not readable from AWS",
                "s3_bucket": "not readable from AWS",
                "s3_key": "not readable from AWS",
                "s3_object_version": "not readable from AWS",
                "publish": "Terraform-only",
                "version": "computed",
                "qualified_arn": "computed",
                "last_modified": "computed",
                "source_code_size": "computed",
                "skip_destroy": "Terraform-only",
                "timeouts": "Terraform-only",
                "image_config": "not compared yet",
                "file_system_config": "not compared yet",
                "logging_config": "not compared yet",
                "snap_start": "not compared yet",
            },
        ),
        TerraformType(
            "aws_lambda_function_url",
            id=("function_name",),
            read=_url,
            parent=True,
            overrides=True,
            account_from_arn=False,
            not_compared={"cors": "not compared yet", "qualifier": "URLs on aliases not read"},
        ),
        TerraformType(
            "aws_lambda_alias",
            id=("function_name",),
            read=_alias,
            parent=True,
            not_compared={"description": "not compared yet"},
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(
        LIST_FUNCTIONS,
        ApiCall("lambda:GetFunction", per="resource", managed_only=True),
        ApiCall("lambda:GetFunctionUrlConfig", per="resource", managed_only=True),
        ApiCall("lambda:ListAliases", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=function_name,
    id_doc="function name",
    rules=(
        Rule("url_auth_type", _open_url, doc="the function URL answers without authentication"),
    ),
    fixes=(
        *(_configuration_fix(attribute) for attribute in _CONFIGURATION),
        scalar_fix(
            "reserved_concurrent_executions",
            _concurrency,
            doc="reserved concurrency (lambda:PutFunctionConcurrency / DeleteFunctionConcurrency)",
        ),
        tags_fix(
            "lambda",
            "TagResource",
            "UntagResource",
            lambda q: {"Resource": function_arn(q)},
            style="map",
        ),
    ),
    builders={
        "aws_lambda_function": Builder(
            _build_function, after=("aws_iam_role", "aws_subnet", "aws_security_group")
        ),
        "aws_lambda_function_url": Builder(
            _build_url, after=(*_AFTER_FUNCTION, "aws_lambda_alias")
        ),
        "aws_lambda_alias": Builder(_build_alias, after=_AFTER_FUNCTION),
    },
)
