"""IAM policies, users, groups and instance profiles: what the conformance test cannot reach."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError

from driftctl.diff.compare import diff_attributes
from driftctl.domain import GLOBAL_REGION
from driftctl.iac.sources import load_expected
from driftctl.scanner.base import ScanError
from driftctl.scanner.runner import ScanPlan, scan_actual
from driftctl.types import iam_user
from tests.types.entries import ENTRIES
from tests.types.harness import FIXTURES, REGION, emulated_account, scan

IAM_TYPES = ["IAM_POLICY", "IAM_USER", "IAM_GROUP", "IAM_INSTANCE_PROFILE"]
LISTING = "iam:GetAccountAuthorizationDetails"


def _session_factory(hook: Any = None) -> Any:
    def factory() -> boto3.session.Session:
        session = boto3.session.Session(region_name=REGION)
        if hook is not None:
            session.events.register("before-call.iam.GetAccountAuthorizationDetails", hook)
        return session

    return factory


def test_a_version_that_is_not_the_default_is_not_drift(tmp_path: Path) -> None:
    with emulated_account(ENTRIES["IAM_POLICY"], tmp_path) as account:
        arn = account.ids["aws_iam_policy.read_logs"]
        wider = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
        account.client("iam").create_policy_version(
            PolicyArn=arn, PolicyDocument=json.dumps(wider), SetAsDefault=False
        )
        assert scan(account, "IAM_POLICY").findings("IAM_POLICY") == []


def test_aws_managed_policies_are_never_listed_nor_unmanaged(tmp_path: Path) -> None:
    entry = ENTRIES["IAM_USER"]  # loads the ~1,000 AWS-managed policies
    with emulated_account(entry, tmp_path) as account:
        result = scan(account, "IAM_POLICY", with_state=False)
        unmanaged = {f.resource_id for f in result.findings("IAM_POLICY")}
        # Only the customer-managed policy of the fixture.
        assert unmanaged == {"arn:aws:iam::123456789012:policy/ci/webapp-invalidate-cdn"}


def test_the_four_types_share_one_listing(tmp_path: Path) -> None:
    with emulated_account(ENTRIES["IAM_GROUP"], tmp_path):
        actual = scan_actual(
            ScanPlan(resource_types=IAM_TYPES, regions=[REGION], session_factory=_session_factory())
        )
        assert actual.errors == []
        assert actual.api_calls[LISTING] == 1


def test_a_denied_listing_leaves_only_the_iam_types_partial(tmp_path: Path) -> None:
    def deny(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not authorized"}},
            "GetAccountAuthorizationDetails",
        )

    with emulated_account(ENTRIES["IAM_USER"], tmp_path):
        actual = scan_actual(
            ScanPlan(
                resource_types=["IAM_USER", "IAM_GROUP", "S3"],
                regions=[REGION],
                session_factory=_session_factory(deny),
            )
        )
        assert sorted((e.resource_type, e.region, e.code) for e in actual.errors) == [
            ("IAM_GROUP", GLOBAL_REGION, "AccessDenied"),
            ("IAM_USER", GLOBAL_REGION, "AccessDenied"),
        ]
        assert all(isinstance(e, ScanError) for e in actual.errors)
        assert ("S3", REGION) in actual.read_ok
        assert ("IAM_USER", GLOBAL_REGION) not in actual.read_ok


@pytest.mark.parametrize(
    ("state_value", "aws_boundary", "drift"),
    [
        ("", None, False),
        ("", "arn:aws:iam::123456789012:policy/boundary", True),
        ("arn:aws:iam::123456789012:policy/boundary", None, True),
        (
            "arn:aws:iam::123456789012:policy/boundary",
            "arn:aws:iam::123456789012:policy/boundary",
            False,
        ),
    ],
)
def test_a_permissions_boundary_is_read_as_aws_reports_it(
    state_value: str, aws_boundary: str | None, drift: bool
) -> None:
    # moto never reports a user's boundary: this is the shape AWS sends.
    detail: dict[str, Any] = {"UserName": "alice", "Path": "/"}
    if aws_boundary:
        detail["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": aws_boundary,
        }
    actual = iam_user.to_resource(detail, "123456789012").attributes
    difference = diff_attributes("IAM_USER", {"permissions_boundary": state_value}, actual)
    assert bool(difference) is drift


def test_a_document_that_does_not_parse_compares_as_absent() -> None:
    detail = {"UserName": "u", "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "{oops"}]}
    assert iam_user.to_resource(detail, None).attributes["inline_policies"] == {"p": None}


@pytest.mark.parametrize("resource_type", IAM_TYPES)
def test_an_estate_of_copies_builds_and_scans_clean(resource_type: str, tmp_path: Path) -> None:
    entry = ENTRIES[resource_type]
    assert entry.estate is not None
    fixture = load_expected([str(FIXTURES / entry.fixture)]).resources
    one = len([r for r in fixture if r.resource_type == resource_type])
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "estate.tfstate").write_text(json.dumps(entry.estate(3)))
    copied = dataclasses.replace(entry, fixture="estate.tfstate")
    with (
        mock.patch("tests.types.harness.FIXTURES", tmp_path / "fixtures"),
        emulated_account(copied, tmp_path) as account,
    ):
        result = scan(account, resource_type)
        declared = [r for r in result.expected.resources if r.resource_type == resource_type]
        assert len(declared) == 3 * one
        assert result.findings(resource_type) == []
