"""IAM roles (``aws_iam_role`` + policy attachments and inline policies): two paginated
account-wide listings, never one call per role.

resource_id is the role name; the region is ``global``. GetAccountAuthorizationDetails
(Filter=["Role"]) returns each role's trust policy, attached managed policies, inline policies
with their documents and tags, but not its description or maximum session duration; ListRoles
returns those two. Both are joined on RoleId. Service-linked roles (``/aws-service-role/``) and
IAM Identity Center roles (``/aws-reserved/``) belong to AWS: never unmanaged. moto's GetRole
returns the trust policy already decoded; botocore decodes the URL-encoded documents of the
authorization details too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.diff.conditions import (
    admin_policy,
    allows_admin,
    always,
    gained_admin,
    is_admin_policy_arn,
)
from driftctl.domain import GLOBAL_REGION
from driftctl.iac.instance import StateInstance, policy, strings
from driftctl.resources import SENSITIVE, ActualResource
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
    Rule,
    Scope,
    TerraformType,
    arn_tail,
)

if TYPE_CHECKING:
    from mypy_boto3_iam.type_defs import RoleDetailTypeDef, RoleTypeDef

RESOURCE_TYPE = "IAM_ROLE"
_AWS_OWNED_PATHS = ("/aws-service-role/", "/aws-reserved/")


# -- reading the state -------------------------------------------------------------------------


def _inline_blocks(inst: StateInstance) -> Any:
    blocks = inst.get("inline_policy")
    if blocks == SENSITIVE or not isinstance(blocks, list):
        return blocks if blocks == SENSITIVE else None
    # The provider records "no inline policy" as one block with an empty name.
    return {
        str(b["name"]): policy(b.get("policy"))
        for b in blocks
        if isinstance(b, Mapping) and b.get("name")
    }


def _attachment(inst: StateInstance) -> dict[str, Any]:
    arn = inst.get("policy_arn")
    return {"managed_policy_arns": SENSITIVE if arn == SENSITIVE else strings([arn])}


def _role_policy(inst: StateInstance) -> dict[str, Any] | None:
    name = inst.get("name")
    if not isinstance(name, str) or not name:
        role_and_name = inst.ident("id") or ""
        name = role_and_name.split(":", 1)[1] if ":" in role_and_name else None
    if name is None:
        return None
    if name == SENSITIVE:
        return {"inline_policies": SENSITIVE}
    return {"inline_policies": {name: policy(inst.get("policy"))}}


SCHEMA: dict[str, Attr] = {
    "assume_role_policy": Attr(Kind.POLICY),
    "managed_policy_arns": Attr(Kind.SET),
    "inline_policies": Attr(Kind.POLICY_MAP, read=_inline_blocks, doc="name -> policy"),
    "max_session_duration": Attr(type=int),
    "path": Attr(),
    "description": Attr(empty_is_unset=True),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every IAM role of the account, under domain.GLOBAL_REGION; AWS errors propagate."""
    client = ctx.aws.client("iam")
    page_size = ctx.page_size_for(1, 1000)
    summaries: dict[str, RoleTypeDef] = {}
    for page in client.get_paginator("list_roles").paginate(
        PaginationConfig={"PageSize": page_size}
    ):
        for role in page.get("Roles", []):
            summaries[role["RoleId"]] = role
    found: list[ActualResource] = []
    for details_page in client.get_paginator("get_account_authorization_details").paginate(
        Filter=["Role"], PaginationConfig={"PageSize": page_size}
    ):
        for detail in details_page.get("RoleDetailList", []):
            summary = summaries.get(detail.get("RoleId", ""))
            # A role in only one listing was created or deleted between the two calls; the next
            # scan sees it whole.
            if summary is not None:
                found.append(to_resource(detail, summary, ctx.account_id))
    return Collected(resources=found)


def to_resource(
    detail: RoleDetailTypeDef, summary: RoleTypeDef, account_id: str | None
) -> ActualResource:
    """One role (authorization details + ListRoles summary) in the canonical IAM_ROLE form."""
    attributes: dict[str, Any] = {
        "assume_role_policy": normalize.policy(_document(detail.get("AssumeRolePolicyDocument"))),
        "managed_policy_arns": sorted(
            p["PolicyArn"] for p in detail.get("AttachedManagedPolicies", []) if "PolicyArn" in p
        ),
        "inline_policies": {
            p["PolicyName"]: normalize.policy(_document(p.get("PolicyDocument")))
            for p in detail.get("RolePolicyList", [])
            if "PolicyName" in p
        },
        "max_session_duration": int(summary.get("MaxSessionDuration", 3600)),
        "path": detail.get("Path", "/"),
        "description": summary.get("Description"),
        "tags": normalize.tags(detail.get("Tags")),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=detail.get("RoleName") or summary["RoleName"],
        region=GLOBAL_REGION,
        attributes=attributes,
        account_id=account_id,
    )


def _document(value: Any) -> str | dict[str, Any] | None:
    if value is None or isinstance(value, str):
        return value
    return dict(value)


def _is_default(attributes: Mapping[str, Any]) -> bool:
    return str(attributes.get("path") or "/").startswith(_AWS_OWNED_PATHS)


def _risky(attributes: Mapping[str, Any]) -> bool:
    inline = attributes.get("inline_policies") or {}
    return any(is_admin_policy_arn(a) for a in attributes.get("managed_policy_arns") or []) or (
        isinstance(inline, Mapping) and any(allows_admin(p) for p in inline.values())
    )


# -- remediation -------------------------------------------------------------------------------


def _trust(query: FixQuery, expected: Any) -> Call:
    return Call(
        "iam",
        "UpdateAssumeRolePolicy",
        {"RoleName": query.resource_id, "PolicyDocument": iam_details.policy_text(expected)},
    )


def _description(query: FixQuery, expected: Any) -> Call:
    return Call(
        "iam", "UpdateRoleDescription", {"RoleName": query.resource_id, "Description": expected}
    )


def _max_session(query: FixQuery, expected: Any) -> Call:
    # UpdateRole also takes the description; it is passed as the IaC has it (else as it is),
    # never left out, so no implementation of UpdateRole can clear it.
    description = query.expected.get("description") or query.actual.get("description")
    extra = {"Description": description} if description else {}
    return Call(
        "iam",
        "UpdateRole",
        {"RoleName": query.resource_id, "MaxSessionDuration": int(expected), **extra},
    )


# -- building in an emulated account ---------------------------------------------------------


def _build_role(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if attrs.get("description"):
        extra["Description"] = attrs["description"]
    if attrs.get("permissions_boundary"):
        extra["PermissionsBoundary"] = attrs["permissions_boundary"]
    role = ctx.client("iam").create_role(
        RoleName=attrs["name"],
        Path=attrs.get("path") or "/",
        AssumeRolePolicyDocument=attrs["assume_role_policy"],
        MaxSessionDuration=int(attrs.get("max_session_duration") or 3600),
        Tags=tag_list(tags_of(attrs)),
        **extra,
    )["Role"]
    # Inline blocks and managed_policy_arns are computed from the separate resources below.
    ctx.remember(attrs.get("unique_id"), role["RoleId"])


def _build_role_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("iam").put_role_policy(
        RoleName=arn_tail(attrs["role"]), PolicyName=attrs["name"], PolicyDocument=attrs["policy"]
    )


def _build_attachment(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("iam").attach_role_policy(
        RoleName=arn_tail(attrs["role"]), PolicyArn=attrs["policy_arn"]
    )


_AFTER_ROLE = ("aws_iam_role",)

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="IAM role",
    with_article="an IAM role",
    sarif_name="IAMRole",
    terraform=(
        TerraformType(
            "aws_iam_role",
            id=("name", "id"),
            not_compared={
                "force_detach_policies": "Terraform-only",
                "name_prefix": "Terraform-only",
                "permissions_boundary": "not compared yet",
            },
        ),
        TerraformType(
            "aws_iam_role_policy_attachment",
            id=("role",),
            read=_attachment,
            parent=True,
            account_from_arn=False,
        ),
        TerraformType(
            "aws_iam_role_policy",
            id=("role",),
            read=_role_policy,
            parent=True,
            account_from_arn=False,
        ),
    ),
    scope=Scope.GLOBAL,
    service="iam",
    collect=collect,
    api_calls=(
        ApiCall("iam:ListRoles", per="account", page_size=1000),
        ApiCall("iam:GetAccountAuthorizationDetails", per="account", page_size=1000),
    ),
    schema=SCHEMA,
    canonical_id=arn_tail,
    id_doc="role name",
    is_default=_is_default,
    rules=(
        Rule("assume_role_policy", always, doc="the trust policy changed"),
        Rule("managed_policy_arns[*", admin_policy, change="added", doc="AdministratorAccess"),
        Rule("inline_policies.*", gained_admin, doc="an inline policy allows * on *"),
    ),
    risky=_risky,
    fixes=(
        iam_details.managed_policies_fix("Role"),
        iam_details.inline_policies_fix("Role"),
        scalar_fix("assume_role_policy", _trust, doc="trust policy (iam:UpdateAssumeRolePolicy)"),
        scalar_fix("description", _description, doc="description (iam:UpdateRoleDescription)"),
        scalar_fix(
            "max_session_duration", _max_session, doc="maximum session duration (iam:UpdateRole)"
        ),
        tags_fix("iam", "TagRole", "UntagRole", lambda q: {"RoleName": q.resource_id}),
    ),
    builders={
        "aws_iam_role": Builder(_build_role),
        "aws_iam_role_policy": Builder(_build_role_policy, after=_AFTER_ROLE),
        "aws_iam_role_policy_attachment": Builder(_build_attachment, after=_AFTER_ROLE),
    },
)
