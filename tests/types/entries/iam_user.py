"""Conformance entry of IAM_USER (fixture: iam_user.tfstate)."""

from __future__ import annotations

from tests.types.entries._common import tag_mutation
from tests.types.entries._iam import ADMIN, ALLOW_ALL, estate
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "IAM_USER"

ALICE = "aws_iam_user.alice"
DEPLOYER = "module.ci.aws_iam_user.deployer"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _tag(account: Account, name: str, key: str, value: str) -> None:
    account.client("iam").tag_user(UserName=name, Tags=[{"Key": key, "Value": value}])


def _attach_admin(account: Account) -> None:
    account.client("iam").attach_user_policy(UserName=account.ids[ALICE], PolicyArn=ADMIN)


def _inline_admin(account: Account) -> None:
    account.client("iam").put_user_policy(
        UserName=account.ids[DEPLOYER], PolicyName="break-glass", PolicyDocument=ALLOW_ALL
    )


def _readonly_detached(account: Account) -> None:
    account.client("iam").detach_user_policy(UserName=account.ids[ALICE], PolicyArn=READ_ONLY)


def _inline_deleted(account: Account) -> None:
    account.client("iam").delete_user_policy(
        UserName=account.ids[DEPLOYER], PolicyName="publish-assets"
    )


def _joined_group(account: Account) -> None:
    iam = account.client("iam")
    iam.create_group(GroupName="console-admins")
    iam.add_user_to_group(GroupName="console-admins", UserName=account.ids[ALICE])


def _moved(account: Account) -> None:
    account.client("iam").update_user(UserName=account.ids[DEPLOYER], NewPath="/legacy/")


def _left_group(account: Account) -> None:
    account.client("iam").remove_user_from_group(GroupName="support", UserName=account.ids[ALICE])


def _deleted(account: Account) -> None:
    iam = account.client("iam")
    name = account.ids[DEPLOYER]
    for policy in iam.list_user_policies(UserName=name)["PolicyNames"]:
        iam.delete_user_policy(UserName=name, PolicyName=policy)
    for attached in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=name, PolicyArn=attached["PolicyArn"])
    iam.delete_user(UserName=name)


def _console_user(account: Account) -> str:
    account.client("iam").create_user(UserName="console-made")
    return "console-made"


ENTRY = Entry(
    fixture="iam_user.tfstate",
    managed_policies=True,
    mutations=(
        Mutation(
            "AdministratorAccess attached",
            _attach_admin,
            ALICE,
            f"managed_policy_arns[{ADMIN}]",
            "critical",
        ),
        Mutation(
            "admin inline policy",
            _inline_admin,
            DEPLOYER,
            "inline_policies.break-glass",
            "critical",
        ),
        Mutation(
            "ReadOnlyAccess detached",
            _readonly_detached,
            ALICE,
            f"managed_policy_arns[{READ_ONLY}]",
            "warning",
        ),
        Mutation(
            "inline policy deleted",
            _inline_deleted,
            DEPLOYER,
            "inline_policies.publish-assets",
            "warning",
        ),
        Mutation("path moved", _moved, DEPLOYER, "path", "warning"),
        Mutation("left a group", _left_group, ALICE, "groups[support]", "warning"),
        Mutation("joined a group", _joined_group, ALICE, "groups[console-admins]", "warning"),
        tag_mutation(_tag, ALICE),
        tag_mutation(_tag, ALICE, key="Scratch", value="1"),
        Mutation("deleted", _deleted, DEPLOYER, "", "warning", "missing"),
        Mutation("created in the console", _console_user, None, "", "info", "unmanaged"),
    ),
    estate=estate(
        "iam_user.tfstate",
        [
            "aws_iam_user",
            "aws_iam_user_policy",
            "aws_iam_user_policy_attachment",
            "aws_iam_user_group_membership",
            "aws_iam_group",
            "aws_iam_policy",
        ],
    ),
)
