"""Remediation plans of the IAM types and Lambda functions: the cases the conformance test's
mutations do not reach (which branch a plan takes, what it refuses)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftctl.domain import GLOBAL_REGION
from driftctl.remediation.execute import CallFailed, run_call
from driftctl.remediation.plan import DriftPlan, plan_drift
from driftctl.resources import SENSITIVE
from driftctl.scanner.session import AwsSession
from tests.types.entries import ENTRIES
from tests.types.harness import REGION, emulated_account

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": ["ec2.amazonaws.com"]},
        }
    ],
}

READ = {
    "Version": "2012-10-17",
    "Statement": [{"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}],
}


def _plan(
    resource_type: str,
    difference: dict[str, dict[str, Any]],
    *,
    expected: dict[str, Any] | None = None,
    actual: dict[str, Any] | None = None,
    resource_id: str = "web",
    region: str = GLOBAL_REGION,
    account_id: str | None = "123456789012",
) -> DriftPlan:
    return plan_drift(
        resource_type=resource_type,
        resource_id=resource_id,
        region=region,
        account_id=account_id,
        drift_type="modified",
        difference=difference,
        expected=expected or {},
        actual=actual or {},
    )


def _ops(plan: DriftPlan) -> list[tuple[str, dict[str, Any]]]:
    assert plan.ready, plan.refused
    return [(c.name, dict(c.params)) for c in plan.calls]


def test_a_role_session_change_keeps_the_description_as_the_iac_has_it() -> None:
    plan = _plan(
        "IAM_ROLE",
        {"max_session_duration": {"change": "changed", "expected": 3600, "actual": 7200}},
        expected={"description": "Instance role", "max_session_duration": 3600},
        actual={"description": None, "max_session_duration": 7200},
    )
    assert _ops(plan) == [
        (
            "iam:UpdateRole",
            {"RoleName": "web", "MaxSessionDuration": 3600, "Description": "Instance role"},
        )
    ]


def test_a_role_without_description_gets_none_from_a_session_change() -> None:
    plan = _plan(
        "IAM_ROLE",
        {"max_session_duration": {"change": "changed", "expected": 3600, "actual": 7200}},
        expected={"max_session_duration": 3600},
        actual={"description": None},
    )
    assert _ops(plan) == [("iam:UpdateRole", {"RoleName": "web", "MaxSessionDuration": 3600})]


def test_inline_policies_are_deleted_or_put_back_with_the_expected_document() -> None:
    plan = _plan(
        "IAM_ROLE",
        {
            "inline_policies.break.glass": {"change": "added", "expected": None, "actual": TRUST},
            "inline_policies.read": {"change": "changed", "expected": TRUST, "actual": {}},
            "assume_role_policy": {"change": "changed", "expected": TRUST, "actual": {}},
        },
    )
    ops = _ops(plan)
    assert ops[0] == ("iam:DeleteRolePolicy", {"RoleName": "web", "PolicyName": "break.glass"})
    assert ops[1][0] == "iam:PutRolePolicy"
    assert ops[1][1]["PolicyName"] == "read"
    assert json.loads(ops[1][1]["PolicyDocument"]) == TRUST
    assert ops[2][0] == "iam:UpdateAssumeRolePolicy"
    assert json.loads(ops[2][1]["PolicyDocument"]) == TRUST
    assert [c.fixes for c in plan.calls] == [
        ("inline_policies.break.glass",),
        ("inline_policies.read",),
        ("assume_role_policy",),
    ]


def test_a_user_permissions_boundary_is_left_to_terraform() -> None:
    plan = _plan(
        "IAM_USER",
        {
            "permissions_boundary": {"change": "changed", "expected": "arn:b", "actual": None},
            "tags.Owner": {"change": "changed", "expected": "me", "actual": "you"},
        },
    )
    assert not plan.ready
    assert set(plan.not_revertible) == {"permissions_boundary"}


@pytest.mark.parametrize(
    ("expected", "actual", "operations"),
    [
        ("web", "other", ["iam:RemoveRoleFromInstanceProfile", "iam:AddRoleToInstanceProfile"]),
        ("web", None, ["iam:AddRoleToInstanceProfile"]),
        ("", "other", ["iam:RemoveRoleFromInstanceProfile"]),
    ],
)
def test_an_instance_profile_role_goes_out_before_the_iac_one_goes_in(
    expected: str, actual: str | None, operations: list[str]
) -> None:
    plan = _plan(
        "IAM_INSTANCE_PROFILE",
        {"role": {"change": "changed", "expected": expected, "actual": actual}},
        actual={"role": actual},
    )
    assert [name for name, _ in _ops(plan)] == operations
    assert [p["RoleName"] for _, p in _ops(plan)] == [r for r in (actual, expected) if r]


def test_an_access_key_status_is_set_on_the_user_aws_has_it_under() -> None:
    plan = _plan(
        "IAM_ACCESS_KEY",
        {"status": {"change": "changed", "expected": "Active", "actual": "Inactive"}},
        resource_id="AKIAEXAMPLE",
        expected={"user": "ci", "status": "Active"},
        actual={"user": "ci", "status": "Inactive"},
    )
    assert _ops(plan) == [
        (
            "iam:UpdateAccessKey",
            {"UserName": "ci", "AccessKeyId": "AKIAEXAMPLE", "Status": "Active"},
        )
    ]


def test_a_policy_with_five_versions_keeps_its_drift(tmp_path: Path) -> None:
    # Which version to delete is not in the scanned state: the call fails and nothing is lost.
    with emulated_account(ENTRIES["IAM_POLICY"], tmp_path) as account:
        arn = account.ids["aws_iam_policy.read_logs"]
        iam = account.client("iam")
        for _ in range(4):
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ))
        plan = _plan(
            "IAM_POLICY",
            {"policy": {"change": "changed", "expected": READ, "actual": {}}},
            resource_id=arn,
        )
        [call] = plan.calls
        assert call.params["SetAsDefault"] is True
        with pytest.raises(CallFailed) as failed:
            run_call(AwsSession(account.build.session), call, GLOBAL_REGION)
        assert failed.value.code == "LimitExceeded"
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v1"]


def test_lambda_tags_name_the_function_by_arn_in_the_role_partition() -> None:
    plan = _plan(
        "LAMBDA_FUNCTION",
        {
            "tags.Owner": {"change": "changed", "expected": "team", "actual": "x"},
            "tags.Scratch": {"change": "added", "expected": None, "actual": "1"},
        },
        resource_id="orders-api",
        region="cn-north-1",
        account_id=None,
        actual={"role": "arn:aws-cn:iam::210987654321:role/orders"},
    )
    arn = "arn:aws-cn:lambda:cn-north-1:210987654321:function:orders-api"
    assert _ops(plan) == [
        ("lambda:TagResource", {"Resource": arn, "Tags": {"Owner": "team"}}),
        ("lambda:UntagResource", {"Resource": arn, "TagKeys": ["Scratch"]}),
    ]


def test_lambda_configuration_calls_wait_for_the_update_to_apply() -> None:
    plan = _plan(
        "LAMBDA_FUNCTION",
        {
            "timeout": {"change": "changed", "expected": 15, "actual": 120},
            "reserved_concurrent_executions": {"change": "changed", "expected": -1, "actual": 9},
        },
        resource_id="orders-api",
        region=REGION,
    )
    assert _ops(plan) == [
        ("lambda:UpdateFunctionConfiguration", {"FunctionName": "orders-api", "Timeout": 15}),
        ("lambda:DeleteFunctionConcurrency", {"FunctionName": "orders-api"}),
    ]
    assert plan.calls[0].wait == ("function_updated_v2", {"FunctionName": "orders-api"})


def test_lambda_environment_is_left_to_terraform() -> None:
    # UpdateFunctionConfiguration replaces every variable, and secret ones are never stored.
    plan = _plan(
        "LAMBDA_FUNCTION",
        {"environment.DEBUG": {"change": "added", "expected": None, "actual": "1"}},
        resource_id="orders-api",
        region=REGION,
        expected={"environment": {"DB_PASSWORD": SENSITIVE}},
    )
    assert not plan.ready
    assert set(plan.not_revertible) == {"environment.DEBUG"}
