"""Conformance entry of VPC (fixture: vpc.tfstate)."""

from __future__ import annotations

from tests.types.entries._common import tag_mutation
from tests.types.entries._net_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "VPC"

MAIN = "aws_vpc.main"
DATA = "module.data.aws_vpc.this"
DEFAULT = "aws_default_vpc.default"


def _hostnames_on(account: Account) -> None:
    account.client("ec2").modify_vpc_attribute(
        VpcId=account.ids[DATA], EnableDnsHostnames={"Value": True}
    )


def _dns_off(account: Account) -> None:
    account.client("ec2").modify_vpc_attribute(
        VpcId=account.ids[DEFAULT], EnableDnsSupport={"Value": False}
    )


def _drop_secondary(account: Account) -> None:
    ec2 = account.client("ec2")
    vpc = ec2.describe_vpcs(VpcIds=[account.ids[MAIN]])["Vpcs"][0]
    for association in vpc["CidrBlockAssociationSet"]:
        if association["CidrBlock"] == "10.1.0.0/16":
            ec2.disassociate_vpc_cidr_block(AssociationId=association["AssociationId"])


def _add_cidr(account: Account) -> None:
    account.client("ec2").associate_vpc_cidr_block(
        VpcId=account.ids[DATA], CidrBlock="10.21.0.0/16"
    )


def _delete_data(account: Account) -> None:
    account.client("ec2").delete_vpc(VpcId=account.ids[DATA])


def _console_vpc(account: Account) -> str:
    return str(account.client("ec2").create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"])


def _default_vpcs(account: Account) -> list[str]:
    found = account.client("ec2").describe_vpcs(
        Filters=[{"Name": "is-default", "Values": ["true"]}]
    )["Vpcs"]
    return [v["VpcId"] for v in found]


ENTRY = Entry(
    fixture="vpc.tfstate",
    mutations=(
        tag_mutation("ec2", MAIN),
        Mutation("DNS hostnames on", _hostnames_on, DATA, "enable_dns_hostnames", "warning"),
        Mutation("default VPC DNS off", _dns_off, DEFAULT, "enable_dns_support", "warning"),
        Mutation(
            "secondary CIDR removed",
            _drop_secondary,
            MAIN,
            "secondary_cidr_blocks[10.1.0.0/16]",
            "warning",
        ),
        Mutation(
            "CIDR added in the console",
            _add_cidr,
            DATA,
            "secondary_cidr_blocks[10.21.0.0/16]",
            "warning",
        ),
        Mutation("deleted", _delete_data, DATA, "", "warning", "missing"),
        Mutation("created in the console", _console_vpc, None, "", "info", "unmanaged"),
    ),
    aws_owned=_default_vpcs,
    estate=copies("vpc.tfstate", once=("aws_default_vpc",)),
)
