"""Conformance entry of IAM_ROLE (fixture: iam_role.tfstate)."""

from __future__ import annotations

import json

from tests.types.entries._common import tag_mutation
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "IAM_ROLE"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
READ_ALL_OBJECTS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
)

AUDITOR = "aws_iam_role.auditor"
WEB_ROLE = "module.app.aws_iam_role.web"


def _attach_admin(account: Account) -> None:
    account.client("iam").attach_role_policy(RoleName=account.ids[WEB_ROLE], PolicyArn=ADMIN)


def _trust_anyone(account: Account) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    account.client("iam").update_assume_role_policy(
        RoleName=account.ids[AUDITOR], PolicyDocument=json.dumps(trust)
    )


def _inline_admin(account: Account) -> None:
    account.client("iam").put_role_policy(
        RoleName=account.ids[WEB_ROLE], PolicyName="break-glass", PolicyDocument=ALLOW_ALL
    )


def _longer_sessions(account: Account) -> None:
    account.client("iam").update_role(RoleName=account.ids[WEB_ROLE], MaxSessionDuration=7200)


def _readonly_detached(account: Account) -> None:
    account.client("iam").detach_role_policy(RoleName=account.ids[AUDITOR], PolicyArn=READ_ONLY)


def _inline_widened(account: Account) -> None:
    account.client("iam").put_role_policy(
        RoleName=account.ids[WEB_ROLE], PolicyName="read-assets", PolicyDocument=READ_ALL_OBJECTS
    )


def _inline_deleted(account: Account) -> None:
    account.client("iam").delete_role_policy(
        RoleName=account.ids[AUDITOR], PolicyName="deny-secret-reads"
    )


def _described(account: Account) -> None:
    account.client("iam").update_role_description(
        RoleName=account.ids[AUDITOR], Description="temporary"
    )


def _console_role(account: Account) -> str:
    account.client("iam").create_role(
        RoleName="console-made",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    return "console-made"


def _service_linked(account: Account) -> list[str]:
    role = account.client("iam").create_service_linked_role(
        AWSServiceName="elasticloadbalancing.amazonaws.com"
    )["Role"]
    return [str(role["RoleName"])]


ENTRY = Entry(
    fixture="iam_role.tfstate",
    managed_policies=True,
    mutations=(
        Mutation(
            "AdministratorAccess attached",
            _attach_admin,
            WEB_ROLE,
            f"managed_policy_arns[{ADMIN}]",
            "critical",
        ),
        Mutation(
            "ReadOnlyAccess detached",
            _readonly_detached,
            AUDITOR,
            f"managed_policy_arns[{READ_ONLY}]",
            "warning",
        ),
        Mutation("trust widened", _trust_anyone, AUDITOR, "assume_role_policy", "critical"),
        Mutation(
            "admin inline policy",
            _inline_admin,
            WEB_ROLE,
            "inline_policies.break-glass",
            "critical",
        ),
        Mutation(
            "inline policy widened",
            _inline_widened,
            WEB_ROLE,
            "inline_policies.read-assets",
            "warning",
        ),
        Mutation(
            "inline policy deleted",
            _inline_deleted,
            AUDITOR,
            "inline_policies.deny-secret-reads",
            "warning",
        ),
        Mutation("description changed", _described, AUDITOR, "description", "warning"),
        Mutation("longer sessions", _longer_sessions, WEB_ROLE, "max_session_duration", "warning"),
        tag_mutation("iam", AUDITOR),
        tag_mutation("iam", WEB_ROLE, key="Scratch", value="1"),
        Mutation("created in the console", _console_role, None, "", "info", "unmanaged"),
    ),
    aws_owned=_service_linked,
)
