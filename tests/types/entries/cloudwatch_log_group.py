"""Conformance entry of CLOUDWATCH_LOG_GROUP (fixture: cloudwatch_log_group.tfstate)."""

from __future__ import annotations

from collections.abc import Callable

from tests.types.entries._common import tag_mutation
from tests.types.entries._estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "CLOUDWATCH_LOG_GROUP"

ORDERS = "aws_cloudwatch_log_group.orders"
AUDIT = "aws_cloudwatch_log_group.audit"
WORKER = "module.worker.aws_cloudwatch_log_group.worker"
_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:"


def _tag(account: Account, rid: str, key: str, value: str) -> None:
    account.client("logs").tag_resource(resourceArn=_ARN + rid, tags={key: value})


def _retention(address: str, days: int | None) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        logs = account.client("logs")
        if days is None:
            logs.delete_retention_policy(logGroupName=account.ids[address])
        else:
            logs.put_retention_policy(logGroupName=account.ids[address], retentionInDays=days)

    return apply


def _drop_key(account: Account) -> None:
    # moto has no DisassociateKmsKey: the group is made again without its key.
    logs = account.client("logs")
    logs.delete_log_group(logGroupName=account.ids[AUDIT])
    logs.create_log_group(logGroupName=account.ids[AUDIT])


def _delete_worker(account: Account) -> None:
    account.client("logs").delete_log_group(logGroupName=account.ids[WORKER])


def _group(name: str) -> Callable[[Account], str]:
    def apply(account: Account) -> str:
        account.client("logs").create_log_group(logGroupName=name)
        return name

    return apply


ENTRY = Entry(
    fixture="cloudwatch_log_group.tfstate",
    mutations=(
        tag_mutation(_tag, ORDERS),
        Mutation(
            "retention shortened", _retention(ORDERS, 1), ORDERS, "retention_in_days", "warning"
        ),
        Mutation(
            "retention removed (never expire)",
            _retention(WORKER, None),
            WORKER,
            "retention_in_days",
            "warning",
        ),
        Mutation(
            "retention set on a group kept forever",
            _retention(AUDIT, 7),
            AUDIT,
            "retention_in_days",
            "warning",
        ),
        Mutation("KMS key removed", _drop_key, AUDIT, "kms_key_id", "warning"),
        Mutation("deleted", _delete_worker, WORKER, "", "warning", "missing"),
        # What Lambda creates on an unmanaged function's first run: unmanaged, at info.
        Mutation(
            "an unmanaged function's group",
            _group("/aws/lambda/console-made"),
            None,
            "",
            "info",
            "unmanaged",
        ),
        Mutation("console group", _group("/app/scratch"), None, "", "info", "unmanaged"),
    ),
    estate=copies("cloudwatch_log_group.tfstate", lambda attrs: [attrs.get("name") or ""]),
)
