"""Conformance entry of DYNAMODB_TABLE (fixture: dynamodb_table.tfstate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from driftctl.types.dynamodb_table import create_table
from tests.types.entries._common import tag_mutation
from tests.types.entries._copies import copies, replace_all
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "DYNAMODB_TABLE"
FIXTURE = "dynamodb_table.tfstate"

ORDERS = "aws_dynamodb_table.orders"
SESSIONS = "aws_dynamodb_table.sessions"


def _tag(account: Account, name: str, key: str, value: str) -> None:
    client = account.client("dynamodb")
    arn = client.describe_table(TableName=name)["Table"]["TableArn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": key, "Value": value}])


def _update(**changes: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("dynamodb").update_table(TableName="webapp-orders", **changes)

    return apply


def _pitr_off(account: Account) -> None:
    account.client("dynamodb").update_continuous_backups(
        TableName="webapp-orders",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
    )


def _ttl(table: str, enabled: bool, attribute: str) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("dynamodb").update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"Enabled": enabled, "AttributeName": attribute},
        )

    return apply


def _recreated_unencrypted(account: Account) -> None:
    # moto ignores UpdateTable's SSESpecification: recreate the table with AWS's default key.
    client = account.client("dynamodb")
    client.update_table(TableName="webapp-orders", DeletionProtectionEnabled=False)
    client.delete_table(TableName="webapp-orders")
    attrs = dict(account.attributes(ORDERS), deletion_protection_enabled=True)
    create_table(account.build, attrs, encrypted=False)


def _delete_sessions(account: Account) -> None:
    account.client("dynamodb").delete_table(TableName="webapp-sessions")


def _console_table(account: Account) -> str:
    account.client("dynamodb").create_table(
        TableName="scratch",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return "scratch"


def _rename(number: int, attrs: dict[str, Any]) -> dict[str, Any]:
    name = str(attrs["name"])
    return replace_all(attrs, [(name, f"{name}-{number}")])


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's tables."""
    return copies(FIXTURE, ["aws_dynamodb_table"], n, _rename)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, ORDERS),
        tag_mutation(_tag, ORDERS, key="CostCenter"),
        Mutation(
            "TTL turned off",
            _ttl("webapp-orders", False, "expires_at"),
            ORDERS,
            "ttl.enabled",
            "warning",
        ),
        Mutation(
            "TTL turned on",
            _ttl("webapp-sessions", True, "touched_at"),
            SESSIONS,
            "ttl.enabled",
            "warning",
        ),
        Mutation(
            "capacity raised",
            _update(ProvisionedThroughput={"ReadCapacityUnits": 50, "WriteCapacityUnits": 5}),
            ORDERS,
            "read_capacity",
            "warning",
        ),
        Mutation(
            "point-in-time recovery off", _pitr_off, ORDERS, "point_in_time_recovery", "critical"
        ),
        Mutation(
            "deletion protection off",
            _update(DeletionProtectionEnabled=False),
            ORDERS,
            "deletion_protection_enabled",
            "critical",
        ),
        Mutation(
            "encryption removed",
            _recreated_unencrypted,
            ORDERS,
            "server_side_encryption.enabled",
            "critical",
        ),
        Mutation("created in the console", _console_table, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete_sessions, SESSIONS, "", "warning", "missing"),
    ),
    estate=estate,
)
