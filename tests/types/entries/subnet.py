"""Conformance entry of SUBNET (fixture: subnet.tfstate)."""

from __future__ import annotations

from collections.abc import Callable

from tests.types.entries._common import tag_mutation
from tests.types.entries._net_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "SUBNET"

PUBLIC = "module.network.aws_subnet.public"
PRIVATE_A = "module.network.aws_subnet.private[0]"
PRIVATE_B = "module.network.aws_subnet.private[1]"
DEFAULT = "aws_default_subnet.default_az1"


def _attribute(address: str, **setting: object) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("ec2").modify_subnet_attribute(SubnetId=account.ids[address], **setting)

    return apply


def _delete_private_b(account: Account) -> None:
    account.client("ec2").delete_subnet(SubnetId=account.ids[PRIVATE_B])


def _console_subnet(account: Account) -> str:
    vpc = account.attributes(PUBLIC)["vpc_id"]
    subnet = account.client("ec2").create_subnet(
        VpcId=vpc, CidrBlock="10.40.99.0/24", AvailabilityZone="us-east-1c"
    )["Subnet"]
    return str(subnet["SubnetId"])


def _default_subnets(account: Account) -> list[str]:
    found = account.client("ec2").describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}]
    )["Subnets"]
    return [s["SubnetId"] for s in found]


ENTRY = Entry(
    fixture="subnet.tfstate",
    mutations=(
        tag_mutation("ec2", PUBLIC),
        Mutation(
            "public IPs on launch in a private subnet",
            _attribute(PRIVATE_A, MapPublicIpOnLaunch={"Value": True}),
            PRIVATE_A,
            "map_public_ip_on_launch",
            "critical",
        ),
        Mutation(
            "public IPs on launch turned off",
            _attribute(PUBLIC, MapPublicIpOnLaunch={"Value": False}),
            PUBLIC,
            "map_public_ip_on_launch",
            "warning",
        ),
        Mutation(
            "IPv6 addresses on creation",
            _attribute(DEFAULT, AssignIpv6AddressOnCreation={"Value": True}),
            DEFAULT,
            "assign_ipv6_address_on_creation",
            "warning",
        ),
        tag_mutation("ec2", PUBLIC, key="kubernetes.io/role/elb", value="0"),
        Mutation("deleted", _delete_private_b, PRIVATE_B, "", "warning", "missing"),
        Mutation("created in the console", _console_subnet, None, "", "info", "unmanaged"),
    ),
    aws_owned=_default_subnets,
    estate=copies("subnet.tfstate", once=("aws_default_subnet",)),
)
