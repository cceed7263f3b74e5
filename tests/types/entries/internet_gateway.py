"""Conformance entry of INTERNET_GATEWAY (fixture: internet_gateway.tfstate)."""

from __future__ import annotations

from tests.types.entries._common import tag_mutation
from tests.types.entries._net_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "INTERNET_GATEWAY"

MAIN = "aws_internet_gateway.main"
EDGE = "aws_internet_gateway.edge"


def _detach_main(account: Account) -> None:
    account.client("ec2").detach_internet_gateway(
        InternetGatewayId=account.ids[MAIN], VpcId=account.attributes(MAIN)["vpc_id"]
    )


def _move_edge(account: Account) -> None:
    ec2 = account.client("ec2")
    ec2.detach_internet_gateway(
        InternetGatewayId=account.ids[EDGE], VpcId=account.ids["aws_vpc.edge"]
    )
    other = ec2.create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"]
    ec2.attach_internet_gateway(InternetGatewayId=account.ids[EDGE], VpcId=other)


def _delete_main(account: Account) -> None:
    ec2 = account.client("ec2")
    gateway = account.ids[MAIN]
    for attachment in ec2.describe_internet_gateways(InternetGatewayIds=[gateway])[
        "InternetGateways"
    ][0]["Attachments"]:
        ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=attachment["VpcId"])
    ec2.delete_internet_gateway(InternetGatewayId=gateway)


def _console_gateway(account: Account) -> str:
    ec2 = account.client("ec2")
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    vpc = ec2.create_vpc(CidrBlock="10.63.0.0/16")["Vpc"]["VpcId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    return str(gateway)


def _default_vpc_gateway(account: Account) -> list[str]:
    # AWS gives the default VPC a gateway; moto does not: make it the way AWS has it.
    ec2 = account.client("ec2")
    [default] = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=default["VpcId"])
    return [str(gateway)]


ENTRY = Entry(
    fixture="internet_gateway.tfstate",
    mutations=(
        tag_mutation("ec2", MAIN),
        Mutation("detached", _detach_main, MAIN, "vpc_id", "warning"),
        Mutation("attached elsewhere (separate attachment)", _move_edge, EDGE, "vpc_id", "warning"),
        Mutation("deleted", _delete_main, MAIN, "", "warning", "missing"),
        Mutation("created in the console", _console_gateway, None, "", "info", "unmanaged"),
    ),
    aws_owned=_default_vpc_gateway,
    estate=copies("internet_gateway.tfstate"),
)
