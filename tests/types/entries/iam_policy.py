"""Conformance entry of IAM_POLICY (fixture: iam_policy.tfstate)."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.types.entries._common import tag_mutation
from tests.types.entries._iam import ALLOW_ALL, estate
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "IAM_POLICY"

READ_LOGS = "aws_iam_policy.read_logs"
DEPLOY = "module.ci.aws_iam_policy.deploy"


def _tag(account: Account, arn: str, key: str, value: str) -> None:
    account.client("iam").tag_policy(PolicyArn=arn, Tags=[{"Key": key, "Value": value}])


def _new_default(address: str, document: str) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("iam").create_policy_version(
            PolicyArn=account.ids[address], PolicyDocument=document, SetAsDefault=True
        )

    return apply


WIDER_DEPLOY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::acme-webapp-assets-prod/*",
            }
        ],
    }
)


def _delete(account: Account) -> None:
    account.client("iam").delete_policy(PolicyArn=account.ids[READ_LOGS])


def _console_policy(account: Account) -> str:
    arn = account.client("iam").create_policy(PolicyName="console-made", PolicyDocument=ALLOW_ALL)[
        "Policy"
    ]["Arn"]
    return str(arn)


ENTRY = Entry(
    fixture="iam_policy.tfstate",
    mutations=(
        Mutation(
            "admin default version",
            _new_default(READ_LOGS, ALLOW_ALL),
            READ_LOGS,
            "policy",
            "critical",
        ),
        Mutation(
            "wider default version",
            _new_default(DEPLOY, WIDER_DEPLOY),
            DEPLOY,
            "policy",
            "warning",
        ),
        tag_mutation(_tag, DEPLOY),
        tag_mutation(_tag, READ_LOGS, key="Scratch", value="1"),
        Mutation("deleted", _delete, READ_LOGS, "", "warning", "missing"),
        # An unmanaged policy allowing * on * is risky on its own.
        Mutation("created in the console", _console_policy, None, "", "critical", "unmanaged"),
    ),
    estate=estate("iam_policy.tfstate", ["aws_iam_policy"]),
)
