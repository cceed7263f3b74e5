"""Canonical resources (the driftctl.resources form) for the diff tests."""

from __future__ import annotations

import copy
from typing import Any

from driftctl import normalize
from driftctl.diff.compare import Comparison, compare
from driftctl.resources import ActualResource, ExpectedResource

REGION = "eu-west-1"
ACCOUNT = "123456789012"

TRUST_EC2 = normalize.policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
S3_READ = normalize.policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::logs.example.com", "arn:aws:s3:::logs.example.com/*"],
            }
        ],
    }
)
TLS_ONLY = normalize.policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::logs.example.com/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)

IDS = {
    "EC2": "i-0abc123",
    "SECURITY_GROUP": "sg-0abc123",
    "S3": "logs.example.com",
    "RDS": "orders-db",
    "IAM_ROLE": "app-role",
}

BASE: dict[str, dict[str, Any]] = {
    "EC2": {
        "instance_type": "t3.medium",
        "ami": "ami-0123456789",
        "subnet_id": "subnet-1",
        "vpc_security_group_ids": ["sg-1", "sg-2"],
        "iam_instance_profile": "web-profile",
        "monitoring": False,
        "ebs_optimized": False,
        "metadata_options": {"http_tokens": "required"},
        "tags": {"Name": "web", "Owner": "team-a"},
    },
    "SECURITY_GROUP": {
        "name": "web",
        "description": "web tier",
        "vpc_id": "vpc-1",
        "ingress": ["tcp:22:10.0.0.0/8", "tcp:443:0.0.0.0/0"],
        "egress": ["all:all:0.0.0.0/0"],
        "tags": {"Name": "web"},
    },
    "S3": {
        "versioning": "Enabled",
        "server_side_encryption": {"sse_algorithm": "aws:kms", "kms_master_key_id": "key-1"},
        "public_access_block": {
            "block_public_acls": True,
            "block_public_policy": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        },
        "policy": TLS_ONLY,
        "tags": {"Owner": "team-a"},
    },
    "RDS": {
        "instance_class": "db.t3.micro",
        "engine": "postgres",
        "engine_version": "15.4",
        "allocated_storage": 20,
        "multi_az": False,
        "publicly_accessible": False,
        "storage_encrypted": True,
        "deletion_protection": True,
        "backup_retention_period": 7,
        "tags": {"Owner": "team-a"},
    },
    "IAM_ROLE": {
        "assume_role_policy": TRUST_EC2,
        "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        "inline_policies": {"s3-read": S3_READ},
        "max_session_duration": 3600,
        "path": "/",
        "description": "application role",
        "tags": {"Owner": "team-a"},
    },
}

TYPES = sorted(BASE)


def attrs(resource_type: str, **changes: Any) -> dict[str, Any]:
    """A deep copy of the canonical attributes of a type, with some keys replaced."""
    out = copy.deepcopy(BASE[resource_type])
    out.update(changes)
    return out


def expected(
    resource_type: str, resource_id: str | None = None, **changes: Any
) -> ExpectedResource:
    region = "global" if resource_type == "IAM_ROLE" else REGION
    rid = resource_id or IDS[resource_type]
    return ExpectedResource(
        resource_type=resource_type,
        resource_id=rid,
        attributes=attrs(resource_type, **changes),
        region=region,
        account_id=ACCOUNT,
        sources=[f"prod.tfstate#{resource_type.lower()}.{rid}"],
    )


def actual(
    resource_type: str, resource_id: str | None = None, *, is_default: bool = False, **changes: Any
) -> ActualResource:
    region = "global" if resource_type == "IAM_ROLE" else REGION
    return ActualResource(
        resource_type=resource_type,
        resource_id=resource_id or IDS[resource_type],
        region=region,
        attributes=attrs(resource_type, **changes),
        account_id=ACCOUNT,
        is_default=is_default,
    )


def read_all() -> set[tuple[str, str]]:
    return {(t, "global" if t == "IAM_ROLE" else REGION) for t in BASE}


def run(exp: list[ExpectedResource], act: list[ActualResource], **kwargs: Any) -> Comparison:
    """compare() with every type read in the test region."""
    kwargs.setdefault("read_ok", read_all())
    kwargs.setdefault("default_region", REGION)
    return compare(exp, act, **kwargs)
