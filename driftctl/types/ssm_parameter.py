"""SSM parameters (``aws_ssm_parameter``): one paginated DescribeParameters per region, then
ListTagsForResource for the parameters the IaC declares (SSM has no batch tag call).

resource_id is the parameter name. No parameter value is ever read, neither from AWS nor from
the state: whether the value changed is told by the parameter's ``version``, which AWS raises on
every write and Terraform records after each apply. So a SecureString value is never in
memory, compared, stored or printed, and neither is a hash of it; DescribeParameters answers
for every type at once, and GetParameters is never needed. ``value`` and ``insecure_value``
(the same value, written as sensitive or not) and ``overwrite`` are not compared. A parameter
whose tier is ``Intelligent-Tiering`` in the IaC is ``Standard`` or ``Advanced`` in AWS.
AWS's public parameters (``/aws/service/…``) are not the account's and are never listed.

moto returns a SecureString's plaintext (prefixed ``kms:``) from GetParameter without
decryption; AWS returns ciphertext. Nothing here calls it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.resources import ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import tags_fix
from driftctl.types.spec import ApiCall, Attr, Kind, ResourceSpec, Scope, TerraformType

RESOURCE_TYPE = "SSM_PARAMETER"
SERVICE = "ssm"
SECURE = "SecureString"
# DescribeParameters accepts 1..50 per page.
_PAGE = (1, 50)
_NOT_FOUND = frozenset({"InvalidResourceId", "ParameterNotFound"})


def _same_tier(expected: Any, actual: Any) -> bool:
    # Intelligent-Tiering lets AWS pick Standard or Advanced for each write.
    return str(expected) == "Intelligent-Tiering" and actual in ("Standard", "Advanced")


def parameter_name(value: str) -> str:
    """The name in a name or an ARN (``arn:aws:ssm:…:parameter/app/db`` -> ``/app/db``)."""
    if value.startswith("arn:") and ":parameter" in value:
        name = value.split(":parameter", 1)[1]
        return name if name.startswith("/") and name.count("/") > 1 else name.lstrip("/")
    return value


SCHEMA: dict[str, Attr] = {
    "type": Attr(),
    "tier": Attr(empty_is_unset=True, default="Standard", same=_same_tier),
    "data_type": Attr(empty_is_unset=True, default="text"),
    "description": Attr(),
    "allowed_pattern": Attr(),
    "key_id": Attr(empty_is_unset=True),
    "version": Attr(type=int, doc="raised by every write of the value: the value changed"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every parameter of ``region`` (metadata only, never a value); tags of declared ones."""
    client = ctx.aws.client(SERVICE, region)
    pages = client.get_paginator("describe_parameters").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    listed = [p for page in pages for p in page.get("Parameters", []) if p.get("Name")]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(meta: Mapping[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        name = str(meta["Name"])
        if name not in managed:
            return Detail(resource=to_resource(meta, region, ctx.account_id))
        try:
            tags = client.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)
        except (BotoCoreError, ClientError) as exc:
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
                _NOT_FOUND
            ):
                return Detail()
            return failed((region,), f"parameter {name}", exc)
        resource = to_resource(meta, region, ctx.account_id, tags.get("TagList") or [])
        return Detail(resource=resource)

    return read_each(ctx, RESOURCE_TYPE, listed, read, noun="parameters")


def to_resource(
    meta: Mapping[str, Any],
    region: str,
    account_id: str | None,
    tags: list[Any] | None = None,
) -> ActualResource:
    """One DescribeParameters item in the canonical form (tags when they were read)."""
    attributes: dict[str, Any] = {
        "type": meta.get("Type"),
        "tier": meta.get("Tier") or "Standard",
        "data_type": meta.get("DataType") or "text",
        "description": meta.get("Description") or "",
        "allowed_pattern": meta.get("AllowedPattern") or "",
        "key_id": meta.get("KeyId"),
        "version": meta.get("Version"),
    }
    if tags is not None:
        attributes["tags"] = mask_secret_values(normalize.tags(tags))
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(meta["Name"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------

# Only tags: description, allowed pattern, tier and key change through PutParameter, which
# writes the value too (and a value is never read, so it cannot be sent back).
_FIXES = (
    tags_fix(
        SERVICE,
        "AddTagsToResource",
        "RemoveTagsFromResource",
        lambda q: {"ResourceType": "Parameter", "ResourceId": q.resource_id},
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    import secrets

    client = ctx.client(SERVICE)
    settings: dict[str, Any] = {"Type": attrs.get("type") or "String"}
    for key, name in (
        ("description", "Description"),
        ("tier", "Tier"),
        ("data_type", "DataType"),
        ("allowed_pattern", "AllowedPattern"),
    ):
        if attrs.get(key):
            settings[name] = attrs[key]
    if settings["Type"] == SECURE and attrs.get("key_id"):
        settings["KeyId"] = attrs["key_id"]
    # Only the emulated account gets the state's value (a scan never reads it).
    value = attrs.get("value") or attrs.get("insecure_value") or secrets.token_urlsafe(12)
    tags = tags_of(attrs)
    client.put_parameter(
        Name=attrs["name"], Value=value, **settings, **({"Tags": tag_list(tags)} if tags else {})
    )
    # Reach the state's version, as the writes Terraform made did.
    for _ in range(int(attrs.get("version") or 1) - 1):
        client.put_parameter(Name=attrs["name"], Value=value, Overwrite=True, **settings)


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="SSM parameter",
    with_article="an SSM parameter",
    sarif_name="SSMParameter",
    terraform=(
        TerraformType(
            "aws_ssm_parameter",
            id=("name", "id"),
            not_compared={
                "value": "never read: compared through version",
                "insecure_value": "never read: compared through version",
                "overwrite": "Terraform-only",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(
        ApiCall("ssm:DescribeParameters", per="region", page_size=50),
        ApiCall("ssm:ListTagsForResource", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=parameter_name,
    id_doc="parameter name",
    builders={"aws_ssm_parameter": Builder(_build)},
    fixes=_FIXES,
)
