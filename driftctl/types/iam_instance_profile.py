"""IAM instance profiles (``aws_iam_instance_profile``): the shared GetAccountAuthorizationDetails
listing (each role's ``InstanceProfileList``), plus GetInstanceProfile for the profiles the IaC
declares.

resource_id is the profile name; the region is ``global``. The listing finds every profile that
holds a role, with its path and role; it carries no tags in AWS (listings of IAM objects leave
tags out), so each declared profile is read with GetInstanceProfile, which has its tags and
also finds a declared profile that holds no role (the listing cannot: it lists profiles only
inside their role). An unmanaged profile without a role grants nothing and goes unseen.
``name_prefix`` is Terraform-only. Profiles of AWS-owned roles (``/aws-service-role/``) are
never unmanaged.

moto puts tags into the listing's profiles and lacks ListInstanceProfileTags; neither is relied
on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.domain import GLOBAL_REGION
from driftctl.resources import ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import iam_details
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
    arn_tail,
)

RESOURCE_TYPE = "IAM_INSTANCE_PROFILE"

SCHEMA: dict[str, Attr] = {
    "path": Attr(),
    "role": Attr(empty_is_unset=False, doc="role name; empty: none"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def to_resource(
    profile: Mapping[str, Any], account_id: str | None, *, with_tags: bool
) -> ActualResource:
    """One InstanceProfile (from the listing, or from GetInstanceProfile with its tags)."""
    roles = [r for r in profile.get("Roles") or [] if isinstance(r, Mapping) and r.get("RoleName")]
    attributes: dict[str, Any] = {
        "path": str(profile.get("Path") or "/"),
        "role": str(roles[0]["RoleName"]) if roles else None,
        "role_path": str(roles[0].get("Path") or "/") if roles else None,
    }
    if with_tags:
        attributes["tags"] = mask_secret_values(normalize.tags(profile.get("Tags")))
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(profile["InstanceProfileName"]),
        region=GLOBAL_REGION,
        attributes=attributes,
        account_id=account_id,
    )


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every instance profile holding a role, and every declared one, under GLOBAL_REGION."""
    listed: dict[str, Mapping[str, Any]] = {}
    for role in iam_details.authorization_details(ctx).roles:
        for profile in role.get("InstanceProfileList") or []:
            if isinstance(profile, Mapping) and profile.get("InstanceProfileName"):
                listed.setdefault(str(profile["InstanceProfileName"]), profile)
    declared = sorted(ctx.expected_ids.get(RESOURCE_TYPE, frozenset()))
    iam = iam_details.client(ctx)

    def read(name: str) -> Mapping[str, Any] | None:
        try:
            found: Mapping[str, Any] = iam.get_instance_profile(InstanceProfileName=name)[
                "InstanceProfile"
            ]
        except Exception as exc:
            if iam_details.is_not_found(exc):
                return None
            raise
        return found

    read_one = dict(zip(declared, iam_details.each(ctx, declared, read), strict=True))
    resources = [
        to_resource(profile, ctx.account_id, with_tags=False)
        for name, profile in listed.items()
        if name not in read_one
    ]
    resources.extend(
        to_resource(profile, ctx.account_id, with_tags=True)
        for profile in read_one.values()
        if profile is not None and profile.get("InstanceProfileName")
    )
    return Collected(resources=resources)


def _is_default(attributes: Mapping[str, Any]) -> bool:
    return str(attributes.get("role_path") or "/").startswith(iam_details.AWS_OWNED_ROLE_PATHS)


# -- remediation -------------------------------------------------------------------------------


def _role(query: FixQuery, expected: Any) -> list[Call]:
    # A profile holds at most one role: the one AWS has goes out before the IaC's goes in.
    name = {"InstanceProfileName": query.resource_id}
    current = query.actual.get("role")
    calls: list[Call] = []
    if current:
        role = {"RoleName": arn_tail(str(current))}
        calls.append(Call(iam_details.SERVICE, "RemoveRoleFromInstanceProfile", {**name, **role}))
    if expected:
        role = {"RoleName": arn_tail(str(expected))}
        calls.append(Call(iam_details.SERVICE, "AddRoleToInstanceProfile", {**name, **role}))
    return calls


# -- building in an emulated account ---------------------------------------------------------


def build_instance_profile(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    """Create one ``aws_iam_instance_profile`` (and put its role in it)."""
    iam = ctx.client("iam")
    profile = iam.create_instance_profile(
        InstanceProfileName=attrs["name"],
        Path=attrs.get("path") or "/",
        Tags=tag_list(tags_of(attrs)),
    )["InstanceProfile"]
    ctx.remember(attrs.get("unique_id"), profile["InstanceProfileId"])
    if attrs.get("role"):
        iam.add_role_to_instance_profile(
            InstanceProfileName=attrs["name"], RoleName=arn_tail(attrs["role"])
        )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="IAM instance profile",
    with_article="an IAM instance profile",
    sarif_name="IAMInstanceProfile",
    terraform=(
        TerraformType(
            "aws_iam_instance_profile",
            id=("name", "id"),
            not_compared={"name_prefix": "Terraform-only"},
        ),
    ),
    scope=Scope.GLOBAL,
    service=iam_details.SERVICE,
    collect=collect,
    api_calls=(
        iam_details.LISTING,
        ApiCall("iam:GetInstanceProfile", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=arn_tail,
    id_doc="instance profile name",
    is_default=_is_default,
    fixes=(
        scalar_fix(
            "role",
            _role,
            doc="role (iam:RemoveRoleFromInstanceProfile, then AddRoleToInstanceProfile)",
        ),
        tags_fix(
            "iam",
            "TagInstanceProfile",
            "UntagInstanceProfile",
            lambda q: {"InstanceProfileName": q.resource_id},
        ),
    ),
    builders={"aws_iam_instance_profile": Builder(build_instance_profile, after=("aws_iam_role",))},
)
