"""Conformance entry of KMS_KEY (fixture: kms_key.tfstate)."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.harness import FIXTURES, REGION, Account, Entry, Mutation

RESOURCE_TYPE = "KMS_KEY"
FIXTURE = "kms_key.tfstate"

DATA = "aws_kms_key.data"
SIGNING = "aws_kms_key.signing"
LOGS = "module.logging.aws_kms_key.logs"
ANYONE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
        ],
    }
)


def _tag(account: Account, key_id: str, key: str, value: str) -> None:
    account.client("kms").tag_resource(KeyId=key_id, Tags=[{"TagKey": key, "TagValue": value}])


def _describe(account: Account) -> None:
    account.client("kms").update_key_description(
        KeyId=account.ids[SIGNING], Description="changed in the console"
    )


def _rotation_off(account: Account) -> None:
    account.client("kms").disable_key_rotation(KeyId=account.ids[DATA])


def _public_policy(account: Account) -> None:
    account.client("kms").put_key_policy(
        KeyId=account.ids[LOGS], PolicyName="default", Policy=ANYONE
    )


def _disable(account: Account) -> None:
    account.client("kms").disable_key(KeyId=account.ids[DATA])


def _schedule_deletion(account: Account) -> None:
    account.client("kms").schedule_key_deletion(KeyId=account.ids[SIGNING], PendingWindowInDays=7)


def _backend(account: Account) -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.kms.models import kms_backends

    return kms_backends[DEFAULT_ACCOUNT_ID][account.build.region]


def _deleted(account: Account) -> None:
    # AWS removes a key only when its waiting period is over; the emulator is told directly.
    _backend(account).delete_key(account.ids[LOGS])


def _console_key(policy: str | None) -> Any:
    def apply(account: Account) -> str:
        extra = {"Policy": policy} if policy else {}
        key = account.client("kms").create_key(Description="made by hand", **extra)
        return str(key["KeyMetadata"]["KeyId"])

    return apply


def _aws_managed(account: Account) -> list[str]:
    # AWS creates the key behind alias/aws/ebs when a service first uses it, as KeyManager=AWS;
    # the emulator creates it as a customer key (see driftctl.types.kms_key).
    kms = account.client("kms")
    key_id = str(kms.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]["KeyId"])
    _backend(account).keys[key_id].key_manager = "AWS"
    return [key_id]


def estate(n: int) -> dict[str, Any]:
    """The fixture's keys (and key policy) ``n`` times over, each copy with its own key ids."""
    doc = json.loads((FIXTURES / FIXTURE).read_text(encoding="utf-8"))
    resources: list[dict[str, Any]] = []
    for copy_no in range(n):
        renamed: dict[str, str] = {}
        for resource in doc["resources"]:
            attrs = resource["instances"][0]["attributes"]
            if resource["type"] == "aws_kms_key":
                old = attrs["key_id"]
                fresh = uuid.uuid5(uuid.NAMESPACE_URL, f"{old}/{copy_no}")
                renamed[old] = f"mrk-{fresh.hex}" if old.startswith("mrk-") else str(fresh)
        for resource in doc["resources"]:
            twin = copy.deepcopy(resource)
            twin["name"] = f"{resource['name']}_{copy_no}"
            text = json.dumps(twin)
            for old, new in renamed.items():
                text = text.replace(old, new)
            twin = json.loads(text)
            if "dependencies" in twin["instances"][0]:
                twin["instances"][0]["dependencies"] = [
                    f"{d}_{copy_no}" for d in twin["instances"][0]["dependencies"]
                ]
            resources.append(twin)
    return {**doc, "resources": resources}


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, DATA),
        tag_mutation(_tag, DATA, key="CostCenter"),
        Mutation("description changed", _describe, SIGNING, "description", "warning"),
        Mutation("rotation turned off", _rotation_off, DATA, "enable_key_rotation", "critical"),
        Mutation("policy open to anyone", _public_policy, LOGS, "policy", "critical"),
        Mutation("key disabled", _disable, DATA, "is_enabled", "critical"),
        Mutation(
            "scheduled for deletion", _schedule_deletion, SIGNING, "pending_deletion", "critical"
        ),
        Mutation("deleted", _deleted, LOGS, "", "warning", "missing"),
        Mutation("made by hand", _console_key(None), None, "", "info", "unmanaged"),
        Mutation(
            "made by hand, open to anyone", _console_key(ANYONE), None, "", "critical", "unmanaged"
        ),
    ),
    aws_owned=_aws_managed,
    regions=(REGION,),
    estate=estate,
)
