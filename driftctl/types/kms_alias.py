"""KMS aliases (``aws_kms_alias``): one paginated ListAliases per region, nothing per alias.

resource_id is the alias name (``alias/app``; its ARN names the same alias). The alias's key
compares by key id: a state that names the key by its ARN means the same key. Aliases under
``alias/aws/`` belong to AWS (one per service, created when the service first needs its key):
never unmanaged. Aliases have no tags. moto lists the ``alias/aws/*`` aliases from the start
(AWS lists them once their key exists); both are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl.iac.instance import StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types.build import BuildContext, Builder
from driftctl.types.fixes import scalar_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    ResourceSpec,
    Scope,
    TerraformType,
    arn_tail,
)

RESOURCE_TYPE = "KMS_ALIAS"
SERVICE = "kms"
AWS_PREFIX = "alias/aws/"
_PAGE = (1, 100)


def alias_name(value: str) -> str:
    """``alias/app`` from ``arn:aws:kms:…:alias/app`` (a name is returned unchanged)."""
    return value.split(":", 5)[-1] if value.startswith("arn:") else value


def _target(inst: StateInstance) -> Any:
    value = inst.get("target_key_id")
    if value is None or value == SENSITIVE or value == "":
        return None if value == "" else value
    return arn_tail(str(value))


SCHEMA: dict[str, Attr] = {
    "target_key_id": Attr(read=_target, doc="key id (a key ARN reads as its id)"),
}


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every alias of ``region``; AWS errors propagate to the runner."""
    pages = (
        ctx.aws.client(SERVICE, region)
        .get_paginator("list_aliases")
        .paginate(PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)})
    )
    found = [
        to_resource(alias, region, ctx.account_id)
        for page in pages
        for alias in page.get("Aliases", [])
        if alias.get("AliasName")
    ]
    return Collected(resources=found)


def to_resource(alias: Mapping[str, Any], region: str, account_id: str | None) -> ActualResource:
    """One ListAliases item in the canonical KMS_ALIAS form."""
    target = alias.get("TargetKeyId")
    name = str(alias["AliasName"])
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=name,
        region=region,
        attributes={"target_key_id": arn_tail(str(target)) if target else None},
        account_id=account_id,
        is_default=name.startswith(AWS_PREFIX),
    )


# -- remediation -------------------------------------------------------------------------------


def _retarget(query: FixQuery, expected: Any) -> Call:
    return Call(
        SERVICE, "UpdateAlias", {"AliasName": query.resource_id, "TargetKeyId": str(expected)}
    )


FIXES = (scalar_fix("target_key_id", _retarget, doc="target key (kms:UpdateAlias)"),)


# -- building in an emulated account ---------------------------------------------------------


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client(SERVICE).create_alias(
        AliasName=attrs["name"], TargetKeyId=ctx.id(arn_tail(attrs["target_key_id"]))
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="KMS alias",
    with_article="a KMS alias",
    sarif_name="KMSAlias",
    terraform=(
        TerraformType(
            "aws_kms_alias",
            id=("name", "id"),
            not_compared={
                "name_prefix": "Terraform-only",
                "target_key_arn": "compared through target_key_id",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(ApiCall("kms:ListAliases", per="region", page_size=_PAGE[1]),),
    schema=SCHEMA,
    canonical_id=alias_name,
    id_doc="alias name (alias/…)",
    fixes=FIXES,
    builders={"aws_kms_alias": Builder(_build, after=("aws_kms_key",))},
)
