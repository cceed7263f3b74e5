"""Conformance entry of NAT_GATEWAY (fixture: nat_gateway.tfstate)."""

from __future__ import annotations

from collections.abc import Callable

from tests.types.entries._common import tag_mutation
from tests.types.entries._net_estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "NAT_GATEWAY"

PUBLIC = "aws_nat_gateway.public[0]"
INTERNAL = "aws_nat_gateway.internal"


def _delete(address: str) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        # moto keeps the gateway listed in state "deleted", as AWS does for about an hour.
        account.client("ec2").delete_nat_gateway(NatGatewayId=account.ids[address])

    return apply


def _console_gateway(kind: str) -> Callable[[Account], str]:
    def apply(account: Account) -> str:
        ec2 = account.client("ec2")
        extra = {}
        if kind == "public":
            extra["AllocationId"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
        gateway = ec2.create_nat_gateway(
            SubnetId=account.attributes(PUBLIC)["subnet_id"], ConnectivityType=kind, **extra
        )["NatGateway"]
        return str(gateway["NatGatewayId"])

    return apply


ENTRY = Entry(
    fixture="nat_gateway.tfstate",
    mutations=(
        tag_mutation("ec2", PUBLIC),
        tag_mutation("ec2", INTERNAL, key="Name", value="renamed-in-the-console"),
        Mutation(
            "deleted (listed as deleted)", _delete(INTERNAL), INTERNAL, "", "warning", "missing"
        ),
        Mutation(
            "public one created in the console",
            _console_gateway("public"),
            None,
            "",
            "info",
            "unmanaged",
        ),
        Mutation(
            "private one created in the console",
            _console_gateway("private"),
            None,
            "",
            "info",
            "unmanaged",
        ),
    ),
    estate=copies("nat_gateway.tfstate", ("aws_nat_gateway", "aws_eip")),
)
