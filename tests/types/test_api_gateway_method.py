"""Method ids and response spellings the conformance test cannot reach."""

from __future__ import annotations

from driftctl.types import api_gateway_method as method


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
