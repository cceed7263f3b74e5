"""IAM groups (``aws_iam_group`` + ``aws_iam_group_policy``, ``aws_iam_group_policy_attachment``,
``aws_iam_group_membership``): the shared GetAccountAuthorizationDetails listing, nothing per
group.

resource_id is the group name; the region is ``global``. Attached and inline policies are
declared as separate resources, so a group declares none unless they say (a policy attached
behind Terraform's back is drift, critical when it grants admin-level access). Members are
compared where the IaC declares ``aws_iam_group_membership`` (which Terraform manages as the
whole member list); AWS's group details do not list members, so they are read from the users'
``GroupList`` in the same listing. IAM groups have no tags.

moto's UpdateGroup ignores a new path alone (AWS moves the group).

``aws_iam_policy_attachment`` (one exclusive attachment naming users, groups and roles) is not
read yet: a group whose policies it attaches shows them as added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl.domain import GLOBAL_REGION
from driftctl.iac.instance import StateInstance, strings
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import iam_details
from driftctl.types.build import BuildContext, Builder
from driftctl.types.fixes import set_members
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

RESOURCE_TYPE = "IAM_GROUP"


def _members(inst: StateInstance) -> dict[str, Any]:
    users = inst.get("users")
    return {"members": SENSITIVE if users == SENSITIVE else strings(users or [])}


SCHEMA: dict[str, Attr] = {
    "path": Attr(),
    "managed_policy_arns": Attr(Kind.SET, read=iam_details.no_policies),
    "inline_policies": Attr(
        Kind.POLICY_MAP, read=iam_details.no_inline_policies, doc="name -> policy"
    ),
    "members": Attr(Kind.SET, doc="user names, where the IaC declares the membership"),
}


# -- reading AWS -------------------------------------------------------------------------------


def to_resource(
    detail: Mapping[str, Any], members: list[str], account_id: str | None
) -> ActualResource:
    """One GroupDetail (and its members) in the canonical IAM_GROUP form."""
    attributes: dict[str, Any] = {
        "path": str(detail.get("Path") or "/"),
        "managed_policy_arns": iam_details.attached_arns(detail),
        "inline_policies": iam_details.inline_policies(detail.get("GroupPolicyList")),
        "members": members,
    }
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(detail["GroupName"]),
        region=GLOBAL_REGION,
        attributes=attributes,
        account_id=account_id,
    )


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every IAM group of the account, under domain.GLOBAL_REGION; AWS errors propagate."""
    details = iam_details.authorization_details(ctx)
    members: dict[str, set[str]] = {}
    for user in details.users:
        name = user.get("UserName")
        for group in user.get("GroupList") or []:
            if name and group:
                members.setdefault(str(group), set()).add(str(name))
    return Collected(
        resources=[
            to_resource(g, sorted(members.get(str(g["GroupName"]), ())), ctx.account_id)
            for g in details.groups
            if g.get("GroupName")
        ]
    )


# -- remediation -------------------------------------------------------------------------------


def _members_fix(query: FixQuery) -> list[Call]:
    added, removed = set_members(query.entries)
    return [
        Call(
            iam_details.SERVICE,
            operation,
            {"GroupName": query.resource_id, "UserName": user},
            fixes=(f"members[{user}]",),
        )
        for operation, users in (("RemoveUserFromGroup", added), ("AddUserToGroup", removed))
        for user in users
    ]


# -- building in an emulated account ---------------------------------------------------------


def _build_group(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    group = ctx.client("iam").create_group(GroupName=attrs["name"], Path=attrs.get("path") or "/")[
        "Group"
    ]
    ctx.remember(attrs.get("unique_id"), group["GroupId"])


def _build_group_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("iam").put_group_policy(
        GroupName=arn_tail(attrs["group"]),
        PolicyName=attrs["name"],
        PolicyDocument=reordered(attrs["policy"]),
    )


def _build_attachment(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("iam").attach_group_policy(
        GroupName=arn_tail(attrs["group"]), PolicyArn=attrs["policy_arn"]
    )


def _build_membership(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    for user in attrs.get("users") or []:
        ctx.client("iam").add_user_to_group(GroupName=arn_tail(attrs["group"]), UserName=user)


_AFTER_GROUP = ("aws_iam_group",)


def _child(name: str, read: Any) -> TerraformType:
    return TerraformType(name, id=("group",), read=read, parent=True, account_from_arn=False)


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="IAM group",
    with_article="an IAM group",
    sarif_name="IAMGroup",
    terraform=(
        TerraformType("aws_iam_group", id=("name", "id")),
        _child("aws_iam_group_policy", iam_details.inline_policy("group")),
        _child("aws_iam_group_policy_attachment", iam_details.attachment),
        TerraformType(
            "aws_iam_group_membership",
            id=("group",),
            read=_members,
            parent=True,
            account_from_arn=False,
            not_compared={"name": "Terraform-only (the membership's own name)"},
        ),
    ),
    scope=Scope.GLOBAL,
    service=iam_details.SERVICE,
    collect=collect,
    api_calls=(iam_details.LISTING,),
    schema=SCHEMA,
    canonical_id=arn_tail,
    id_doc="group name",
    rules=iam_details.ADMIN_RULES,
    risky=iam_details.grants_admin,
    fixes=(
        iam_details.managed_policies_fix("Group"),
        iam_details.inline_policies_fix("Group"),
        Fix("members[*", _members_fix, doc="members (iam:RemoveUserFromGroup / AddUserToGroup)"),
    ),
    builders={
        "aws_iam_group": Builder(_build_group),
        "aws_iam_group_policy": Builder(_build_group_policy, after=_AFTER_GROUP),
        "aws_iam_group_policy_attachment": Builder(
            _build_attachment, after=(*_AFTER_GROUP, "aws_iam_policy")
        ),
        "aws_iam_group_membership": Builder(
            _build_membership, after=(*_AFTER_GROUP, "aws_iam_user")
        ),
    },
)
