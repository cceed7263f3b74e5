"""Secrets AWS sends back never reach a resource, an error or the scan record."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from scanner_helpers import make_plan, raw_response

from driftctl.resources import SENSITIVE, scrub_error_text
from driftctl.scanner import scan_actual

pytestmark = pytest.mark.usefixtures("aws")

SECRET = "hunter2-0123456789"


def test_secret_named_tags_are_masked_as_aws_reports_them() -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": [{"Key": "DbPassword", "Value": SECRET}, {"Key": "Name", "Value": "web"}],
            }
        ],
    )
    boto3.client("iam").create_role(
        RoleName="tagged",
        AssumeRolePolicyDocument="{}",
        Tags=[{"Key": "session_token", "Value": SECRET}],
    )
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="tagged-bucket")
    s3.put_bucket_tagging(
        Bucket="tagged-bucket", Tagging={"TagSet": [{"Key": "secret_key", "Value": SECRET}]}
    )

    scan = scan_actual(make_plan(["EC2", "IAM_ROLE", "S3"]))

    tags = {r.resource_type: r.attributes["tags"] for r in scan.resources}
    assert tags["EC2"] == {"DbPassword": SENSITIVE, "Name": "web"}
    assert tags["IAM_ROLE"] == {"session_token": SENSITIVE}
    assert tags["S3"] == {"secret_key": SENSITIVE}
    assert SECRET not in repr(scan)


def test_an_unparsable_response_is_one_short_line_without_its_body() -> None:
    body = (
        "<DescribeInstancesResponse><reservationSet><item><tagSet><item><key>DbPassword</key>"
        f"<value>{SECRET}</value></item></tagSet>" + "x" * 4600
    )

    def garbage(request: Any, **_: Any) -> Any:
        return raw_response(request, 200, body)

    scan = scan_actual(
        make_plan(["EC2", "RDS"], first_hooks=[("before-send.ec2.DescribeInstances", garbage)])
    )

    [error] = scan.errors
    assert len(error.message) <= 300 and "\n" not in error.message
    assert SECRET not in error.message
    assert "could not be parsed" in error.message


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("<Key>db_password</Key> <Value>s3cr3t</Value>", "<Key>db_password</Key>", "s3cr3t"),
        ('{"ApiToken": "abc", "Name": "web"}', '"Name": "web"', "abc"),
        ("failed: secret_key=abc&x=1", "x=1", "abc"),
        ("multi\nline\n\terror", "multi line error", "\n"),
    ],
)
def test_error_text_is_scrubbed(text: str, kept: str, gone: str) -> None:
    scrubbed = scrub_error_text(text)
    assert kept in scrubbed
    assert gone not in scrubbed
