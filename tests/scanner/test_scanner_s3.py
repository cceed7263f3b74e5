"""S3 buckets: settings in canonical form, defaults for unconfigured ones, regions, concurrency."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest
from scanner_helpers import make_plan

from driftctl import normalize
from driftctl.scanner import scan_actual
from driftctl.types import s3

pytestmark = pytest.mark.usefixtures("aws")

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
UNCONFIGURED = {
    "versioning": "Disabled",
    "server_side_encryption": {"sse_algorithm": "AES256", "kms_master_key_id": None},
    "public_access_block": {
        "block_public_acls": False,
        "block_public_policy": False,
        "ignore_public_acls": False,
        "restrict_public_buckets": False,
    },
    "policy": None,
    "tags": {},
}


def _client(region: str = "us-east-1") -> Any:
    return boto3.client("s3", region_name=region)


def _create(name: str, region: str = "us-east-1") -> None:
    if region == "us-east-1":
        _client().create_bucket(Bucket=name)
    else:
        _client(region).create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": region}
        )


def _public_read(name: str, sid: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject"],
        "Resource": f"arn:aws:s3:::{name}/*",
    }
    if sid:
        statement["Sid"] = sid
    return {"Version": "2012-10-17", "Statement": [statement]}


def _configure(name: str) -> None:
    client = _client()
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    client.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": KEY_ARN,
                    }
                }
            ]
        },
    )
    client.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(_public_read(name)))
    client.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})


def _buckets(**plan: Any) -> dict[str, Any]:
    scan = scan_actual(make_plan(["S3"], **plan))
    assert scan.errors == []
    return {r.resource_id: r for r in scan.resources}


def test_configured_bucket_reads_back_in_canonical_form() -> None:
    _create("logs-configured")
    _configure("logs-configured")

    found = _buckets()["logs-configured"]

    assert (found.region, found.account_id) == ("us-east-1", "123456789012")
    assert found.attributes == {
        "versioning": "Enabled",
        "server_side_encryption": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN},
        "public_access_block": {
            "block_public_acls": True,
            "block_public_policy": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        },
        "policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": ["s3:GetObject"],
                    "Effect": "Allow",
                    "Principal": "*",
                    "Resource": ["arn:aws:s3:::logs-configured/*"],
                }
            ],
        },
        "tags": {"env": "prod"},
    }


def test_unconfigured_bucket_gets_the_aws_defaults() -> None:
    _create("plain-bucket")

    assert _buckets()["plain-bucket"].attributes == UNCONFIGURED


def test_each_changed_setting_shows_up() -> None:
    _create("changing-bucket")
    _configure("changing-bucket")
    before = _buckets()["changing-bucket"].attributes
    client = _client()

    client.put_bucket_versioning(
        Bucket="changing-bucket", VersioningConfiguration={"Status": "Suspended"}
    )
    client.delete_bucket_encryption(Bucket="changing-bucket")
    client.put_public_access_block(
        Bucket="changing-bucket",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": True,
        },
    )
    client.put_bucket_policy(
        Bucket="changing-bucket",
        Policy=json.dumps(_public_read("changing-bucket", sid="Public")),
    )
    client.delete_bucket_tagging(Bucket="changing-bucket")
    after = _buckets()["changing-bucket"].attributes

    assert {k for k in before if before[k] != after[k]} == set(UNCONFIGURED)
    assert after["versioning"] == "Suspended"
    assert after["server_side_encryption"] == UNCONFIGURED["server_side_encryption"]
    assert after["public_access_block"]["block_public_policy"] is False
    assert after["policy"]["Statement"][0]["Sid"] == "Public"
    assert after["tags"] == {}


def test_policy_is_compared_semantically() -> None:
    _create("policy-bucket")
    reordered = {
        "Statement": [
            {
                "Resource": "arn:aws:s3:::policy-bucket/*",
                "Action": "s3:GetObject",
                "Principal": "*",
                "Effect": "Allow",
            }
        ],
        "Version": "2012-10-17",
    }
    _client().put_bucket_policy(Bucket="policy-bucket", Policy=json.dumps(reordered))

    policy = _buckets()["policy-bucket"].attributes["policy"]

    assert policy == normalize.policy(_public_read("policy-bucket"))


def test_only_buckets_in_scanned_regions_are_returned() -> None:
    _create("east-bucket")
    _create("west-bucket", "us-west-2")
    _create("eu-bucket", "eu-west-1")

    scan = scan_actual(make_plan(["S3"], regions=["us-east-1", "eu-west-1"]))

    assert {(r.resource_id, r.region) for r in scan.resources} == {
        ("east-bucket", "us-east-1"),
        ("eu-bucket", "eu-west-1"),
    }
    assert scan.read_ok == {("S3", "us-east-1"), ("S3", "eu-west-1")}
    # Settings are read only for buckets that are kept.
    assert scan.api_calls["s3:GetBucketVersioning"] == 2
    assert scan.api_calls["s3:ListBuckets"] == 1


@pytest.mark.parametrize(
    ("constraint", "region"),
    [(None, "us-east-1"), ("", "us-east-1"), ("EU", "eu-west-1"), ("ap-south-1", "ap-south-1")],
)
def test_location_constraint_maps_to_region(constraint: str | None, region: str) -> None:
    assert s3.bucket_region(constraint) == region


def test_bucket_settings_are_read_concurrently() -> None:
    names = [f"parallel-bucket-{n}" for n in range(3)]
    for name in names:
        _create(name)
    # Each bucket's first call waits for the others' at this barrier: read one bucket after
    # another, the first wait would break and the scan would record an error.
    barrier = threading.Barrier(len(names), timeout=10)

    def meet(**_: Any) -> None:
        barrier.wait()

    scan = scan_actual(
        make_plan(["S3"], hooks=[("before-call.s3.GetBucketVersioning", meet)], max_workers=4)
    )

    assert scan.errors == []
    assert sorted(r.resource_id for r in scan.resources) == names
