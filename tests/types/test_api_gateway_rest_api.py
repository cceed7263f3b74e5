"""API Gateway policy traps the conformance test cannot reach (moto keeps a policy as sent)."""

from __future__ import annotations

import json

from driftctl.types import api_gateway_rest_api, apigateway

STATE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        }
    ],
}


def test_aws_escaped_policy_with_full_arns_reads_as_the_state_shorthand() -> None:
    answered = json.loads(json.dumps(STATE))
    answered["Statement"][0]["Resource"] = [
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"
    ]
    # GetRestApis escapes the document's quotes once more.
    escaped = json.dumps(json.dumps(answered, separators=(",", ":")))[1:-1]
    assert escaped.startswith('{\\"')
    assert apigateway.policy(escaped) == apigateway.policy(json.dumps(STATE))


def test_no_policy_and_unset_compression_read_alike_on_both_sides() -> None:
    resource = api_gateway_rest_api.to_resource(
        {"id": "a1b2c3d4e5", "name": "x"}, "us-east-1", None
    )
    assert resource.attributes["policy"] == api_gateway_rest_api.NO_POLICY
    assert resource.attributes["minimum_compression_size"] == -1
    assert api_gateway_rest_api.compression("") == -1
    assert api_gateway_rest_api.compression("1024") == 1024
