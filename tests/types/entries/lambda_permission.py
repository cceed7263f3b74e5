"""Conformance entry of LAMBDA_PERMISSION (fixture: lambda_permission.tfstate).

Permissions carry no tags: there is no tag mutation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._fn_estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "LAMBDA_PERMISSION"
FIXTURE = "lambda_permission.tfstate"

PARTNER = "aws_lambda_permission.partner"
S3 = "aws_lambda_permission.s3"
EVENTS = "aws_lambda_permission.events"


def _replace(address: str, **statement: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        attrs = account.attributes(address)
        client = account.client("lambda")
        client.remove_permission(FunctionName=attrs["function_name"], StatementId=attrs["id"])
        client.add_permission(
            FunctionName=attrs["function_name"],
            StatementId=attrs["id"],
            Action=attrs["action"],
            **statement,
        )

    return apply


def _remove_events(account: Account) -> None:
    attrs = account.attributes(EVENTS)
    account.client("lambda").remove_permission(
        FunctionName=attrs["function_name"], StatementId=attrs["id"]
    )


def _console(statement_id: str, **statement: Any) -> Callable[[Account], str]:
    def apply(account: Account) -> str:
        account.client("lambda").add_permission(
            FunctionName="orders-api",
            StatementId=statement_id,
            Action="lambda:InvokeFunction",
            **statement,
        )
        return f"orders-api/{statement_id}"

    return apply


def estate(n: int) -> dict[str, Any]:
    """n copies of the fixture's permissions (statement ids made unique, same functions)."""
    return copies(
        FIXTURE,
        ("aws_lambda_permission",),
        (
            "AllowS3Invoke",
            "AllowAPIGatewayInvoke",
            "AllowPartnerAccount",
            "AllowSNSInvokeLive",
            "AllowEventBridge",
        ),
        n,
    )


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation(
            "granted to anyone",
            _replace(PARTNER, Principal="*"),
            PARTNER,
            "principal",
            "critical",
        ),
        Mutation(
            "source condition dropped for anyone",
            _replace(S3, Principal="*"),
            S3,
            "source_arn",
            "critical",
        ),
        Mutation(
            "another bucket",
            _replace(
                "aws_lambda_permission.apigw",
                Principal="apigateway.amazonaws.com",
                SourceArn="arn:aws:execute-api:us-east-1:123456789012:zzzz/*/*",
            ),
            "aws_lambda_permission.apigw",
            "source_arn",
            "warning",
        ),
        Mutation("removed", _remove_events, EVENTS, "", "warning", "missing"),
        Mutation(
            "public statement added in the console",
            _console("OpenToAll", Principal="*"),
            None,
            "",
            "critical",
            "unmanaged",
        ),
        Mutation(
            "scoped statement added in the console",
            _console(
                "ConsoleS3",
                Principal="s3.amazonaws.com",
                SourceArn="arn:aws:s3:::other-bucket",
            ),
            None,
            "",
            "info",
            "unmanaged",
        ),
    ),
    estate=estate,
)
