"""IAM users (``aws_iam_user`` + ``aws_iam_user_policy``, ``aws_iam_user_policy_attachment``,
``aws_iam_user_group_membership``): the shared GetAccountAuthorizationDetails listing, nothing
per user.

resource_id is the user name; the region is ``global``. A user's attached and inline policies
are declared as separate resources, so a user declares none unless they say: a policy attached
behind Terraform's back is drift (critical when it is AdministratorAccess or allows * on *).
Its groups are compared only where the IaC declares ``aws_iam_user_group_membership`` for it
(memberships declared from the group's side, ``aws_iam_group_membership``, are compared on the
group). ``force_destroy`` is Terraform-only. Access keys, passwords and MFA devices are never
read.

moto ignores a user's permissions boundary (CreateUser drops it, the listing never has one);
AWS reports it in ``UserDetail.PermissionsBoundary``, which is what is read.

``aws_iam_policy_attachment`` (one exclusive attachment naming users, groups and roles) is not
read yet: a user whose policies it attaches shows them as added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.domain import GLOBAL_REGION
from driftctl.iac.instance import StateInstance, strings
from driftctl.resources import SENSITIVE, ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import iam_details
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import scalar_fix, set_members, tags_fix
from driftctl.types.iam_policy import reordered
from driftctl.types.spec import (
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Scope,
    TerraformType,
    arn_tail,
)

RESOURCE_TYPE = "IAM_USER"


def _memberships(inst: StateInstance) -> dict[str, Any]:
    groups = inst.get("groups")
    return {"groups": SENSITIVE if groups == SENSITIVE else strings(groups or [])}


SCHEMA: dict[str, Attr] = {
    "path": Attr(),
    "permissions_boundary": Attr(doc="policy ARN; empty: none"),
    "managed_policy_arns": Attr(Kind.SET, read=iam_details.no_policies),
    "inline_policies": Attr(
        Kind.POLICY_MAP, read=iam_details.no_inline_policies, doc="name -> policy"
    ),
    "groups": Attr(Kind.SET, doc="group names, where the IaC declares memberships"),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def to_resource(detail: Mapping[str, Any], account_id: str | None) -> ActualResource:
    """One UserDetail in the canonical IAM_USER form."""
    boundary = detail.get("PermissionsBoundary")
    boundary_arn = boundary.get("PermissionsBoundaryArn") if isinstance(boundary, Mapping) else None
    attributes: dict[str, Any] = {
        "path": str(detail.get("Path") or "/"),
        "permissions_boundary": str(boundary_arn) if boundary_arn else None,
        "managed_policy_arns": iam_details.attached_arns(detail),
        "inline_policies": iam_details.inline_policies(detail.get("UserPolicyList")),
        "groups": sorted({str(g) for g in detail.get("GroupList") or [] if g}),
        "tags": mask_secret_values(normalize.tags(detail.get("Tags"))),
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(detail["UserName"]),
        region=GLOBAL_REGION,
        attributes=attributes,
        account_id=account_id,
    )


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every IAM user of the account, under domain.GLOBAL_REGION; AWS errors propagate."""
    users = iam_details.authorization_details(ctx).users
    return Collected(resources=[to_resource(u, ctx.account_id) for u in users if u.get("UserName")])


# -- remediation -------------------------------------------------------------------------------


def _groups(query: FixQuery) -> list[Call]:
    added, removed = set_members(query.entries)
    return [
        Call(
            iam_details.SERVICE,
            operation,
            {"GroupName": group, "UserName": query.resource_id},
            fixes=(f"groups[{group}]",),
        )
        for operation, groups in (("RemoveUserFromGroup", added), ("AddUserToGroup", removed))
        for group in groups
    ]


def _path(query: FixQuery, expected: Any) -> Call:
    return Call(
        iam_details.SERVICE, "UpdateUser", {"UserName": query.resource_id, "NewPath": expected}
    )


# -- building in an emulated account ---------------------------------------------------------


def _build_user(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if attrs.get("permissions_boundary"):
        extra["PermissionsBoundary"] = attrs["permissions_boundary"]
    user = ctx.client("iam").create_user(
        UserName=attrs["name"],
        Path=attrs.get("path") or "/",
        Tags=tag_list(tags_of(attrs)),
        **extra,
    )["User"]
    ctx.remember(attrs.get("unique_id"), user["UserId"])


def _build_user_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("iam").put_user_policy(
        UserName=arn_tail(attrs["user"]),
        PolicyName=attrs["name"],
        PolicyDocument=reordered(attrs["policy"]),
    )


def _build_attachment(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("iam").attach_user_policy(
        UserName=arn_tail(attrs["user"]), PolicyArn=attrs["policy_arn"]
    )


def _build_memberships(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    for group in attrs.get("groups") or []:
        ctx.client("iam").add_user_to_group(GroupName=group, UserName=arn_tail(attrs["user"]))


_AFTER_USER = ("aws_iam_user",)


def _child(name: str, read: Any) -> TerraformType:
    return TerraformType(name, id=("user",), read=read, parent=True, account_from_arn=False)


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="IAM user",
    with_article="an IAM user",
    sarif_name="IAMUser",
    terraform=(
        TerraformType(
            "aws_iam_user", id=("name", "id"), not_compared={"force_destroy": "Terraform-only"}
        ),
        _child("aws_iam_user_policy", iam_details.inline_policy("user")),
        _child("aws_iam_user_policy_attachment", iam_details.attachment),
        _child("aws_iam_user_group_membership", _memberships),
    ),
    scope=Scope.GLOBAL,
    service=iam_details.SERVICE,
    collect=collect,
    api_calls=(iam_details.LISTING,),
    schema=SCHEMA,
    canonical_id=arn_tail,
    id_doc="user name",
    rules=iam_details.ADMIN_RULES,
    risky=iam_details.grants_admin,
    fixes=(
        iam_details.managed_policies_fix("User"),
        iam_details.inline_policies_fix("User"),
        Fix("groups[*", _groups, doc="groups (iam:RemoveUserFromGroup / AddUserToGroup)"),
        scalar_fix("path", _path, doc="path (iam:UpdateUser)"),
        tags_fix("iam", "TagUser", "UntagUser", lambda q: {"UserName": q.resource_id}),
    ),
    builders={
        "aws_iam_user": Builder(_build_user),
        "aws_iam_user_policy": Builder(_build_user_policy, after=_AFTER_USER),
        "aws_iam_user_policy_attachment": Builder(
            _build_attachment, after=(*_AFTER_USER, "aws_iam_policy")
        ),
        "aws_iam_user_group_membership": Builder(
            _build_memberships, after=(*_AFTER_USER, "aws_iam_group")
        ),
    },
)
