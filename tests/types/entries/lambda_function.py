"""Conformance entry of LAMBDA_FUNCTION (fixture: lambda_function.tfstate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._fn_estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "LAMBDA_FUNCTION"
FIXTURE = "lambda_function.tfstate"

API = "aws_lambda_function.api"
WORKER = "aws_lambda_function.worker"


def _tag(account: Account, name: str, key: str, value: str) -> None:
    client = account.client("lambda")
    arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    client.tag_resource(Resource=arn, Tags={key: value})


def _configure(address: str, **changes: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("lambda").update_function_configuration(
            FunctionName=account.ids[address], **changes
        )

    return apply


def _new_variable(account: Account) -> None:
    client = account.client("lambda")
    config = client.get_function(FunctionName=account.ids[API])["Configuration"]
    variables = {**config["Environment"]["Variables"], "DEBUG": "1"}
    client.update_function_configuration(
        FunctionName=account.ids[API], Environment={"Variables": variables}
    )


def _other_role(account: Account) -> None:
    import json

    role = account.client("iam").create_role(
        RoleName="console-lambda",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]
    account.client("lambda").update_function_configuration(
        FunctionName=account.ids[WORKER], Role=role["Arn"]
    )


def _url_open(account: Account) -> None:
    account.client("lambda").update_function_url_config(
        FunctionName=account.ids[API], AuthType="NONE"
    )


def _url_added(account: Account) -> None:
    account.client("lambda").create_function_url_config(
        FunctionName=account.ids[WORKER], AuthType="NONE"
    )


def _concurrency(account: Account) -> None:
    account.client("lambda").put_function_concurrency(
        FunctionName=account.ids[API], ReservedConcurrentExecutions=50
    )


def _worker_concurrency(account: Account) -> None:
    account.client("lambda").put_function_concurrency(
        FunctionName=account.ids[WORKER], ReservedConcurrentExecutions=10
    )


def _alias_added(account: Account) -> None:
    account.client("lambda").create_alias(
        FunctionName=account.ids[API], Name="canary", FunctionVersion="1"
    )


def _delete_worker(account: Account) -> None:
    account.client("lambda").delete_function(FunctionName=account.ids[WORKER])


def _console_function(account: Account) -> str:
    from driftctl.types.lambda_function import code_zip

    account.client("lambda").create_function(
        FunctionName="console-made",
        Runtime="python3.12",
        Role=account.attributes(API)["role"],
        Handler="index.handler",
        Code={"ZipFile": code_zip()},
    )
    return "console-made"


def estate(n: int) -> dict[str, Any]:
    """n copies of the fixture's functions with their URL and alias."""
    return copies(
        FIXTURE,
        ("aws_lambda_function", "aws_lambda_function_url", "aws_lambda_alias"),
        ("orders-api", "orders-worker"),
        n,
    )


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation("function URL opened", _url_open, API, "url_auth_type", "critical"),
        Mutation("open URL added", _url_added, WORKER, "url_auth_type", "critical"),
        Mutation("timeout raised", _configure(API, Timeout=120), API, "timeout", "warning"),
        Mutation(
            "memory lowered", _configure(WORKER, MemorySize=512), WORKER, "memory_size", "warning"
        ),
        Mutation(
            "description changed",
            _configure(API, Description="hotfix"),
            API,
            "description",
            "warning",
        ),
        Mutation(
            "handler changed", _configure(API, Handler="other.handler"), API, "handler", "warning"
        ),
        Mutation(
            "runtime changed",
            _configure(WORKER, Runtime="python3.11"),
            WORKER,
            "runtime",
            "warning",
        ),
        Mutation("execution role swapped", _other_role, WORKER, "role", "warning"),
        Mutation("variable added", _new_variable, API, "environment.DEBUG", "warning"),
        Mutation(
            "concurrency raised", _concurrency, API, "reserved_concurrent_executions", "warning"
        ),
        Mutation(
            "concurrency reserved",
            _worker_concurrency,
            WORKER,
            "reserved_concurrent_executions",
            "warning",
        ),
        Mutation("alias added", _alias_added, API, "aliases[canary=1]", "warning"),
        tag_mutation(_tag, WORKER),
        tag_mutation(_tag, API, key="Scratch", value="1"),
        Mutation("deleted", _delete_worker, WORKER, "", "warning", "missing"),
        Mutation("created in the console", _console_function, None, "", "info", "unmanaged"),
    ),
    estate=estate,
)
