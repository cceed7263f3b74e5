"""VPC endpoint policies: AWS's default full-access policy is one value, however it is written."""

from __future__ import annotations

import json

from driftctl.diff.compare import diff_attributes
from driftctl.types.vpc_endpoint import FULL_ACCESS, canonical_policy, to_resource


def _aws(policy: str | None) -> dict[str, object]:
    endpoint = {"VpcEndpointId": "vpce-1", "VpcEndpointType": "Gateway"}
    if policy is not None:
        endpoint["PolicyDocument"] = policy
    return to_resource(endpoint, "us-east-1", None).attributes  # type: ignore[arg-type]


def test_every_spelling_of_full_access_is_the_default() -> None:
    spelt = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["*"], "Resource": "*"}
            ],
        }
    )
    assert _aws(spelt)["policy"] == FULL_ACCESS
    assert _aws(None)["policy"] == FULL_ACCESS  # an endpoint that reports no document


def test_a_state_without_a_policy_does_not_compare_it() -> None:
    narrowed = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}
    )
    assert diff_attributes("VPC_ENDPOINT", {}, _aws(narrowed)) == {}
    assert "policy" in diff_attributes("VPC_ENDPOINT", {"policy": FULL_ACCESS}, _aws(narrowed))


def test_a_conditioned_policy_is_not_full_access() -> None:
    doc = {
        "Version": "2008-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["*"],
                "Resource": ["*"],
                "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}},
            }
        ],
    }
    assert canonical_policy(doc) is doc
