"""Secrets Manager traps the conformance test cannot reach (rotation needs Docker in moto)."""

from __future__ import annotations

from driftctl.diff.compare import diff_attributes
from driftctl.diff.conditions import grants_public_unconditionally
from driftctl.diff.findings import Finding
from driftctl.diff.severity import assess
from driftctl.domain import DriftType
from driftctl.iac.instance import StateInstance
from driftctl.iac.sources import load_expected
from driftctl.types import secretsmanager_secret as sm
from tests.types.harness import FIXTURES

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-Xy12Ab"
KEY = "0d6c9f2e-4b1a-4c3d-9e8f-2a7b5c6d8e9f"


def _listed(**entry: object) -> dict[str, object]:
    return sm.to_resource({"ARN": ARN, **entry}, "us-east-1", None, None).attributes


def test_the_default_key_is_no_key_on_both_sides() -> None:
    for state_key in ("", "alias/aws/secretsmanager"):
        expected = {
            "kms_key_id": sm._state_key(
                StateInstance({"attributes": {"kms_key_id": state_key}}, "t")
            )
        }
        for listed in ({}, {"KmsKeyId": "alias/aws/secretsmanager"}):
            assert diff_attributes(sm.RESOURCE_TYPE, expected, _listed(**listed)) == {}
    arn = f"arn:aws:kms:us-east-1:123456789012:key/{KEY}"
    assert diff_attributes(sm.RESOURCE_TYPE, {"kms_key_id": KEY}, _listed(KmsKeyId=arn)) == {}


def test_rotation_from_the_rotation_resource() -> None:
    inst = StateInstance(
        {
            "attributes": {
                "secret_id": ARN,
                "rotation_lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:rot",
                "rotation_rules": [
                    {"automatically_after_days": 30, "duration": "", "schedule_expression": ""}
                ],
            }
        },
        "t",
    )
    expected = sm._rotation_resource(inst)
    actual = _listed(
        RotationEnabled=True,
        RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:rot",
        RotationRules={"AutomaticallyAfterDays": 30},
    )
    assert diff_attributes(sm.RESOURCE_TYPE, expected, actual) == {}
    longer = _listed(
        RotationEnabled=True,
        RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:rot",
        RotationRules={"AutomaticallyAfterDays": 90},
    )
    assert list(diff_attributes(sm.RESOURCE_TYPE, expected, longer)) == [
        "rotation_rules.automatically_after_days"
    ]
    # Without a rotation resource the secret must not rotate.
    unrotated = {"rotation_enabled": sm._inline_rotation(StateInstance({"attributes": {}}, "t"))}
    assert list(diff_attributes(sm.RESOURCE_TYPE, unrotated, longer)) == ["rotation_enabled"]


def test_a_public_policy_with_a_condition_is_not_critical() -> None:
    statement = {"Effect": "Allow", "Principal": "*", "Action": "x", "Resource": "*"}
    conditioned = {**statement, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}
    assert grants_public_unconditionally({"Statement": [statement]})
    assert not grants_public_unconditionally({"Statement": [conditioned]})
    finding = Finding(
        resource_type=sm.RESOURCE_TYPE,
        resource_id=ARN,
        region="us-east-1",
        account_id=None,
        drift_type=DriftType.MODIFIED,
        difference={
            "policy": {"change": "added", "expected": None, "actual": {"Statement": [conditioned]}}
        },
        expected_state={},
        actual_state={},
    )
    assert assess(finding)[0].value == "warning"


def test_a_version_compares_its_stages_never_its_value() -> None:
    expected = load_expected([str(FIXTURES / "secretsmanager_secret.tfstate")])
    assert "fixture-only-never-print" not in repr(expected.resources)
    [db] = [r for r in expected.resources if r.resource_id.endswith("db-credentials-Xy12Ab")]
    version = "terraform-20240312091428113600000007"
    assert db.attributes["versions"] == {version: ["AWSCURRENT"]}
    moved = {"versions": {version: ["AWSPREVIOUS"], "other": ["AWSCURRENT"]}}
    declared = {"versions": db.attributes["versions"]}
    assert sorted(diff_attributes("SECRETSMANAGER_SECRET", declared, moved)) == [
        f"versions.{version}[AWSCURRENT]",
        f"versions.{version}[AWSPREVIOUS]",
    ]
    kept = {"versions": {version: ["AWSCURRENT"], "older": ["AWSPREVIOUS"]}}
    assert (
        diff_attributes("SECRETSMANAGER_SECRET", {"versions": db.attributes["versions"]}, kept)
        == {}
    )
