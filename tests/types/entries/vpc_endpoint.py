"""Conformance entry of VPC_ENDPOINT (fixture: vpc_endpoint.tfstate)."""

from __future__ import annotations

import json

from tests.types.entries._common import tag_mutation
from tests.types.entries._net_estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "VPC_ENDPOINT"

S3 = "aws_vpc_endpoint.s3"
DYNAMODB = "aws_vpc_endpoint.dynamodb"
LOGS = "aws_vpc_endpoint.logs"


def _restrict_s3(account: Account) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
        ],
    }
    account.client("ec2").modify_vpc_endpoint(
        VpcEndpointId=account.ids[S3], PolicyDocument=json.dumps(policy)
    )


def _extra_route_table(account: Account) -> None:
    ec2 = account.client("ec2")
    vpc = account.attributes(S3)["vpc_id"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=account.ids[DYNAMODB], AddRouteTableIds=[table])


def _extra_group(account: Account) -> None:
    ec2 = account.client("ec2")
    vpc = account.attributes(S3)["vpc_id"]
    group = ec2.create_security_group(GroupName="wide-open", Description="console", VpcId=vpc)
    ec2.modify_vpc_endpoint(VpcEndpointId=account.ids[LOGS], AddSecurityGroupIds=[group["GroupId"]])


def _drop_subnet(account: Account) -> None:
    subnet = account.attributes("aws_vpc_endpoint_subnet_association.logs_b")["subnet_id"]
    account.client("ec2").modify_vpc_endpoint(
        VpcEndpointId=account.ids[LOGS], RemoveSubnetIds=[subnet]
    )


def _delete(account: Account) -> None:
    # An interface endpoint: moto fails to delete a gateway endpoint given a route table after
    # it was created (it looks for a route it never added).
    account.client("ec2").delete_vpc_endpoints(VpcEndpointIds=[account.ids[LOGS]])


def _console_endpoint(account: Account) -> str:
    endpoint = account.client("ec2").create_vpc_endpoint(
        VpcId=account.attributes(S3)["vpc_id"],
        ServiceName="com.amazonaws.us-east-1.sqs",
        VpcEndpointType="Interface",
        SubnetIds=[account.attributes("aws_subnet.private[0]")["id"]],
    )["VpcEndpoint"]
    return str(endpoint["VpcEndpointId"])


ENTRY = Entry(
    fixture="vpc_endpoint.tfstate",
    mutations=(
        Mutation("default policy narrowed", _restrict_s3, S3, "policy", "warning"),
        Mutation(
            "route table added", _extra_route_table, DYNAMODB, "route_table_ids[rtb-*", "warning"
        ),
        Mutation("security group added", _extra_group, LOGS, "security_group_ids[sg-*", "warning"),
        Mutation("associated subnet removed", _drop_subnet, LOGS, "subnet_ids[subnet-*", "warning"),
        tag_mutation("ec2", LOGS),
        Mutation("deleted", _delete, LOGS, "", "warning", "missing"),
        Mutation("created in the console", _console_endpoint, None, "", "info", "unmanaged"),
    ),
    estate=copies(
        "vpc_endpoint.tfstate",
        (
            "aws_vpc_endpoint",
            "aws_vpc_endpoint_route_table_association",
            "aws_vpc_endpoint_subnet_association",
            "aws_vpc_endpoint_policy",
        ),
    ),
)
