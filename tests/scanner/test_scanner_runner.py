"""The scan as a whole: partial failures, retries, unreachable AWS, regions, sessions."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from scanner_helpers import ALL_TYPES, error_response, free_port, make_plan

from driftctl.errors import ExternalServiceError, ValidationError
from driftctl.scanner import AwsSession, ScanError, ScanPlan, list_enabled_regions, scan_actual
from driftctl.scanner.session import error_details


def _small_estate() -> dict[str, str]:
    """One resource of each type in us-east-1; returns their ids by type."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="estate-bucket")
    boto3.client("rds", region_name="us-east-1").create_db_instance(
        DBInstanceIdentifier="estate-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="not-a-real-password",
    )
    trust = {"Version": "2012-10-17", "Statement": []}
    boto3.client("iam").create_role(
        RoleName="estate-role", AssumeRolePolicyDocument=json.dumps(trust)
    )
    return {
        "EC2": instance["InstanceId"],
        "SECURITY_GROUP": group,
        "S3": "estate-bucket",
        "RDS": "estate-db",
        "IAM_ROLE": "estate-role",
    }


def _deny(operation: str) -> Any:
    def hook(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform this"}},
            operation,
        )

    return hook


@pytest.mark.usefixtures("aws")
def test_full_scan_reads_every_type_and_counts_calls() -> None:
    ids = _small_estate()

    scan = scan_actual(make_plan(ALL_TYPES))

    assert scan.account_id == "123456789012"
    assert scan.regions == ["us-east-1"]
    assert scan.errors == [] and scan.complete
    assert ids.items() <= {(r.resource_type, r.resource_id) for r in scan.resources}
    keys = [(r.resource_type, r.resource_id) for r in scan.resources]
    assert keys == sorted(keys)
    assert scan.read_ok == {
        ("EC2", "us-east-1"),
        ("SECURITY_GROUP", "us-east-1"),
        ("S3", "us-east-1"),
        ("RDS", "us-east-1"),
        ("IAM_ROLE", "global"),
    }
    assert scan.api_calls == {
        "ec2:DescribeInstances": 1,
        "ec2:DescribeSecurityGroups": 1,
        "iam:GetAccountAuthorizationDetails": 1,
        "iam:ListRoles": 1,
        "rds:DescribeDBInstances": 1,
        "s3:GetBucketEncryption": 1,
        "s3:GetBucketLocation": 1,
        "s3:GetBucketPolicy": 1,
        "s3:GetBucketTagging": 1,
        "s3:GetBucketVersioning": 1,
        "s3:GetPublicAccessBlock": 1,
        "s3:ListBuckets": 1,
        "sts:GetCallerIdentity": 1,
    }


@pytest.mark.usefixtures("aws")
def test_access_denied_on_one_type_is_recorded_and_the_rest_is_read() -> None:
    ids = _small_estate()

    scan = scan_actual(
        make_plan(
            ALL_TYPES,
            hooks=[
                (
                    "before-call.ec2.DescribeSecurityGroups",
                    _deny("DescribeSecurityGroups"),
                )
            ],
        )
    )

    assert scan.errors == [
        ScanError(
            "SECURITY_GROUP",
            "us-east-1",
            "AccessDenied",
            "An error occurred (AccessDenied) when calling the DescribeSecurityGroups "
            "operation: not authorized to perform this",
        )
    ]
    assert not scan.complete
    assert ("SECURITY_GROUP", "us-east-1") not in scan.read_ok
    assert {("EC2", "us-east-1"), ("S3", "us-east-1"), ("RDS", "us-east-1")} <= scan.read_ok
    types = {r.resource_type for r in scan.resources}
    assert "SECURITY_GROUP" not in types
    assert {"EC2", "S3", "RDS", "IAM_ROLE"} <= types
    assert ids["EC2"] in {r.resource_id for r in scan.resources}


@pytest.mark.usefixtures("aws")
def test_forbidden_response_for_one_bucket_leaves_only_its_region_unread() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="locked-bucket")
    s3.create_bucket(
        Bucket="open-bucket-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )

    def forbid(request: Any, **_: Any) -> Any:
        if "locked-bucket" in request.url:
            return error_response(request, 403, "AccessDenied", "Access Denied", "rest-xml")
        return None

    scan = scan_actual(
        make_plan(
            ["S3"],
            regions=["us-east-1", "eu-west-1"],
            first_hooks=[("before-send.s3.GetBucketPolicy", forbid)],
        )
    )

    assert [(r.resource_id, r.region) for r in scan.resources] == [("open-bucket-eu", "eu-west-1")]
    assert scan.read_ok == {("S3", "eu-west-1")}
    assert [(e.resource_type, e.region, e.code) for e in scan.errors] == [
        ("S3", "us-east-1", "AccessDenied")
    ]
    assert "locked-bucket" in scan.errors[0].message


@pytest.mark.usefixtures("aws")
def test_an_unexpected_failure_in_one_reader_is_recorded_not_raised() -> None:
    _small_estate()

    def broken(**_: Any) -> None:
        raise KeyError("Reservations")

    scan = scan_actual(
        make_plan(["EC2", "RDS"], hooks=[("before-call.ec2.DescribeInstances", broken)])
    )

    assert [(e.resource_type, e.code) for e in scan.errors] == [("EC2", "InternalError")]
    assert scan.read_ok == {("RDS", "us-east-1")}


@pytest.mark.usefixtures("aws", "fast_retries")
def test_throttled_calls_are_retried_and_counted() -> None:
    instance = boto3.client("ec2", region_name="us-east-1").run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1
    )["Instances"][0]["InstanceId"]
    answered = {"throttled": 0}

    def throttle_twice(request: Any, **_: Any) -> Any:
        if answered["throttled"] < 2:
            answered["throttled"] += 1
            return error_response(request, 400, "Throttling", "Rate exceeded", "ec2")
        return None

    scan = scan_actual(
        make_plan(["EC2"], first_hooks=[("before-send.ec2.DescribeInstances", throttle_twice)])
    )

    assert scan.errors == []
    assert [r.resource_id for r in scan.resources] == [instance]
    assert scan.api_calls["ec2:DescribeInstances"] == 3


@pytest.mark.usefixtures("aws")
def test_nothing_readable_raises_external_service_error() -> None:
    hooks = [
        ("before-call.ec2.DescribeInstances", _deny("DescribeInstances")),
        ("before-call.rds.DescribeDBInstances", _deny("DescribeDBInstances")),
    ]

    with pytest.raises(ExternalServiceError) as raised:
        scan_actual(make_plan(["EC2", "RDS"], hooks=hooks))

    assert raised.value.message.startswith("could not read anything from AWS: EC2 in us-east-1")
    assert len(raised.value.details["errors"]) == 2


def test_unreachable_endpoint_fails_fast_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")

    with pytest.raises(ExternalServiceError) as raised:
        scan_actual(
            ScanPlan(
                resource_types=["EC2"], regions=["us-east-1"], max_attempts=1, connect_timeout=1
            )
        )

    message = raised.value.message
    assert message.startswith("cannot identify the AWS account: Could not connect")
    assert "127.0.0.1" in message
    assert "\n" not in message and "testing" not in message
    assert raised.value.details == {"code": "EndpointConnectionError"}


def test_missing_credentials_raise_external_service_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
    ):
        monkeypatch.delenv(name)

    with pytest.raises(ExternalServiceError, match="no AWS credentials found"):
        scan_actual(ScanPlan(resource_types=["EC2"], regions=["us-east-1"], max_attempts=1))


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (ScanPlan(resource_types=["LAMBDA"]), "unknown resource type 'LAMBDA'"),
        (ScanPlan(resource_types=["EC2"], regions=["Europe"]), "invalid AWS region 'Europe'"),
        (ScanPlan(resource_types=["EC2"], profile="nowhere"), "AWS profile 'nowhere' not found"),
        (ScanPlan(resource_types=["EC2"], max_workers=0), "max_workers must be at least 1"),
    ],
)
def test_bad_plans_are_validation_errors(plan: ScanPlan, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        scan_actual(plan)


def test_no_region_anywhere_is_a_validation_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    with pytest.raises(ValidationError, match="no AWS region"):
        scan_actual(ScanPlan(resource_types=["EC2"]))


@pytest.mark.usefixtures("aws")
def test_profile_region_is_the_default() -> None:
    scan = scan_actual(make_plan(["EC2"], regions=[]))

    assert scan.regions == ["us-east-1"]
    assert scan.read_ok == {("EC2", "us-east-1")}


@pytest.mark.usefixtures("aws")
def test_enabled_regions_skip_those_not_opted_in() -> None:
    session = boto3.session.Session(region_name="us-east-1")
    every = boto3.client("ec2", region_name="us-east-1").describe_regions(AllRegions=True)

    regions = list_enabled_regions(session)

    assert regions == sorted(regions)
    assert "us-east-1" in regions and "eu-west-1" in regions
    not_opted_in = {r["RegionName"] for r in every["Regions"] if r["OptInStatus"] == "not-opted-in"}
    assert not_opted_in and not (not_opted_in & set(regions))


@pytest.mark.usefixtures("aws")
def test_all_regions_scans_what_describe_regions_lists() -> None:
    west = boto3.client("ec2", region_name="eu-west-1").run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1
    )["Instances"][0]["InstanceId"]

    def two_regions(parsed: dict[str, Any], **_: Any) -> None:
        parsed["Regions"] = [
            r for r in parsed["Regions"] if r["RegionName"] in ("eu-west-1", "us-east-1")
        ]

    scan = scan_actual(
        make_plan(
            ["EC2"],
            regions=[],
            all_regions=True,
            hooks=[("after-call.ec2.DescribeRegions", two_regions)],
        )
    )

    assert scan.regions == ["eu-west-1", "us-east-1"]
    assert scan.read_ok == {("EC2", "eu-west-1"), ("EC2", "us-east-1")}
    assert [(r.resource_id, r.region) for r in scan.resources] == [(west, "eu-west-1")]


@pytest.mark.usefixtures("aws")
def test_clients_are_created_only_for_scanned_services() -> None:
    created: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        created.append(event_name.rsplit(".", 1)[-1])

    scan_actual(
        make_plan(
            ["RDS"], regions=["us-east-1", "eu-west-1"], hooks=[("creating-client-class", record)]
        )
    )

    assert sorted(created) == ["rds", "rds", "sts"]


@pytest.mark.usefixtures("aws")
def test_role_is_assumed_with_the_driftctl_session_name() -> None:
    seen: list[dict[str, Any]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        seen.append(params)

    scan = scan_actual(
        make_plan(
            ["EC2"],
            role_arn="arn:aws:iam::210987654321:role/auditor",
            hooks=[("before-parameter-build.sts.AssumeRole", capture)],
        )
    )

    assert [(p["RoleArn"], p["RoleSessionName"]) for p in seen] == [
        ("arn:aws:iam::210987654321:role/auditor", "driftctl")
    ]
    assert scan.account_id == "210987654321"
    assert scan.api_calls["sts:AssumeRole"] == 1


@pytest.mark.usefixtures("aws")
def test_one_client_per_service_and_region_across_threads() -> None:
    aws = AwsSession(boto3.session.Session(region_name="us-east-1"))
    clients: list[Any] = []
    barrier = threading.Barrier(8, timeout=10)

    def get() -> None:
        barrier.wait()
        clients.append(aws.client("ec2", "eu-west-1"))

    threads = [threading.Thread(target=get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(clients) == 8 and len({id(c) for c in clients}) == 1
    assert aws.client("ec2") is not clients[0]
    assert aws.client("ec2").meta.region_name == "us-east-1"


def test_error_details_are_one_short_line() -> None:
    long = ClientError({"Error": {"Code": "Boom", "Message": "x\n" * 400}}, "DescribeThings")

    code, message = error_details(long)

    assert code == "Boom"
    assert "\n" not in message and len(message) == 300


def test_endpoint_url_from_the_environment_is_honoured(
    moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    ids = _small_estate()

    scan = scan_actual(ScanPlan(resource_types=ALL_TYPES, regions=["us-east-1"]))

    assert scan.errors == []
    assert ids.items() <= {(r.resource_type, r.resource_id) for r in scan.resources}
    bucket = next(r for r in scan.resources if r.resource_id == "estate-bucket")
    assert bucket.attributes["versioning"] == "Disabled"


@pytest.mark.usefixtures("aws")
def test_progress_is_told_after_every_read() -> None:
    _small_estate()
    told: list[tuple[int, int, int]] = []

    scan = scan_actual(
        make_plan(ALL_TYPES, regions=["us-east-1", "eu-west-1"], progress=lambda *a: told.append(a))
    )

    # One report per (type, region) read, counting up to all of them; calls only grow.
    regional = [t for t in ALL_TYPES if t != "IAM_ROLE" and t != "S3"]
    total = 2 * len(regional) + 2
    assert [done for done, _, _ in told] == list(range(1, total + 1))
    assert {all_reads for _, all_reads, _ in told} == {total}
    calls = [c for _, _, c in told]
    assert calls == sorted(calls) and 0 < calls[-1] <= sum(scan.api_calls.values())
