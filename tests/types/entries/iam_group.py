"""Conformance entry of IAM_GROUP (fixture: iam_group.tfstate). IAM groups have no tags."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.types.entries._iam import ADMIN, ALLOW_ALL, estate
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "IAM_GROUP"

DEVELOPERS = "aws_iam_group.developers"
AUDITORS = "module.audit.aws_iam_group.auditors"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
READ_QUEUES = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}],
    }
)


def _attach_admin(account: Account) -> None:
    account.client("iam").attach_group_policy(GroupName=account.ids[AUDITORS], PolicyArn=ADMIN)


def _inline(name: str, document: str) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("iam").put_group_policy(
            GroupName=account.ids[DEVELOPERS], PolicyName=name, PolicyDocument=document
        )

    return apply


def _new_member(account: Account) -> None:
    iam = account.client("iam")
    iam.create_user(UserName="mallory")
    iam.add_user_to_group(GroupName=account.ids[DEVELOPERS], UserName="mallory")


def _readonly_detached(account: Account) -> None:
    account.client("iam").detach_group_policy(GroupName=account.ids[AUDITORS], PolicyArn=READ_ONLY)


def _member_left(account: Account) -> None:
    account.client("iam").remove_user_from_group(
        GroupName=account.ids[DEVELOPERS], UserName="carol"
    )


def _deleted(account: Account) -> None:
    iam = account.client("iam")
    name = account.ids[AUDITORS]
    for attached in iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]:
        iam.detach_group_policy(GroupName=name, PolicyArn=attached["PolicyArn"])
    iam.delete_group(GroupName=name)


def _console_group(account: Account) -> str:
    iam = account.client("iam")
    iam.create_group(GroupName="console-admins")
    iam.attach_group_policy(GroupName="console-admins", PolicyArn=ADMIN)
    return "console-admins"


ENTRY = Entry(
    fixture="iam_group.tfstate",
    managed_policies=True,
    mutations=(
        Mutation(
            "AdministratorAccess attached",
            _attach_admin,
            AUDITORS,
            f"managed_policy_arns[{ADMIN}]",
            "critical",
        ),
        Mutation(
            "admin inline policy",
            _inline("break-glass", ALLOW_ALL),
            DEVELOPERS,
            "inline_policies.break-glass",
            "critical",
        ),
        Mutation(
            "inline policy added",
            _inline("read-queues", READ_QUEUES),
            DEVELOPERS,
            "inline_policies.read-queues",
            "warning",
        ),
        Mutation(
            "ReadOnlyAccess detached",
            _readonly_detached,
            AUDITORS,
            f"managed_policy_arns[{READ_ONLY}]",
            "warning",
        ),
        Mutation(
            "inline policy edited",
            _inline("describe-infra", READ_QUEUES),
            DEVELOPERS,
            "inline_policies.describe-infra",
            "warning",
        ),
        Mutation("member left", _member_left, DEVELOPERS, "members[carol]", "warning"),
        Mutation("member added", _new_member, DEVELOPERS, "members[mallory]", "warning"),
        Mutation("deleted", _deleted, AUDITORS, "", "warning", "missing"),
        # Unmanaged with AdministratorAccess attached: risky on its own.
        Mutation("created in the console", _console_group, None, "", "critical", "unmanaged"),
    ),
    estate=estate(
        "iam_group.tfstate",
        [
            "aws_iam_group",
            "aws_iam_group_policy",
            "aws_iam_group_policy_attachment",
            "aws_iam_group_membership",
            "aws_iam_user",
        ],
    ),
)
