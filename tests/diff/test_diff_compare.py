"""compare(): what is and is not drift, and how findings are counted and ordered."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from diff_factories import (
    BASE,
    IDS,
    REGION,
    S3_READ,
    TLS_ONLY,
    TRUST_EC2,
    TYPES,
    actual,
    expected,
    run,
)

from driftctl import normalize
from driftctl.domain import DriftType
from driftctl.resources import SENSITIVE, ResourceKey

Diff = Callable[..., dict[str, Any]]


def changed(exp: Any, act: Any) -> dict[str, Any]:
    return {"change": "changed", "expected": exp, "actual": act}


def added(act: Any) -> dict[str, Any]:
    return {"change": "added", "expected": None, "actual": act}


def removed(exp: Any) -> dict[str, Any]:
    return {"change": "removed", "expected": exp, "actual": None}


@pytest.mark.parametrize("resource_type", TYPES)
def test_identical_resources_are_in_sync(resource_type: str) -> None:
    result = run([expected(resource_type)], [actual(resource_type)])

    assert result.findings == []
    assert result.in_sync == [ResourceKey(resource_type, IDS[resource_type])]
    assert result.counts.in_sync == 1
    assert result.counts.managed == 1
    assert result.counts.coverage == 1.0


ALLOW_PUBLIC_READ = normalize.policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::logs.example.com/*",
            }
        ],
    }
)
TRUST_ANY_ACCOUNT = normalize.policy(
    {
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
        "Version": "2012-10-17",
    }
)
WRITE_ALL = normalize.policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)
PAB_OFF = {
    "block_public_acls": False,
    "block_public_policy": True,
    "ignore_public_acls": True,
    "restrict_public_buckets": True,
}

# (type, changes on the actual side, the expected difference)
ATTRIBUTE_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("EC2", {"instance_type": "t3.large"}, {"instance_type": changed("t3.medium", "t3.large")}),
    ("EC2", {"ami": "ami-new"}, {"ami": changed("ami-0123456789", "ami-new")}),
    ("EC2", {"subnet_id": "subnet-2"}, {"subnet_id": changed("subnet-1", "subnet-2")}),
    (
        "EC2",
        {"vpc_security_group_ids": ["sg-1", "sg-2", "sg-3"]},
        {"vpc_security_group_ids[sg-3]": added("sg-3")},
    ),
    (
        "EC2",
        {"vpc_security_group_ids": ["sg-1"]},
        {"vpc_security_group_ids[sg-2]": removed("sg-2")},
    ),
    (
        "EC2",
        {"iam_instance_profile": "admin-profile"},
        {"iam_instance_profile": changed("web-profile", "admin-profile")},
    ),
    ("EC2", {"iam_instance_profile": None}, {"iam_instance_profile": removed("web-profile")}),
    ("EC2", {"monitoring": True}, {"monitoring": changed(False, True)}),
    ("EC2", {"ebs_optimized": True}, {"ebs_optimized": changed(False, True)}),
    (
        "EC2",
        {"metadata_options": {"http_tokens": "optional"}},
        {"metadata_options.http_tokens": changed("required", "optional")},
    ),
    (
        "EC2",
        {"tags": {"Name": "web", "Owner": "team-b"}},
        {"tags.Owner": changed("team-a", "team-b")},
    ),
    (
        "EC2",
        {"tags": {"Name": "web", "Owner": "team-a", "Env": "prod"}},
        {"tags.Env": added("prod")},
    ),
    ("EC2", {"tags": {"Name": "web"}}, {"tags.Owner": removed("team-a")}),
    (
        "SECURITY_GROUP",
        {"description": "changed by hand"},
        {"description": changed("web tier", "changed by hand")},
    ),
    ("SECURITY_GROUP", {"vpc_id": "vpc-2"}, {"vpc_id": changed("vpc-1", "vpc-2")}),
    (
        "SECURITY_GROUP",
        {"ingress": ["tcp:22:0.0.0.0/0", "tcp:22:10.0.0.0/8", "tcp:443:0.0.0.0/0"]},
        {"ingress[tcp:22:0.0.0.0/0]": added("tcp:22:0.0.0.0/0")},
    ),
    (
        "SECURITY_GROUP",
        {"ingress": ["tcp:443:0.0.0.0/0"]},
        {"ingress[tcp:22:10.0.0.0/8]": removed("tcp:22:10.0.0.0/8")},
    ),
    (
        "SECURITY_GROUP",
        {"egress": ["tcp:443:0.0.0.0/0"]},
        {
            "egress[all:all:0.0.0.0/0]": removed("all:all:0.0.0.0/0"),
            "egress[tcp:443:0.0.0.0/0]": added("tcp:443:0.0.0.0/0"),
        },
    ),
    ("SECURITY_GROUP", {"tags": {}}, {"tags.Name": removed("web")}),
    ("S3", {"versioning": "Suspended"}, {"versioning": changed("Enabled", "Suspended")}),
    (
        "S3",
        {"server_side_encryption": {"sse_algorithm": "AES256", "kms_master_key_id": None}},
        {
            "server_side_encryption.kms_master_key_id": removed("key-1"),
            "server_side_encryption.sse_algorithm": changed("aws:kms", "AES256"),
        },
    ),
    (
        "S3",
        {"server_side_encryption": None},
        {
            "server_side_encryption.kms_master_key_id": removed("key-1"),
            "server_side_encryption.sse_algorithm": removed("aws:kms"),
        },
    ),
    (
        "S3",
        {"public_access_block": PAB_OFF},
        {"public_access_block.block_public_acls": changed(True, False)},
    ),
    (
        "S3",
        {"public_access_block": None},
        {f"public_access_block.{flag}": removed(True) for flag in PAB_OFF},
    ),
    ("S3", {"policy": ALLOW_PUBLIC_READ}, {"policy": changed(TLS_ONLY, ALLOW_PUBLIC_READ)}),
    ("S3", {"policy": None}, {"policy": removed(TLS_ONLY)}),
    ("S3", {"tags": {"Owner": "team-b"}}, {"tags.Owner": changed("team-a", "team-b")}),
    (
        "RDS",
        {"instance_class": "db.r6g.large"},
        {"instance_class": changed("db.t3.micro", "db.r6g.large")},
    ),
    ("RDS", {"engine": "mysql"}, {"engine": changed("postgres", "mysql")}),
    ("RDS", {"engine_version": "16.1"}, {"engine_version": changed("15.4", "16.1")}),
    ("RDS", {"allocated_storage": 100}, {"allocated_storage": changed(20, 100)}),
    ("RDS", {"multi_az": True}, {"multi_az": changed(False, True)}),
    ("RDS", {"publicly_accessible": True}, {"publicly_accessible": changed(False, True)}),
    ("RDS", {"storage_encrypted": False}, {"storage_encrypted": changed(True, False)}),
    ("RDS", {"deletion_protection": False}, {"deletion_protection": changed(True, False)}),
    ("RDS", {"backup_retention_period": 1}, {"backup_retention_period": changed(7, 1)}),
    ("RDS", {"tags": {"Owner": "team-a", "x": "1"}}, {"tags.x": added("1")}),
    (
        "IAM_ROLE",
        {"assume_role_policy": TRUST_ANY_ACCOUNT},
        {"assume_role_policy": changed(TRUST_EC2, TRUST_ANY_ACCOUNT)},
    ),
    (
        "IAM_ROLE",
        {"managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
        {
            "managed_policy_arns[arn:aws:iam::aws:policy/AdministratorAccess]": added(
                "arn:aws:iam::aws:policy/AdministratorAccess"
            ),
            "managed_policy_arns[arn:aws:iam::aws:policy/ReadOnlyAccess]": removed(
                "arn:aws:iam::aws:policy/ReadOnlyAccess"
            ),
        },
    ),
    (
        "IAM_ROLE",
        {"inline_policies": {"s3-read": S3_READ, "s3-write": WRITE_ALL}},
        {"inline_policies.s3-write": added(WRITE_ALL)},
    ),
    ("IAM_ROLE", {"inline_policies": {}}, {"inline_policies.s3-read": removed(S3_READ)}),
    (
        "IAM_ROLE",
        {"inline_policies": {"s3-read": WRITE_ALL}},
        {"inline_policies.s3-read": changed(S3_READ, WRITE_ALL)},
    ),
    ("IAM_ROLE", {"max_session_duration": 43200}, {"max_session_duration": changed(3600, 43200)}),
    ("IAM_ROLE", {"tags": {}}, {"tags.Owner": removed("team-a")}),
]


@pytest.mark.parametrize(
    ("resource_type", "changes", "want"),
    ATTRIBUTE_CASES,
    ids=[f"{t}-{'-'.join(c)}-{'+'.join(w)}" for t, c, w in ATTRIBUTE_CASES],
)
def test_each_compared_attribute_reports_its_path_and_change(
    diff_of: Diff, resource_type: str, changes: dict[str, Any], want: dict[str, Any]
) -> None:
    assert diff_of(resource_type, **changes) == want


def test_every_attribute_of_the_spec_table_is_covered_by_a_case() -> None:
    covered = {(t, k) for t, changes, _ in ATTRIBUTE_CASES for k in changes}
    spec_table = {
        "EC2": {
            "instance_type",
            "ami",
            "subnet_id",
            "vpc_security_group_ids",
            "iam_instance_profile",
            "monitoring",
            "ebs_optimized",
            "metadata_options",
            "tags",
        },
        "SECURITY_GROUP": {"description", "vpc_id", "ingress", "egress", "tags"},
        "S3": {"versioning", "server_side_encryption", "public_access_block", "policy", "tags"},
        "RDS": set(BASE["RDS"]),
        "IAM_ROLE": {
            "assume_role_policy",
            "managed_policy_arns",
            "inline_policies",
            "max_session_duration",
            "tags",
        },
    }
    assert {(t, k) for t, keys in spec_table.items() for k in keys} <= covered


def test_difference_keys_are_sorted(diff_of: Diff) -> None:
    diff = diff_of("EC2", instance_type="t3.large", ami="ami-x", tags={"Name": "web"})

    assert list(diff) == ["ami", "instance_type", "tags.Owner"]


def test_the_finding_carries_both_states_and_sources() -> None:
    result = run([expected("EC2")], [actual("EC2", instance_type="t3.large")])

    (finding,) = result.findings
    assert finding.drift_type is DriftType.MODIFIED
    assert finding.expected_state == BASE["EC2"]
    assert finding.actual_state is not None
    assert finding.actual_state["instance_type"] == "t3.large"
    assert finding.sources == ["prod.tfstate#ec2.i-0abc123"]
    assert (finding.region, finding.account_id) == (REGION, "123456789012")


# ---- what is not drift -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "exp", "act"),
    [
        ("RDS", {"engine_version": "15"}, {"engine_version": "15.4"}),
        ("S3", {"versioning": "Disabled"}, {"versioning": "Suspended"}),
        ("S3", {"versioning": "Suspended"}, {"versioning": "Disabled"}),
        ("RDS", {"allocated_storage": "20"}, {"allocated_storage": 20}),
        ("RDS", {"backup_retention_period": 7}, {"backup_retention_period": "7"}),
        ("IAM_ROLE", {"max_session_duration": "3600"}, {"max_session_duration": 3600.0}),
        ("EC2", {"monitoring": "false"}, {"monitoring": False}),
        ("RDS", {"multi_az": False}, {"multi_az": "false"}),
        ("RDS", {"storage_encrypted": "true"}, {"storage_encrypted": True}),
        ("EC2", {"tags": {}}, {"tags": None}),
        ("S3", {"tags": {}}, {"tags": {}}),
        ("IAM_ROLE", {"description": ""}, {"description": None}),
        ("EC2", {"vpc_security_group_ids": ["sg-2", "sg-1"]}, {}),
        ("SECURITY_GROUP", {"ingress": ["tcp:443:0.0.0.0/0", "tcp:22:10.0.0.0/8"]}, {}),
    ],
)
def test_semantic_equivalents_are_not_drift(
    resource_type: str, exp: dict[str, Any], act: dict[str, Any]
) -> None:
    result = run([expected(resource_type, **exp)], [actual(resource_type, **act)])

    assert result.findings == []


@pytest.mark.parametrize(
    ("resource_type", "exp", "act", "path"),
    [
        ("RDS", {"engine_version": "15"}, {"engine_version": "16.1"}, "engine_version"),
        ("RDS", {"engine_version": "15.1"}, {"engine_version": "15.10"}, "engine_version"),
        ("RDS", {"engine_version": "15"}, {"engine_version": "150.1"}, "engine_version"),
        ("S3", {"versioning": "Enabled"}, {"versioning": "Suspended"}, "versioning"),
        ("RDS", {"allocated_storage": "20"}, {"allocated_storage": 21}, "allocated_storage"),
        ("RDS", {"multi_az": "true"}, {"multi_az": False}, "multi_az"),
        ("RDS", {"backup_retention_period": 1}, {"backup_retention_period": True}, None),
    ],
)
def test_near_equivalents_that_differ_are_drift(
    resource_type: str, exp: dict[str, Any], act: dict[str, Any], path: str | None
) -> None:
    result = run([expected(resource_type, **exp)], [actual(resource_type, **act)])

    (finding,) = result.findings
    assert list(finding.difference) == [path or next(iter(exp))]


def test_keys_iac_does_not_set_are_ignored() -> None:
    exp = expected("EC2")
    del exp.attributes["ami"]
    exp.attributes["iam_instance_profile"] = None
    exp.attributes["metadata_options"] = {"http_tokens": "required"}
    act = actual(
        "EC2",
        ami="ami-other",
        iam_instance_profile="other",
        metadata_options={"http_tokens": "required", "http_endpoint": "disabled"},
        private_ip="10.0.0.5",
    )

    assert run([exp], [act]).findings == []


def test_expected_without_tags_ignores_aws_tags() -> None:
    exp = expected("S3")
    del exp.attributes["tags"]

    assert run([exp], [actual("S3", tags={"CostCenter": "42"})]).findings == []


def test_aws_reserved_tags_are_not_drift(diff_of: Diff) -> None:
    tags = {**BASE["EC2"]["tags"], "aws:cloudformation:stack-name": "web"}

    assert diff_of("EC2", tags=tags) == {}


@pytest.mark.parametrize("side", ["expected", "actual"])
def test_sensitive_values_are_never_compared(side: str) -> None:
    exp = expected("RDS")
    act = actual("RDS")
    exp.attributes["master_password"] = "hunter2" if side == "actual" else SENSITIVE
    act.attributes["master_password"] = SENSITIVE if side == "actual" else "hunter2"
    target = exp if side == "expected" else act
    target.attributes["tags"] = {"Owner": SENSITIVE}

    assert run([exp], [act]).findings == []


def test_rule_lists_compare_as_sets_with_one_path_per_rule(diff_of: Diff) -> None:
    diff = diff_of(
        "SECURITY_GROUP",
        ingress=["udp:53:10.0.0.0/8", "tcp:443:0.0.0.0/0", "tcp:443:0.0.0.0/0", "tcp:22:::/0"],
    )

    assert diff == {
        "ingress[tcp:22:10.0.0.0/8]": removed("tcp:22:10.0.0.0/8"),
        "ingress[tcp:22:::/0]": added("tcp:22:::/0"),
        "ingress[udp:53:10.0.0.0/8]": added("udp:53:10.0.0.0/8"),
    }


# ---- policies ----------------------------------------------------------------------------

RAW_POLICY_A = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Principal": "*", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::b"]},
    ],
}
RAW_POLICY_B = {
    "Statement": [
        {"Resource": "arn:aws:s3:::b", "Action": "s3:*", "Principal": "*", "Effect": "Deny"},
        {"Resource": ["arn:aws:s3:::b/*"], "Action": ["s3:GetObject"], "Effect": "Allow"},
    ],
    "Version": "2012-10-17",
}


def test_policy_order_and_scalar_versus_list_are_not_drift() -> None:
    exp = expected("S3", policy=normalize.policy(RAW_POLICY_A))
    act = actual("S3", policy=normalize.policy(RAW_POLICY_B))

    assert run([exp], [act]).findings == []


def test_policy_given_as_json_text_is_normalised_before_comparing() -> None:
    import json

    exp = expected("IAM_ROLE", inline_policies={"p": json.dumps(RAW_POLICY_A)})
    act = actual("IAM_ROLE", inline_policies={"p": normalize.policy(RAW_POLICY_B)})

    assert run([exp], [act]).findings == []


def test_a_real_policy_change_is_one_whole_document_entry() -> None:
    changed_doc = dict(RAW_POLICY_B)
    changed_doc["Statement"] = [
        *RAW_POLICY_B["Statement"],
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"},
    ]
    exp = expected("S3", policy=normalize.policy(RAW_POLICY_A))
    act = actual("S3", policy=normalize.policy(changed_doc))

    (finding,) = run([exp], [act]).findings
    assert finding.difference == {
        "policy": changed(normalize.policy(RAW_POLICY_A), normalize.policy(changed_doc))
    }


# ---- missing, not seen, unmanaged --------------------------------------------------------


def test_missing_when_the_type_and_region_were_read() -> None:
    result = run([expected("RDS")], [])

    (finding,) = result.findings
    assert finding.drift_type is DriftType.MISSING
    assert finding.difference == {}
    assert finding.actual_state is None
    assert finding.expected_state == BASE["RDS"]
    assert (result.counts.missing, result.counts.managed, result.counts.total_resources) == (
        1,
        0,
        0,
    )


def test_never_missing_for_what_was_not_read() -> None:
    result = run([expected("RDS"), expected("EC2")], [], read_ok={("EC2", "us-east-1")})

    assert result.findings == []
    assert result.in_sync == []
    assert result.not_seen == [ResourceKey("EC2", "i-0abc123"), ResourceKey("RDS", "orders-db")]
    assert result.counts.missing == 0


def test_expected_without_region_uses_the_default_region_when_absent() -> None:
    exp = expected("EC2")
    exp.region = None

    read_default = run([exp], [], read_ok={("EC2", "us-west-2")}, default_region="us-west-2")
    read_other = run([exp], [], read_ok={("EC2", REGION)}, default_region="us-west-2")

    assert [f.region for f in read_default.findings] == ["us-west-2"]
    assert read_other.findings == []


def test_expected_without_region_takes_the_actual_region() -> None:
    exp = expected("EC2")
    exp.region = None
    act = actual("EC2", instance_type="t3.large")
    act.region = "ap-south-1"

    (finding,) = run([exp], [act]).findings
    assert finding.region == "ap-south-1"


def test_iam_role_without_region_is_looked_for_in_the_global_region() -> None:
    exp = expected("IAM_ROLE")
    exp.region = None

    (finding,) = run([exp], [], read_ok={("IAM_ROLE", "global")}).findings
    assert (finding.drift_type, finding.region) == (DriftType.MISSING, "global")


def test_unmanaged_resource_is_reported_without_expected_state() -> None:
    result = run([], [actual("EC2")])

    (finding,) = result.findings
    assert finding.drift_type is DriftType.UNMANAGED
    assert (finding.difference, finding.expected_state) == ({}, None)
    assert finding.actual_state == BASE["EC2"]
    assert finding.sources == []
    assert (result.counts.unmanaged, result.counts.total_resources) == (1, 1)
    assert result.counts.coverage == 0.0


def test_aws_default_resources_are_never_unmanaged() -> None:
    result = run([], [actual("SECURITY_GROUP", "sg-default", is_default=True)])

    assert result.findings == []
    assert result.counts.total_resources == 0


def test_a_default_resource_in_iac_is_still_compared() -> None:
    result = run(
        [expected("SECURITY_GROUP")],
        [actual("SECURITY_GROUP", is_default=True, description="edited")],
    )

    assert [f.drift_type for f in result.findings] == [DriftType.MODIFIED]


# ---- counts, merging, order --------------------------------------------------------------


def test_counts_and_coverage() -> None:
    exp = [expected("EC2"), expected("RDS"), expected("S3"), expected("EC2", "i-gone")]
    act = [
        actual("EC2"),
        actual("RDS", instance_class="db.m5.large"),
        actual("S3"),
        actual("EC2", "i-extra"),
        actual("SECURITY_GROUP", "sg-extra"),
        actual("SECURITY_GROUP", "sg-default", is_default=True),
    ]

    counts = run(exp, act).counts

    assert counts.total_resources == 5
    assert (counts.managed, counts.unmanaged, counts.missing) == (3, 2, 1)
    assert (counts.modified, counts.in_sync) == (1, 2)
    assert counts.coverage == 0.6


def test_findings_counted_by_severity() -> None:
    result = run(
        [expected("EC2"), expected("RDS")],
        [actual("EC2", tags={}), actual("SECURITY_GROUP", "sg-open", ingress=["tcp:22:0.0.0.0/0"])],
    )

    assert result.by_severity == {"critical": 1, "warning": 1, "info": 1}
    assert list(result.by_severity) == ["critical", "warning", "info"]


def test_coverage_is_rounded_to_four_places() -> None:
    act = [actual("EC2", f"i-{n}") for n in range(3)]

    assert run([expected("EC2", "i-0")], act).counts.coverage == 0.3333


def test_coverage_of_nothing_is_zero() -> None:
    assert run([], []).counts.coverage == 0.0


def test_a_resource_claimed_by_two_states_is_reported_once_with_both_sources() -> None:
    first = expected("EC2")
    second = expected("EC2")
    second.sources = ["staging.tfstate#aws_instance.web"]

    result = run([first, second], [actual("EC2", instance_type="t3.large")])

    (finding,) = result.findings
    assert finding.sources == ["prod.tfstate#ec2.i-0abc123", "staging.tfstate#aws_instance.web"]


def test_findings_are_in_a_deterministic_order() -> None:
    exp = [expected(t, f"{t.lower()}-{n}") for t in TYPES for n in range(3)]
    act = [actual(t, f"{t.lower()}-{n}", tags={"changed": "yes"}) for t in TYPES for n in (1, 2)]
    act += [actual("EC2", "ec2-9"), actual("S3", "a-bucket")]

    baseline = run(exp, act)
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(exp)
        rng.shuffle(act)
        again = run(exp, act)
        assert [(f.resource_type, f.resource_id, f.drift_type) for f in again.findings] == [
            (f.resource_type, f.resource_id, f.drift_type) for f in baseline.findings
        ]
    keys = [(f.resource_type, f.resource_id, f.drift_type.value) for f in baseline.findings]
    assert keys == sorted(keys)
    assert len(keys) == 5 * 3 + 2


def test_in_sync_list_is_sorted() -> None:
    exp = [expected("S3", "b"), expected("EC2"), expected("S3", "a")]
    act = [actual("S3", "b"), actual("EC2"), actual("S3", "a")]

    assert run(exp, act).in_sync == [
        ResourceKey("EC2", "i-0abc123"),
        ResourceKey("S3", "a"),
        ResourceKey("S3", "b"),
    ]
