"""EC2 instances read back in the canonical form, paginated, filtered by region and state."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from scanner_helpers import make_plan

from driftctl.scanner import scan_actual
from driftctl.types import ec2

pytestmark = pytest.mark.usefixtures("aws")

TRUST_EC2 = json.dumps(
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


def _instance_profile(name: str) -> str:
    iam = boto3.client("iam")
    iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=TRUST_EC2)
    iam.create_instance_profile(InstanceProfileName=name, Path="/apps/")
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=f"{name}-role")
    return name


def _launch(region: str = "us-east-1", **extra: Any) -> str:
    client = boto3.client("ec2", region_name=region)
    params: dict[str, Any] = {"ImageId": "ami-12345678", "MinCount": 1, "MaxCount": 1}
    params.update(extra)
    return str(client.run_instances(**params)["Instances"][0]["InstanceId"])


def _ec2_attributes(types: list[str] | None = None, **plan: Any) -> dict[str, dict[str, Any]]:
    scan = scan_actual(make_plan(types or ["EC2"], **plan))
    assert scan.errors == []
    return {r.resource_id: r.attributes for r in scan.resources if r.resource_type == "EC2"}


def test_instance_reads_back_in_canonical_form() -> None:
    client = boto3.client("ec2", region_name="us-east-1")
    vpc = client.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = client.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    sg_b = client.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    sg_a = client.create_security_group(GroupName="a", Description="a", VpcId=vpc)["GroupId"]
    instance_id = _launch(
        InstanceType="t3.small",
        SubnetId=subnet,
        SecurityGroupIds=[sg_b, sg_a],
        IamInstanceProfile={"Name": _instance_profile("web")},
        Monitoring={"Enabled": True},
        EbsOptimized=True,
        MetadataOptions={"HttpTokens": "required"},
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}]}
        ],
    )

    scan = scan_actual(make_plan(["EC2"]))

    assert [(r.resource_id, r.region, r.account_id) for r in scan.resources] == [
        (instance_id, "us-east-1", "123456789012")
    ]
    assert scan.resources[0].attributes == {
        "instance_type": "t3.small",
        "ami": "ami-12345678",
        "subnet_id": subnet,
        "vpc_security_group_ids": sorted([sg_a, sg_b]),
        "iam_instance_profile": "web",
        "monitoring": True,
        "ebs_optimized": True,
        "metadata_options": {"http_tokens": "required"},
        "tags": {"Name": "web-1"},
        "state": "running",
    }
    assert scan.read_ok == {("EC2", "us-east-1")}


def test_each_changed_attribute_shows_up() -> None:
    client = boto3.client("ec2", region_name="us-east-1")
    vpc = client.describe_vpcs()["Vpcs"][0]["VpcId"]
    sg_old = client.create_security_group(GroupName="old", Description="o", VpcId=vpc)["GroupId"]
    sg_new = client.create_security_group(GroupName="new", Description="n", VpcId=vpc)["GroupId"]
    instance_id = _launch(
        InstanceType="t3.small",
        SecurityGroupIds=[sg_old],
        MetadataOptions={"HttpTokens": "optional"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Owner", "Value": "a"}]}],
    )
    before = _ec2_attributes()[instance_id]

    client.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.large"})
    client.modify_instance_attribute(InstanceId=instance_id, Groups=[sg_new])
    client.modify_instance_attribute(InstanceId=instance_id, EbsOptimized={"Value": True})
    client.modify_instance_metadata_options(InstanceId=instance_id, HttpTokens="required")
    client.associate_iam_instance_profile(
        IamInstanceProfile={"Name": _instance_profile("batch")}, InstanceId=instance_id
    )
    client.create_tags(Resources=[instance_id], Tags=[{"Key": "Owner", "Value": "b"}])
    after = _ec2_attributes()[instance_id]

    changed = {k for k in before if before[k] != after[k]}
    assert changed == {
        "instance_type",
        "vpc_security_group_ids",
        "ebs_optimized",
        "metadata_options",
        "iam_instance_profile",
        "tags",
    }
    assert after["instance_type"] == "t3.large"
    assert after["vpc_security_group_ids"] == [sg_new]
    assert after["iam_instance_profile"] == "batch"
    assert after["metadata_options"] == {"http_tokens": "required"}
    assert after["tags"] == {"Owner": "b"}
    assert (before["ebs_optimized"], after["ebs_optimized"]) == (False, True)


@pytest.mark.parametrize(
    ("state", "expected"), [("enabled", True), ("disabled", False), ("pending", False)]
)
def test_monitoring_is_true_only_when_enabled(state: str, expected: bool) -> None:
    # moto does not implement MonitorInstances, so the mapping is checked on a response item.
    item: Any = {"InstanceId": "i-1", "Monitoring": {"State": state}}

    resource = ec2.to_resource(item, "us-east-1", None)

    assert resource.attributes["monitoring"] is expected
    assert resource.attributes["iam_instance_profile"] is None


def test_listing_spans_several_pages() -> None:
    # moto pages DescribeInstances by reservation: one launch call per instance.
    ids = {_launch() for _ in range(7)}

    scan = scan_actual(make_plan(["EC2"], page_size=5))

    assert {r.resource_id for r in scan.resources} == ids
    assert scan.api_calls["ec2:DescribeInstances"] == 2


def test_terminated_instances_are_skipped() -> None:
    kept = _launch()
    gone = _launch()
    boto3.client("ec2", region_name="us-east-1").terminate_instances(InstanceIds=[gone])

    assert set(_ec2_attributes()) == {kept}


def test_only_the_scanned_regions_are_read() -> None:
    east = _launch("us-east-1")
    west = _launch("us-west-2")

    assert set(_ec2_attributes()) == {east}
    scan = scan_actual(make_plan(["EC2"], regions=["us-east-1", "us-west-2"]))
    assert {(r.resource_id, r.region) for r in scan.resources} == {
        (east, "us-east-1"),
        (west, "us-west-2"),
    }
    assert scan.read_ok == {("EC2", "us-east-1"), ("EC2", "us-west-2")}


def test_one_request_asks_for_a_full_page_of_live_instances() -> None:
    _launch()
    bodies: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        bodies.append(request.body.decode() if isinstance(request.body, bytes) else request.body)

    scan_actual(make_plan(["EC2"], hooks=[("before-send.ec2.DescribeInstances", capture)]))

    assert len(bodies) == 1
    assert "MaxResults=1000" in bodies[0]
    assert "instance-state-name" in bodies[0] and "terminated" not in bodies[0]
