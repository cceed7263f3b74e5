"""Conformance entry of IAM_ACCESS_KEY (fixture: iam_access_key.tfstate)."""

from __future__ import annotations

import json
from typing import Any

from tests.types.entries._iam import estate as iam_estate
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "IAM_ACCESS_KEY"
FIXTURE = "iam_access_key.tfstate"

CI = "aws_iam_access_key.ci"
BACKUP_OLD = "aws_iam_access_key.backup[1]"


def _user_of(account: Account, address: str) -> str:
    return str(account.attributes(address)["user"])


def _deactivated(account: Account) -> None:
    account.client("iam").update_access_key(
        UserName=_user_of(account, CI), AccessKeyId=account.ids[CI], Status="Inactive"
    )


def _reactivated(account: Account) -> None:
    account.client("iam").update_access_key(
        UserName=_user_of(account, BACKUP_OLD), AccessKeyId=account.ids[BACKUP_OLD], Status="Active"
    )


def _deleted(account: Account) -> None:
    account.client("iam").delete_access_key(
        UserName=_user_of(account, CI), AccessKeyId=account.ids[CI]
    )


def _console_key(account: Account) -> str:
    iam = account.client("iam")
    iam.create_user(UserName="console-made")
    return str(iam.create_access_key(UserName="console-made")["AccessKey"]["AccessKeyId"])


def _parked_key(account: Account) -> str:
    iam = account.client("iam")
    iam.create_user(UserName="console-parked")
    key = iam.create_access_key(UserName="console-parked")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="console-parked", AccessKeyId=key, Status="Inactive")
    return str(key)


def estate(n: int) -> dict[str, Any]:
    """n copies of the fixture's users and keys; every copy's keys get ids of their own."""
    doc = iam_estate(FIXTURE, ["aws_iam_user", "aws_iam_access_key"])(n)
    count = 0
    for resource in doc["resources"]:
        if resource["type"] != "aws_iam_access_key":
            continue
        for instance in resource["instances"]:
            count += 1
            instance["attributes"]["id"] = f"AKIA4QWJ7ZKX{count:08d}"
    return json.loads(json.dumps(doc))


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation("key deactivated", _deactivated, CI, "status", "warning"),
        Mutation("old key reactivated", _reactivated, BACKUP_OLD, "status", "warning"),
        Mutation("key deleted", _deleted, CI, "", "warning", "missing"),
        Mutation("active key made in the console", _console_key, None, "", "warning", "unmanaged"),
        Mutation("inactive key made in the console", _parked_key, None, "", "info", "unmanaged"),
    ),
    estate=estate,
)
