"""KMS_KEY traps the conformance test does not reach: default key policies, rotation periods,
unconditional public grants, and a denied read leaving only its type and region unread."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from driftctl.diff.compare import diff_attributes
from driftctl.diff.conditions import grants_public_unconditionally
from driftctl.iac.instance import StateInstance, read_schema
from driftctl.scanner.runner import ScanPlan, scan_actual
from driftctl.types import kms_key

ROOT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def _state(**attrs: Any) -> dict[str, Any]:
    return read_schema(StateInstance({"attributes": attrs}, "test"), kms_key.SCHEMA)


def test_the_default_policy_compares_equal_whatever_id_aws_gives_it() -> None:
    state = _state(
        policy=json.dumps({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [ROOT]})
    )
    aws = kms_key.key_policy(json.dumps({"Statement": [ROOT], "Version": "2012-10-17"}))
    assert diff_attributes("KMS_KEY", state, {"policy": aws}) == {}
    assert kms_key.is_default_policy(state["policy"])


def test_a_state_without_a_policy_or_a_rotation_period_manages_neither() -> None:
    state = _state(policy="", enable_key_rotation=False, rotation_period_in_days=0)
    assert "policy" not in state and "rotation_period_in_days" not in state
    assert _state(enable_key_rotation=True, rotation_period_in_days=180)[
        "rotation_period_in_days"
    ] == (180)


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        ({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}, True),
        ({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "kms:*"}, True),
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt",
                "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}},
            },
            False,
        ),
        ({"Effect": "Deny", "Principal": "*", "Action": "kms:*"}, False),
        (ROOT, False),
    ],
)
def test_only_an_unconditional_grant_to_anyone_is_public(
    statement: dict[str, Any], public: bool
) -> None:
    doc = kms_key.key_policy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert grants_public_unconditionally(doc) is public


def _deny(**_: Any) -> None:
    raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetKeyPolicy")


def test_a_denied_key_read_leaves_only_kms_keys_of_that_region_unread() -> None:
    with mock_aws():
        for region in ("us-east-1", "eu-west-1"):
            boto3.client("kms", region_name=region).create_key(Description=region)

        def factory() -> boto3.session.Session:
            session = boto3.session.Session(region_name="us-east-1")
            session.events.register(
                "before-call.kms.GetKeyPolicy",
                lambda context, **kw: (
                    _deny() if context.get("client_region") == "us-east-1" else None
                ),
            )
            return session

        scan = scan_actual(
            ScanPlan(
                resource_types=["KMS_KEY", "S3"],
                regions=["us-east-1", "eu-west-1"],
                session_factory=factory,
            )
        )
    assert [(e.resource_type, e.region, e.code) for e in scan.errors] == [
        ("KMS_KEY", "us-east-1", "AccessDenied")
    ]
    assert ("KMS_KEY", "eu-west-1") in scan.read_ok
    assert ("S3", "us-east-1") in scan.read_ok
    assert [r.region for r in scan.resources if r.resource_type == "KMS_KEY"] == ["eu-west-1"]


def _unsupported(**_: Any) -> None:
    raise ClientError(
        {"Error": {"Code": "UnsupportedOperationException", "Message": "asymmetric"}},
        "GetKeyRotationStatus",
    )


def test_keys_that_cannot_rotate_or_wait_for_deletion() -> None:
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        signing = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]
        destroyed = kms.create_key(Description="terraform destroy")["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=destroyed, PendingWindowInDays=7)

        def factory() -> boto3.session.Session:
            session = boto3.session.Session(region_name="us-east-1")
            session.events.register("before-call.kms.GetKeyRotationStatus", _unsupported)
            return session

        scan = scan_actual(
            ScanPlan(
                resource_types=["KMS_KEY"],
                regions=["us-east-1"],
                session_factory=factory,
                expected_ids={"KMS_KEY": frozenset({signing["KeyId"]})},
            )
        )
    assert scan.errors == []
    [key] = scan.resources
    assert key.resource_id == signing["KeyId"]
    # The asymmetric key's rotation reads as off; the key terraform destroyed is not unmanaged.
    assert key.attributes["enable_key_rotation"] is False


def _plan(difference: dict[str, Any], expected: dict[str, Any]) -> Any:
    from driftctl.remediation.plan import plan_drift

    return plan_drift(
        resource_type="KMS_KEY",
        resource_id="1234abcd-12ab-34cd-56ef-1234567890ab",
        region="us-east-1",
        account_id="123456789012",
        drift_type="modified",
        difference=difference,
        expected=expected,
        actual={},
    )


def test_a_key_waiting_for_deletion_is_cancelled_before_any_other_change() -> None:
    plan = _plan(
        {
            "description": {"change": "changed", "expected": "data", "actual": "x"},
            "is_enabled": {"change": "changed", "expected": True, "actual": False},
            "pending_deletion": {"change": "changed", "expected": False, "actual": True},
        },
        {"description": "data", "is_enabled": True, "pending_deletion": False},
    )
    operations = [c.operation for c in plan.calls]
    assert operations[:2] == ["CancelKeyDeletion", "EnableKey"]
    # is_enabled's own EnableKey is the same call: made once, naming both paths.
    assert operations[2:] == ["UpdateKeyDescription"]
    assert set(plan.calls[1].fixes) == {"pending_deletion", "is_enabled"}


def test_rotation_is_enabled_with_the_iac_period() -> None:
    plan = _plan(
        {"enable_key_rotation": {"change": "changed", "expected": True, "actual": False}},
        {"enable_key_rotation": True, "rotation_period_in_days": 90},
    )
    [call] = plan.calls
    assert (call.operation, call.params.get("RotationPeriodInDays")) == ("EnableKeyRotation", 90)
