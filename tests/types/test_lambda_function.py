"""Lambda function traps the conformance test cannot reach."""

from __future__ import annotations

from driftctl.diff.compare import diff_attributes
from driftctl.iac.instance import StateInstance, read_schema
from driftctl.resources import SENSITIVE
from driftctl.types.lambda_function import RESOURCE_TYPE, SCHEMA, function_name


def _expected(**attrs: object) -> dict[str, object]:
    sensitive = [
        [
            {"type": "get_attr", "value": "environment"},
            {"type": "index", "value": {"value": 0, "type": "number"}},
            {"type": "get_attr", "value": "variables"},
            {"type": "index", "value": {"value": "API_KEY", "type": "string"}},
        ]
    ]
    inst = StateInstance({"attributes": attrs, "sensitive_attributes": sensitive}, "t")
    return read_schema(inst, SCHEMA)


def test_function_names_from_arns() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-api"
    assert function_name(arn) == "orders-api"
    assert function_name(f"{arn}:live") == "orders-api"
    assert function_name("123456789012:function:orders-api") == "orders-api"
    assert function_name("orders-api") == "orders-api"


def test_code_hash_is_compared_only_when_both_sides_have_one() -> None:
    expected = _expected(source_code_hash="abc=", code_sha256="")
    assert expected["code_sha256"] == "abc="
    assert diff_attributes(RESOURCE_TYPE, expected, {"code_sha256": None}) == {}
    changed = diff_attributes(RESOURCE_TYPE, expected, {"code_sha256": "xyz="})
    assert list(changed) == ["code_sha256"]
    assert "code_sha256" not in _expected(source_code_hash="", code_sha256="")


def test_secret_variables_are_masked_but_a_new_key_is_drift() -> None:
    expected = _expected(
        environment=[{"variables": {"DB_PASSWORD": "p", "API_KEY": "k", "MODE": "a"}}]
    )
    assert expected["environment"] == {"DB_PASSWORD": SENSITIVE, "API_KEY": SENSITIVE, "MODE": "a"}
    actual = {"environment": {"DB_PASSWORD": SENSITIVE, "API_KEY": "k2", "MODE": "a", "X": "1"}}
    assert list(diff_attributes(RESOURCE_TYPE, expected, actual)) == ["environment.X"]


def test_no_url_in_the_state_means_none_in_aws() -> None:
    expected = _expected(function_name="f")
    assert diff_attributes(RESOURCE_TYPE, expected, {"url_auth_type": ""}) == {}
    assert list(diff_attributes(RESOURCE_TYPE, expected, {"url_auth_type": "NONE"})) == [
        "url_auth_type"
    ]
