"""IAM roles read from two account-wide listings, under the global region."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from scanner_helpers import make_plan

from driftctl.scanner import scan_actual

pytestmark = pytest.mark.usefixtures("aws")


def _trust(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def _allow(action: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


def _client() -> Any:
    return boto3.client("iam", region_name="us-east-1")


def _managed_policy(name: str) -> str:
    created = _client().create_policy(PolicyName=name, PolicyDocument=json.dumps(_allow("s3:*")))
    return str(created["Policy"]["Arn"])


def _roles(**plan: Any) -> dict[str, Any]:
    scan = scan_actual(make_plan(["IAM_ROLE"], **plan))
    assert scan.errors == []
    assert scan.read_ok == {("IAM_ROLE", "global")}
    return {r.resource_id: r for r in scan.resources}


def test_role_reads_back_in_canonical_form() -> None:
    iam = _client()
    iam.create_role(
        RoleName="app",
        Path="/services/",
        AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com")),
        Description="application role",
        MaxSessionDuration=7200,
        Tags=[{"Key": "team", "Value": "web"}],
    )
    arns = sorted([_managed_policy("storage"), _managed_policy("logs")])
    for arn in arns:
        iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    iam.put_role_policy(
        RoleName="app", PolicyName="read-queue", PolicyDocument=json.dumps(_allow("sqs:Receive*"))
    )

    found = _roles()["app"]

    assert (found.region, found.account_id, found.is_default) == (
        "global",
        "123456789012",
        False,
    )
    assert found.attributes == {
        "assume_role_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": ["sts:AssumeRole"],
                    "Effect": "Allow",
                    "Principal": {"Service": ["ec2.amazonaws.com"]},
                }
            ],
        },
        "managed_policy_arns": arns,
        "inline_policies": {
            "read-queue": {
                "Version": "2012-10-17",
                "Statement": [{"Action": ["sqs:Receive*"], "Effect": "Allow", "Resource": ["*"]}],
            }
        },
        "max_session_duration": 7200,
        "path": "/services/",
        "description": "application role",
        "tags": {"team": "web"},
    }


def test_each_changed_attribute_shows_up() -> None:
    iam = _client()
    iam.create_role(
        RoleName="worker",
        AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com")),
        Description="before",
        Tags=[{"Key": "team", "Value": "a"}],
    )
    first = _managed_policy("first")
    iam.attach_role_policy(RoleName="worker", PolicyArn=first)
    iam.put_role_policy(
        RoleName="worker", PolicyName="p", PolicyDocument=json.dumps(_allow("s3:Get*"))
    )
    before = _roles()["worker"].attributes

    iam.update_assume_role_policy(
        RoleName="worker", PolicyDocument=json.dumps(_trust("lambda.amazonaws.com"))
    )
    iam.detach_role_policy(RoleName="worker", PolicyArn=first)
    iam.attach_role_policy(RoleName="worker", PolicyArn=_managed_policy("second"))
    iam.put_role_policy(
        RoleName="worker", PolicyName="p", PolicyDocument=json.dumps(_allow("s3:*"))
    )
    iam.update_role(RoleName="worker", Description="after", MaxSessionDuration=10800)
    iam.tag_role(RoleName="worker", Tags=[{"Key": "team", "Value": "b"}])
    after = _roles()["worker"].attributes

    assert {k for k in before if before[k] != after[k]} == {
        "assume_role_policy",
        "managed_policy_arns",
        "inline_policies",
        "max_session_duration",
        "description",
        "tags",
    }
    assert after["assume_role_policy"]["Statement"][0]["Principal"] == {
        "Service": ["lambda.amazonaws.com"]
    }
    assert after["managed_policy_arns"] == ["arn:aws:iam::123456789012:policy/second"]
    assert after["inline_policies"]["p"]["Statement"][0]["Action"] == ["s3:*"]
    assert (after["max_session_duration"], after["description"]) == (10800, "after")


def test_roles_come_from_batch_listings_only() -> None:
    for n in range(7):
        _client().create_role(
            RoleName=f"role-{n}", AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com"))
        )

    scan = scan_actual(make_plan(["IAM_ROLE"], page_size=5))

    assert [r.resource_id for r in scan.resources] == [f"role-{n}" for n in range(7)]
    # No per-role calls: ListRoles (two pages of five) and GetAccountAuthorizationDetails
    # (moto answers it in one page whatever the page size).
    iam_calls = {k: v for k, v in scan.api_calls.items() if k.startswith("iam:")}
    assert iam_calls == {"iam:ListRoles": 2, "iam:GetAccountAuthorizationDetails": 1}


def test_aws_owned_roles_are_flagged_default() -> None:
    _client().create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    _client().create_role(
        RoleName="mine", AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com"))
    )

    roles = _roles()

    assert roles["mine"].is_default is False
    linked = [r for name, r in roles.items() if name != "mine"]
    assert linked and all(r.is_default for r in linked)
    assert all(r.attributes["path"].startswith("/aws-service-role/") for r in linked)


def test_iam_is_read_once_whatever_the_regions() -> None:
    _client().create_role(
        RoleName="solo", AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com"))
    )

    scan = scan_actual(make_plan(["IAM_ROLE"], regions=["us-east-1", "eu-west-1"]))

    assert [(r.resource_id, r.region) for r in scan.resources] == [("solo", "global")]
    assert scan.read_ok == {("IAM_ROLE", "global")}
    assert scan.api_calls["iam:ListRoles"] == 1
