"""Conformance entry of KMS_ALIAS (fixture: kms_alias.tfstate). Aliases have no tags."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.types.harness import FIXTURES, Account, Entry, Mutation

RESOURCE_TYPE = "KMS_ALIAS"
FIXTURE = "kms_alias.tfstate"

DATA = "aws_kms_alias.data"
SIGNING = "aws_kms_alias.signing"
LEGACY = "module.compat.aws_kms_alias.data_legacy"


def _retarget(address: str, key: str | None) -> Any:
    def apply(account: Account) -> None:
        kms = account.client("kms")
        target = (
            account.ids[key]
            if key
            else kms.create_key(Description="made by hand")["KeyMetadata"]["KeyId"]
        )
        kms.update_alias(AliasName=account.ids[address], TargetKeyId=target)

    return apply


def _delete(account: Account) -> None:
    account.client("kms").delete_alias(AliasName=account.ids[LEGACY])


def _console_alias(account: Account) -> str:
    account.client("kms").create_alias(
        AliasName="alias/made-by-hand", TargetKeyId=account.ids["aws_kms_key.data"]
    )
    return "alias/made-by-hand"


def _aws_owned(_account: Account) -> list[str]:
    # The emulator lists the alias/aws/* aliases from the start, as AWS does once they are used.
    return ["alias/aws/ebs", "alias/aws/s3"]


def estate(n: int) -> dict[str, Any]:
    """The fixture's keys once, and its aliases ``n`` times over with unique names."""
    doc = json.loads((FIXTURES / FIXTURE).read_text(encoding="utf-8"))
    keys = [r for r in doc["resources"] if r["type"] != "aws_kms_alias"]
    aliases: list[dict[str, Any]] = []
    for copy_no in range(n):
        for resource in doc["resources"]:
            if resource["type"] != "aws_kms_alias":
                continue
            twin = copy.deepcopy(resource)
            twin["name"] = f"{resource['name']}_{copy_no}"
            attrs = twin["instances"][0]["attributes"]
            name = f"{attrs['name']}-{copy_no}"
            attrs.update(name=name, id=name, arn=f"{attrs['arn'].rsplit(':', 1)[0]}:{name}")
            aliases.append(twin)
    return {**doc, "resources": keys + aliases}


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation(
            "pointed at another declared key",
            _retarget(DATA, "aws_kms_key.signing"),
            DATA,
            "target_key_id",
            "warning",
        ),
        Mutation(
            "pointed at a key made by hand",
            _retarget(SIGNING, None),
            SIGNING,
            "target_key_id",
            "warning",
        ),
        Mutation("deleted", _delete, LEGACY, "", "warning", "missing"),
        Mutation("made by hand", _console_alias, None, "", "info", "unmanaged"),
    ),
    aws_owned=_aws_owned,
    estate=estate,
)
