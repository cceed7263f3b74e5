"""S3 reverts that the conformance fixture cannot show: whole-set tags and policies only AWS has."""

from __future__ import annotations

from typing import Any

from driftctl.remediation.plan import plan_drift
from driftctl.resources import SENSITIVE

BUCKET = "acme-assets"


def _plan(difference: dict[str, Any], expected: dict[str, Any], actual: dict[str, Any]) -> Any:
    return plan_drift(
        resource_type="S3",
        resource_id=BUCKET,
        region="us-east-1",
        account_id="123456789012",
        drift_type="modified",
        difference=difference,
        expected=expected,
        actual=actual,
    )


def test_tags_are_written_back_as_a_whole_set() -> None:
    plan = _plan(
        {
            "tags.Owner": {"change": "changed", "expected": "platform", "actual": "someone"},
            "tags.Extra": {"change": "added", "expected": None, "actual": "x"},
        },
        {"tags": {"Owner": "platform", "Name": "assets"}},
        {"tags": {"Owner": "someone", "Name": "assets", "Extra": "x"}},
    )
    [call] = plan.calls
    assert call.operation == "PutBucketTagging"
    assert call.params["Tagging"]["TagSet"] == [
        {"Key": "Name", "Value": "assets"},
        {"Key": "Owner", "Value": "platform"},
    ]
    assert set(call.fixes) == {"tags.Owner", "tags.Extra"}


def test_tags_beside_aws_keys_or_masked_values_are_left_alone() -> None:
    entry = {"tags.Owner": {"change": "changed", "expected": "platform", "actual": "someone"}}
    for kept in ({"aws:cloudformation:stack-name": "web"}, {"DbPassword": SENSITIVE}):
        plan = _plan(entry, {"tags": {"Owner": "platform"}}, {"tags": {"Owner": "x", **kept}})
        assert plan.calls == []
        assert not plan.ready
        assert set(plan.not_revertible) == {"tags.Owner"}


def test_a_policy_only_aws_has_is_deleted() -> None:
    policy = {"Version": "2012-10-17", "Statement": []}
    plan = _plan(
        {"policy": {"change": "added", "expected": None, "actual": policy}},
        {},
        {"policy": policy},
    )
    assert [c.operation for c in plan.calls] == ["DeleteBucketPolicy"]
    assert plan.calls[0].params == {"Bucket": BUCKET}


def test_unversioned_in_iac_suspends_versioning() -> None:
    plan = _plan(
        {"versioning": {"change": "changed", "expected": "Disabled", "actual": "Enabled"}},
        {"versioning": "Disabled"},
        {"versioning": "Enabled"},
    )
    [call] = plan.calls
    assert call.params["VersioningConfiguration"] == {"Status": "Suspended"}


def test_an_unmanaged_bucket_is_deleted_only_when_asked() -> None:
    kwargs: dict[str, Any] = dict(
        resource_type="S3",
        resource_id=BUCKET,
        region="us-east-1",
        account_id="123456789012",
        drift_type="unmanaged",
        difference={},
        expected=None,
        actual={},
    )
    assert not plan_drift(**kwargs).ready
    plan = plan_drift(**kwargs, delete_unmanaged=True)
    assert [(c.operation, c.delete) for c in plan.calls] == [("DeleteBucket", True)]


def test_a_flag_the_iac_leaves_unset_keeps_aws_value_in_the_public_access_block() -> None:
    plan = _plan(
        {
            "public_access_block.block_public_policy": {
                "change": "changed",
                "expected": True,
                "actual": False,
            }
        },
        {"public_access_block": {"block_public_policy": True, "block_public_acls": False}},
        {
            "public_access_block": {
                "block_public_acls": False,
                "block_public_policy": False,
                "ignore_public_acls": True,
                "restrict_public_buckets": False,
            }
        },
    )
    [call] = plan.calls
    assert call.params["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": False,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": False,
    }
