"""Security groups read back with one rule key per peer; the default group is flagged."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from scanner_helpers import make_plan, raw_response

from driftctl.scanner import scan_actual

pytestmark = pytest.mark.usefixtures("aws")


def _client() -> Any:
    return boto3.client("ec2", region_name="us-east-1")


def _groups(**plan: Any) -> dict[str, Any]:
    scan = scan_actual(make_plan(["SECURITY_GROUP"], **plan))
    assert scan.errors == []
    assert scan.read_ok == {("SECURITY_GROUP", region) for region in scan.regions}
    return {r.resource_id: r for r in scan.resources}


def test_group_reads_back_with_one_key_per_peer() -> None:
    ec2 = _client()
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    peer = ec2.create_security_group(GroupName="lb", Description="lb", VpcId=vpc)["GroupId"]
    group = ec2.create_security_group(
        GroupName="web",
        Description="web tier",
        VpcId=vpc,
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": [{"Key": "Team", "Value": "a"}]}
        ],
    )["GroupId"]
    prefix_list = ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=2, AddressFamily="IPv4"
    )["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                "PrefixListIds": [{"PrefixListId": prefix_list}],
                "UserIdGroupPairs": [{"GroupId": peer}],
            },
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]},
            {
                "IpProtocol": "udp",
                "FromPort": 1000,
                "ToPort": 2000,
                "IpRanges": [{"CidrIp": "10.9.0.0/16"}],
            },
        ],
    )

    found = _groups()[group]

    assert found.is_default is False
    assert (found.region, found.account_id) == ("us-east-1", "123456789012")
    assert found.attributes == {
        "name": "web",
        "description": "web tier",
        "vpc_id": vpc,
        "ingress": sorted(
            [
                "tcp:443:0.0.0.0/0",
                "tcp:443:10.0.0.0/8",
                "tcp:443:::/0",
                f"tcp:443:{prefix_list}",
                f"tcp:443:{peer}",
                # A rule on the group itself is keyed with its own id.
                f"all:all:{group}",
                "udp:1000-2000:10.9.0.0/16",
            ]
        ),
        "egress": ["all:all:0.0.0.0/0"],
        "tags": {"Team": "a"},
    }


def test_rule_and_tag_changes_show_up() -> None:
    ec2 = _client()
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ssh = {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
    }
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[ssh])
    before = _groups()[group].attributes

    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[ssh])
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{**ssh, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    ec2.revoke_security_group_egress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    ec2.create_tags(Resources=[group], Tags=[{"Key": "Owner", "Value": "ops"}])
    after = _groups()[group].attributes

    assert before["ingress"] == ["tcp:22:10.0.0.0/8"]
    assert after["ingress"] == ["tcp:22:0.0.0.0/0"]
    assert (before["egress"], after["egress"]) == (["all:all:0.0.0.0/0"], [])
    assert (before["tags"], after["tags"]) == ({}, {"Owner": "ops"})
    assert {k for k in before if before[k] != after[k]} == {"ingress", "egress", "tags"}


def test_default_group_is_flagged() -> None:
    ec2 = _client()
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    mine = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]

    groups = _groups()

    defaults = {gid for gid, g in groups.items() if g.is_default}
    assert defaults
    assert all(groups[gid].attributes["name"] == "default" for gid in defaults)
    assert mine in groups and mine not in defaults


def test_listing_follows_next_token() -> None:
    # moto answers DescribeSecurityGroups in one page, so the first page here comes from AWS's
    # wire format with a NextToken; the second request goes through to moto.
    sent: list[str] = []

    def first_page(request: Any, **_: Any) -> Any:
        sent.append(request.body.decode() if isinstance(request.body, bytes) else request.body)
        if len(sent) > 1:
            return None
        return raw_response(request, 200, PAGE_ONE)

    scan = scan_actual(
        make_plan(
            ["SECURITY_GROUP"],
            page_size=5,
            first_hooks=[("before-send.ec2.DescribeSecurityGroups", first_page)],
        )
    )

    assert scan.errors == []
    assert scan.api_calls["ec2:DescribeSecurityGroups"] == 2
    assert "MaxResults=5" in sent[0] and "NextToken" not in sent[0]
    assert "NextToken=page-2" in sent[1]
    ids = {r.resource_id for r in scan.resources}
    assert "sg-0000000000page1" in ids
    assert len(ids) >= 2  # plus the default VPC's default group from the second page


PAGE_ONE = """<?xml version="1.0" encoding="UTF-8"?>
<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>page-1</requestId>
  <securityGroupInfo>
    <item>
      <ownerId>123456789012</ownerId>
      <groupId>sg-0000000000page1</groupId>
      <groupName>paged</groupName>
      <groupDescription>from page one</groupDescription>
      <vpcId>vpc-12345678</vpcId>
      <ipPermissions/>
      <ipPermissionsEgress/>
    </item>
  </securityGroupInfo>
  <nextToken>page-2</nextToken>
</DescribeSecurityGroupsResponse>
"""
