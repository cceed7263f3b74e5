"""Conformance entry of IAM_INSTANCE_PROFILE (fixture: iam_instance_profile.tfstate)."""

from __future__ import annotations

import json

from tests.types.entries._common import tag_mutation
from tests.types.entries._iam import estate
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "IAM_INSTANCE_PROFILE"

WEB = "module.app.aws_iam_instance_profile.web"
BATCH = "aws_iam_instance_profile.batch"
TRUST = json.dumps(
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
)


def _tag(account: Account, name: str, key: str, value: str) -> None:
    account.client("iam").tag_instance_profile(
        InstanceProfileName=name, Tags=[{"Key": key, "Value": value}]
    )


def _other_role(account: Account) -> None:
    iam = account.client("iam")
    name = account.ids[WEB]
    iam.create_role(RoleName="console-role", AssumeRolePolicyDocument=TRUST)
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName="webapp-web-node")
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName="console-role")


def _role_removed(account: Account) -> None:
    account.client("iam").remove_role_from_instance_profile(
        InstanceProfileName=account.ids[BATCH], RoleName="webapp-batch-worker"
    )


def _deleted(account: Account) -> None:
    iam = account.client("iam")
    name = account.ids[BATCH]
    # AWS refuses to delete a profile that still holds a role.
    for role in iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]:
        iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role["RoleName"])
    iam.delete_instance_profile(InstanceProfileName=name)


def _console_profile(account: Account) -> str:
    iam = account.client("iam")
    iam.create_instance_profile(InstanceProfileName="console-made")
    iam.add_role_to_instance_profile(InstanceProfileName="console-made", RoleName="console-role")
    return "console-made"


ENTRY = Entry(
    fixture="iam_instance_profile.tfstate",
    mutations=(
        Mutation("role swapped", _other_role, WEB, "role", "warning"),
        Mutation("role removed", _role_removed, BATCH, "role", "warning"),
        tag_mutation(_tag, WEB),
        tag_mutation(_tag, BATCH, key="Scratch", value="1"),
        Mutation("deleted", _deleted, BATCH, "", "warning", "missing"),
        Mutation("created in the console", _console_profile, None, "", "info", "unmanaged"),
    ),
    estate=estate("iam_instance_profile.tfstate", ["aws_iam_instance_profile", "aws_iam_role"]),
)
