"""Conformance entry of SSM_PARAMETER (fixture: ssm_parameter.tfstate)."""

from __future__ import annotations

from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._fn_estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "SSM_PARAMETER"
FIXTURE = "ssm_parameter.tfstate"

PASSWORD = "aws_ssm_parameter.db_password"
API_URL = "aws_ssm_parameter.api_url"
FLAGS = "aws_ssm_parameter.feature_flags"


def _tag(account: Account, name: str, key: str, value: str) -> None:
    account.client("ssm").add_tags_to_resource(
        ResourceType="Parameter", ResourceId=name, Tags=[{"Key": key, "Value": value}]
    )


def _rotated_by_hand(account: Account) -> None:
    account.client("ssm").put_parameter(
        Name=account.ids[PASSWORD], Value="changed-by-hand", Type="SecureString", Overwrite=True
    )


def _described(account: Account) -> None:
    account.client("ssm").put_parameter(
        Name=account.ids[API_URL],
        Value="https://api.orders.example.com",
        Type="String",
        Description="edited in the console",
        Overwrite=True,
    )


def _delete_flags(account: Account) -> None:
    account.client("ssm").delete_parameter(Name=account.ids[FLAGS])


def _console_parameter(account: Account) -> str:
    account.client("ssm").put_parameter(Name="/console/made", Value="x", Type="String")
    return "/console/made"


def estate(n: int) -> dict[str, Any]:
    """n copies of the fixture's parameters."""
    return copies(
        FIXTURE,
        ("aws_ssm_parameter",),
        (
            "/orders/db/password",
            "/orders/api/url",
            "/orders/feature-flags",
            "/orders/config/routing",
        ),
        n,
    )


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation("secure value overwritten", _rotated_by_hand, PASSWORD, "version", "warning"),
        Mutation("description edited", _described, API_URL, "description", "warning"),
        tag_mutation(_tag, PASSWORD),
        Mutation("deleted", _delete_flags, FLAGS, "", "warning", "missing"),
        Mutation("created in the console", _console_parameter, None, "", "info", "unmanaged"),
    ),
    estate=estate,
)
