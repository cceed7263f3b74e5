"""Lambda permission statements as AWS writes them, which moto does not reproduce."""

from __future__ import annotations

from driftctl.types.lambda_permission import _compose_id, is_public, statement_attributes


def test_principals_as_text_or_object_read_as_terraform_writes_them() -> None:
    account = {"AWS": "arn:aws:iam::210987654321:root"}
    assert statement_attributes({"Principal": account})["principal"] == "210987654321"
    service = {"Service": "s3.amazonaws.com"}
    assert statement_attributes({"Principal": service})["principal"] == "s3.amazonaws.com"
    assert statement_attributes({"Principal": "*"})["principal"] == "*"


def test_conditions_whatever_their_operator_and_key_case() -> None:
    read = statement_attributes(
        {
            "Principal": "*",
            "Action": ["lambda:InvokeFunctionUrl"],
            "Condition": {
                "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"},
                "StringEquals": {"aws:SourceAccount": ["123456789012"]},
            },
        }
    )
    assert read["source_arn"] == "arn:aws:s3:::b"
    assert read["source_account"] == "123456789012"
    assert read["action"] == "lambda:InvokeFunctionUrl"
    assert not is_public(read)


def test_only_an_unconditioned_anyone_is_public() -> None:
    assert is_public(statement_attributes({"Principal": "*", "Effect": "Allow"}))
    other = {
        "Principal": "*",
        "Effect": "Allow",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    }
    assert not is_public(statement_attributes(other))
    assert not is_public(statement_attributes({"Principal": "*", "Effect": "Deny"}))
    assert is_public({"principal": "*", "source_arn": ""})


def test_ids_name_the_function_and_the_qualifier() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-api"
    assert _compose_id({"function_name": arn, "statement_id": "S"}) == "orders-api/S"
    assert _compose_id({"function_name": f"{arn}:live", "id": "S"}) == "orders-api:live/S"
    assert _compose_id({"function_name": "orders-api", "statement_id": "S", "qualifier": "2"}) == (
        "orders-api:2/S"
    )
