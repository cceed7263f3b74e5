"""Conformance entry of SECRETSMANAGER_SECRET (fixture: secretsmanager_secret.tfstate).

Rotation needs a rotation function that moto tries to run in Docker: it is covered by unit
tests instead (tests/types/test_secretsmanager_secret.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._fn_estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "SECRETSMANAGER_SECRET"
FIXTURE = "secretsmanager_secret.tfstate"

DB = "aws_secretsmanager_secret.db"
API = "aws_secretsmanager_secret.api"
WEBHOOK = "aws_secretsmanager_secret.webhook"
DB_VERSION = "terraform-20240312091428113600000007"
ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"


def _tag(account: Account, arn: str, key: str, value: str) -> None:
    account.client("secretsmanager").tag_resource(SecretId=arn, Tags=[{"Key": key, "Value": value}])


def _policy(address: str, condition: dict[str, Any] | None) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
        if condition:
            statement["Condition"] = condition
        account.client("secretsmanager").put_resource_policy(
            SecretId=account.ids[address],
            ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )

    return apply


def _default_key(account: Account) -> None:
    account.client("secretsmanager").update_secret(SecretId=account.ids[DB], KmsKeyId="")


def _described(account: Account) -> None:
    account.client("secretsmanager").update_secret(
        SecretId=account.ids[WEBHOOK], Description="edited in the console"
    )


def _value_put_behind_terraforms_back(account: Account) -> None:
    # Only the version's stages are compared: the new value moves AWSCURRENT away from it.
    account.client("secretsmanager").put_secret_value(
        SecretId=account.ids[DB], SecretString="rotated-by-hand"
    )


def _delete(account: Account) -> None:
    account.client("secretsmanager").delete_secret(
        SecretId=account.ids[WEBHOOK], ForceDeleteWithoutRecovery=True
    )


def _console(public: bool) -> Callable[[Account], str]:
    def apply(account: Account) -> str:
        client = account.client("secretsmanager")
        name = "console/public" if public else "console/private"
        arn = str(client.create_secret(Name=name, SecretString="x")["ARN"])
        if public:
            _policy_doc = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": "*",
                    }
                ],
            }
            client.put_resource_policy(SecretId=arn, ResourcePolicy=json.dumps(_policy_doc))
        return arn

    return apply


def _rds_owned(account: Account) -> list[str]:
    # What RDS creates for a master user password; moto reads the owner from this tag.
    owner = [{"Key": "aws:secretsmanager:owningService", "Value": "rds"}]
    answer = account.client("secretsmanager").create_secret(
        Name="rds!db-0123", SecretString="x", Tags=owner
    )
    return [str(answer["ARN"])]


def estate(n: int) -> dict[str, Any]:
    """n copies of the fixture's secrets and policy."""
    names = ("orders/db-credentials", "orders/partner-api-key", "orders/webhook-signing")
    suffixes = ("Xy12Ab", "Qw34Er", "Zx56Cv")
    # The ARNs as whole tokens too: the name inside one is followed by its suffix.
    arns = [f"{ARN_PREFIX}{name}-{suffix}" for name, suffix in zip(names, suffixes, strict=True)]
    return copies(
        FIXTURE,
        (
            "aws_secretsmanager_secret",
            "aws_secretsmanager_secret_policy",
            "aws_secretsmanager_secret_version",
        ),
        (*names, *arns),
        n,
    )


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation("policy open to anyone", _policy(API, None), API, "policy", "critical"),
        Mutation(
            "policy added for one organisation",
            _policy(WEBHOOK, {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
            WEBHOOK,
            "policy",
            "warning",
        ),
        Mutation("customer key removed", _default_key, DB, "kms_key_id", "critical"),
        Mutation(
            "value replaced outside Terraform",
            _value_put_behind_terraforms_back,
            DB,
            f"versions.{DB_VERSION}[AWSCURRENT]",
            "warning",
        ),
        Mutation("description edited", _described, WEBHOOK, "description", "warning"),
        tag_mutation(_tag, DB),
        Mutation("deleted", _delete, WEBHOOK, "", "warning", "missing"),
        Mutation("public one created", _console(True), None, "", "critical", "unmanaged"),
        Mutation("private one created", _console(False), None, "", "info", "unmanaged"),
    ),
    aws_owned=_rds_owned,
    estate=estate,
)
