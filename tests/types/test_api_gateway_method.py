"""Method ids, response spellings and undeclared trees the conformance test cannot reach."""

from __future__ import annotations

from pathlib import Path

from driftctl.types import api_gateway_method as method
from tests.types.entries import ENTRIES
from tests.types.harness import emulated_account, scan


def test_the_provider_ids_name_the_method() -> None:
    assert method.canonical_id("agm-a1b2c3d4e5-q7w8e9-GET") == "a1b2c3d4e5/q7w8e9/GET"
    assert method.canonical_id("agi-a1b2c3d4e5-q7w8e9-post") == "a1b2c3d4e5/q7w8e9/POST"


def test_an_empty_template_reads_the_same_from_aws_and_the_state() -> None:
    aws = method.to_resource(
        "a1b2c3d4e5",
        "q7w8e9",
        {
            "httpMethod": "GET",
            "authorizationType": "NONE",
            "methodIntegration": {
                "type": "MOCK",
                "integrationResponses": {
                    "200": {"statusCode": "200", "responseTemplates": {"application/json": None}}
                },
            },
        },
        "us-east-1",
        None,
    )
    state = method.response_key("200", {"templates": {"application/json": ""}})
    assert aws.attributes["integration_responses"] == [state]


def test_a_tree_the_iac_declares_none_of_is_never_unmanaged(tmp_path: Path) -> None:
    # The REST API fixture declares APIs but none of their resources (an OpenAPI body's way).
    with emulated_account(ENTRIES["API_GATEWAY_REST_API"], tmp_path) as account:
        api = account.ids["aws_api_gateway_rest_api.orders"]
        client = account.client("apigateway")
        root = client.get_rest_api(restApiId=api)["rootResourceId"]
        created = client.create_resource(restApiId=api, parentId=root, pathPart="from-body")
        client.put_method(
            restApiId=api, resourceId=created["id"], httpMethod="GET", authorizationType="NONE"
        )
        for rtype in ("API_GATEWAY_RESOURCE", "API_GATEWAY_METHOD"):
            result = scan(account, rtype)
            assert result.actual.errors == []
            assert result.findings(rtype) == []
