"""Severity: every default rule of SPEC §4, risky unmanaged resources, and user overrides."""

from __future__ import annotations

from typing import Any

import pytest
from diff_factories import TLS_ONLY, actual, expected, run

from driftctl import normalize
from driftctl.diff.findings import Finding
from driftctl.diff.severity import SeverityRule, classify, rules_from_config
from driftctl.domain import DriftType, Severity
from driftctl.errors import ValidationError


def modified(resource_type: str, exp: dict[str, Any] | None = None, **act: Any) -> Finding:
    """The one finding of a resource whose IaC side has ``exp`` and AWS side has ``act``."""
    result = run([expected(resource_type, **(exp or {}))], [actual(resource_type, **act)])
    (finding,) = result.findings
    assert finding.drift_type is DriftType.MODIFIED
    return finding


def unmanaged(resource_type: str, **act: Any) -> Finding:
    (finding,) = run([], [actual(resource_type, **act)]).findings
    return finding


def public_policy(principal: Any) -> dict[str, Any] | None:
    return normalize.policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::logs.example.com/*",
                }
            ],
        }
    )


ADMIN_INLINE = normalize.policy(
    {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
)
NO_BLOCK = {
    "block_public_acls": False,
    "block_public_policy": False,
    "ignore_public_acls": False,
    "restrict_public_buckets": False,
}

# ---- critical defaults -------------------------------------------------------------------


@pytest.mark.parametrize("world", ["0.0.0.0/0", "::/0"])
def test_security_group_opening_a_port_to_the_world_is_critical(world: str) -> None:
    finding = modified("SECURITY_GROUP", ingress=["tcp:22:10.0.0.0/8", f"tcp:3389:{world}"])

    assert finding.severity is Severity.CRITICAL
    assert finding.is_risky


def test_security_group_rule_already_allowed_by_iac_is_not_critical() -> None:
    finding = modified(
        "SECURITY_GROUP",
        exp={"ingress": ["tcp:all:0.0.0.0/0"]},
        ingress=["tcp:all:0.0.0.0/0", "tcp:22:0.0.0.0/0"],
    )

    assert finding.severity is Severity.WARNING
    assert not finding.is_risky


def test_security_group_private_rule_or_removed_world_rule_is_a_warning() -> None:
    private = modified(
        "SECURITY_GROUP", ingress=["tcp:22:10.0.0.0/8", "tcp:443:0.0.0.0/0", "tcp:5432:10.1.0.0/16"]
    )
    closed = modified("SECURITY_GROUP", ingress=["tcp:22:10.0.0.0/8"])

    assert (private.severity, closed.severity) == (Severity.WARNING, Severity.WARNING)


def test_s3_losing_encryption_is_critical() -> None:
    finding = modified("S3", server_side_encryption=None)

    assert finding.severity is Severity.CRITICAL


def test_s3_changing_encryption_algorithm_is_a_warning() -> None:
    finding = modified(
        "S3", server_side_encryption={"sse_algorithm": "AES256", "kms_master_key_id": "key-1"}
    )

    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize("state", ["Suspended", "Disabled"])
def test_s3_losing_versioning_is_critical(state: str) -> None:
    assert modified("S3", versioning=state).severity is Severity.CRITICAL


def test_s3_enabling_versioning_is_a_warning() -> None:
    assert modified("S3", {"versioning": "Suspended"}, versioning="Enabled").severity is (
        Severity.WARNING
    )


@pytest.mark.parametrize(
    "flag",
    ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"],
)
def test_s3_public_access_flag_turned_off_is_critical(flag: str) -> None:
    block = {f: True for f in NO_BLOCK}
    block[flag] = False

    assert modified("S3", public_access_block=block).severity is Severity.CRITICAL


def test_s3_public_access_block_removed_is_critical() -> None:
    assert modified("S3", public_access_block=None).severity is Severity.CRITICAL


def test_s3_public_access_flag_turned_on_is_a_warning() -> None:
    finding = modified(
        "S3",
        {"public_access_block": NO_BLOCK},
        public_access_block={**NO_BLOCK, "block_public_acls": True},
    )

    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_s3_policy_granting_everyone_is_critical(principal: Any) -> None:
    finding = modified("S3", policy=public_policy(principal))

    assert finding.severity is Severity.CRITICAL
    assert finding.is_risky


def test_s3_policy_public_in_iac_too_is_only_a_warning() -> None:
    iac_public = public_policy("*")
    assert iac_public is not None
    widened = normalize.policy(
        {**iac_public, "Statement": [*iac_public["Statement"], *(TLS_ONLY or {})["Statement"]]}
    )

    finding = modified("S3", {"policy": iac_public}, policy=widened)

    assert finding.severity is Severity.WARNING


def test_s3_policy_change_without_public_grant_is_a_warning() -> None:
    finding = modified("S3", policy=public_policy({"AWS": "arn:aws:iam::111122223333:root"}))

    assert finding.severity is Severity.WARNING


def test_iam_trust_policy_change_is_critical() -> None:
    trust = normalize.policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )

    assert modified("IAM_ROLE", assume_role_policy=trust).severity is Severity.CRITICAL


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::123456789012:policy/team/BreakGlassAdministratorAccess",
    ],
)
def test_iam_admin_managed_policy_attached_is_critical(arn: str) -> None:
    finding = modified(
        "IAM_ROLE", managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess", arn]
    )

    assert finding.severity is Severity.CRITICAL


def test_iam_other_managed_policy_attached_is_a_warning() -> None:
    finding = modified(
        "IAM_ROLE",
        managed_policy_arns=[
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        ],
    )

    assert finding.severity is Severity.WARNING


def test_iam_inline_admin_policy_is_critical() -> None:
    finding = modified("IAM_ROLE", inline_policies={"break-glass": ADMIN_INLINE})

    assert finding.severity is Severity.CRITICAL


def test_rds_becoming_public_is_critical() -> None:
    assert modified("RDS", publicly_accessible=True).severity is Severity.CRITICAL


def test_rds_losing_encryption_is_critical() -> None:
    assert modified("RDS", storage_encrypted=False).severity is Severity.CRITICAL


def test_rds_losing_deletion_protection_is_critical() -> None:
    assert modified("RDS", deletion_protection=False).severity is Severity.CRITICAL


def test_rds_gaining_deletion_protection_is_a_warning() -> None:
    assert modified("RDS", {"deletion_protection": False}, deletion_protection=True).severity is (
        Severity.WARNING
    )


# ---- warning and info defaults -----------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "change"),
    [
        ("EC2", {"instance_type": "m5.4xlarge"}),
        ("RDS", {"instance_class": "db.r6g.xlarge"}),
        ("RDS", {"allocated_storage": 500}),
    ],
)
def test_size_class_and_type_changes_are_warnings(
    resource_type: str, change: dict[str, Any]
) -> None:
    finding = modified(resource_type, **change)

    assert finding.severity is Severity.WARNING
    assert not finding.is_risky


def test_other_non_tag_changes_are_warnings() -> None:
    assert modified("SECURITY_GROUP", description="edited").severity is Severity.WARNING


def test_missing_resources_are_warnings() -> None:
    (finding,) = run([expected("S3")], []).findings

    assert finding.severity is Severity.WARNING
    assert not finding.is_risky


def test_tag_only_changes_are_info() -> None:
    finding = modified("EC2", tags={"Name": "web", "Owner": "someone-else", "Extra": "1"})

    assert finding.severity is Severity.INFO


def test_a_finding_takes_its_most_severe_entry() -> None:
    finding = modified("RDS", tags={}, instance_class="db.m5.large", publicly_accessible=True)

    assert finding.severity is Severity.CRITICAL


def test_unmanaged_resource_that_is_not_risky_is_info() -> None:
    finding = unmanaged("EC2")

    assert finding.severity is Severity.INFO
    assert not finding.is_risky


@pytest.mark.parametrize(
    ("resource_type", "state"),
    [
        ("SECURITY_GROUP", {"ingress": ["tcp:443:10.0.0.0/8", "tcp:22:192.168.0.0/16"]}),
        ("S3", {}),
        ("IAM_ROLE", {}),
        ("RDS", {}),
    ],
)
def test_safe_unmanaged_resources_of_each_type_are_info(
    resource_type: str, state: dict[str, Any]
) -> None:
    finding = unmanaged(resource_type, **state)

    assert finding.severity is Severity.INFO
    assert not finding.is_risky


@pytest.mark.parametrize(
    ("resource_type", "state"),
    [
        ("SECURITY_GROUP", {"ingress": ["tcp:22:0.0.0.0/0"]}),
        ("SECURITY_GROUP", {"ingress": ["all:all:::/0"]}),
        ("S3", {"policy": public_policy("*")}),
        ("S3", {"policy": public_policy("*"), "public_access_block": NO_BLOCK}),
        ("IAM_ROLE", {"managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}),
        ("IAM_ROLE", {"inline_policies": {"all": ADMIN_INLINE}}),
        ("RDS", {"publicly_accessible": True}),
    ],
)
def test_risky_unmanaged_resources_are_critical(resource_type: str, state: dict[str, Any]) -> None:
    finding = unmanaged(resource_type, **state)

    assert finding.severity is Severity.CRITICAL
    assert finding.is_risky


@pytest.mark.parametrize(
    "state",
    [
        {"public_access_block": None, "policy": None},
        {"public_access_block": NO_BLOCK},
        {"public_access_block": NO_BLOCK, "policy": public_policy("arn:aws:iam::111:root")},
    ],
)
def test_an_unmanaged_bucket_without_a_public_access_block_is_a_warning(
    state: dict[str, Any],
) -> None:
    # Not exposed on its own (no public policy), but nothing guards it from becoming so.
    finding = unmanaged("S3", **state)

    assert finding.severity is Severity.WARNING
    assert not finding.is_risky


# ---- user rules --------------------------------------------------------------------------


def test_user_rule_raises_a_default() -> None:
    rules = rules_from_config(
        [{"resource_type": "aws_instance", "path": "tags.*", "severity": "warning"}]
    )
    finding = modified("EC2", tags={"Name": "web"})

    assert classify(finding) is Severity.INFO
    assert classify(finding, rules) is Severity.WARNING


def test_user_rule_lowers_a_critical_default_but_the_finding_stays_risky() -> None:
    rules = [
        SeverityRule(
            resource_type="SECURITY_GROUP", path="ingress*", change="added", severity=Severity.INFO
        )
    ]
    exp = expected("SECURITY_GROUP")
    act = actual(
        "SECURITY_GROUP", ingress=["tcp:22:10.0.0.0/8", "tcp:443:0.0.0.0/0", "tcp:22:0.0.0.0/0"]
    )

    (finding,) = run([exp], [act], severity_rules=rules).findings

    assert finding.severity is Severity.INFO
    assert finding.is_risky


def test_first_matching_user_rule_wins() -> None:
    rules = rules_from_config(
        [
            {"path": "instance_type", "severity": "info"},
            {"resource_type": "EC2", "severity": "critical"},
        ]
    )
    finding = modified("EC2", instance_type="t3.large")

    assert classify(finding, rules) is Severity.INFO


def test_user_rules_match_each_entry_and_the_highest_wins() -> None:
    rules = rules_from_config([{"path": "instance_type", "severity": "info"}])
    finding = modified("EC2", instance_type="t3.large", ami="ami-new")

    assert classify(finding, rules) is Severity.WARNING


def test_user_rule_on_drift_type_applies_to_unmanaged_and_missing() -> None:
    rules = rules_from_config(
        [
            {"drift_type": "unmanaged", "resource_type": "S3", "severity": "warning"},
            {"drift_type": "missing", "severity": "critical"},
        ]
    )
    (gone,) = run([expected("EC2")], []).findings
    extra = unmanaged("S3", policy=None)

    assert classify(gone, rules) is Severity.CRITICAL
    assert classify(extra, rules) is Severity.WARNING
    assert classify(unmanaged("EC2"), rules) is Severity.INFO


def test_user_rule_with_a_literal_bracketed_path() -> None:
    rules = rules_from_config([{"path": "ingress[tcp:22:0.0.0.0/0]", "severity": "warning"}])
    finding = modified(
        "SECURITY_GROUP", ingress=["tcp:22:10.0.0.0/8", "tcp:443:0.0.0.0/0", "tcp:22:0.0.0.0/0"]
    )

    assert classify(finding, rules) is Severity.WARNING


def test_rules_from_config_normalises_types_and_values() -> None:
    (rule,) = rules_from_config(
        [
            {
                "resource_type": "rds",
                "change": "Changed",
                "drift_type": "MODIFIED",
                "severity": "INFO",
            }
        ]
    )

    assert rule == SeverityRule(
        resource_type="RDS",
        path="*",
        change="changed",
        drift_type="modified",
        severity=Severity.INFO,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rules": []}, "must be a list"),
        (["warning"], "expected a table"),
        ([{"path": "tags.*"}], "severity is required"),
        ([{"severity": "fatal"}], "severity must be one of"),
        ([{"severity": "info", "change": "modified"}], "change must be"),
        ([{"severity": "info", "drift_type": "deleted"}], "drift_type must be"),
        ([{"severity": "info", "resource_type": "aws_placement_group"}], "unknown resource_type"),
        ([{"severity": "info", "paths": "tags.*"}], "unknown key 'paths'"),
        ([{"severity": "info", "path": 3}], "path must be a non-empty string"),
    ],
)
def test_rules_from_config_rejects_bad_entries(data: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rules_from_config(data)
