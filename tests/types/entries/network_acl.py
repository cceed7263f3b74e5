"""Conformance entry of NETWORK_ACL (fixture: network_acl.tfstate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._common import WORLD, tag_mutation
from tests.types.entries._net_estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "NETWORK_ACL"

PUBLIC = "aws_network_acl.public"
PRIVATE = "aws_network_acl.private"
UNUSED = "aws_network_acl.unused"
DEFAULT = "aws_default_network_acl.default"


def _entry(
    address: str, number: int, port: int, *, replace: bool = False
) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        ec2 = account.client("ec2")
        call = ec2.replace_network_acl_entry if replace else ec2.create_network_acl_entry
        call(
            NetworkAclId=account.ids[address],
            RuleNumber=number,
            Protocol="6",
            RuleAction="allow",
            Egress=False,
            CidrBlock=WORLD,
            PortRange={"From": port, "To": port},
        )

    return apply


def _egress_narrowed(account: Account) -> None:
    account.client("ec2").replace_network_acl_entry(
        NetworkAclId=account.ids[PRIVATE],
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=True,
        CidrBlock="10.0.0.0/8",
        PortRange={"From": 443, "To": 443},
    )


def _drop_ssh_rule(account: Account) -> None:
    account.client("ec2").delete_network_acl_entry(
        NetworkAclId=account.ids[PRIVATE], RuleNumber=200, Egress=False
    )


def _association(account: Account, subnet: str) -> str:
    acls = account.client("ec2").describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["NetworkAcls"]
    return next(
        str(a["NetworkAclAssociationId"])
        for acl in acls
        for a in acl["Associations"]
        if a["SubnetId"] == subnet
    )


def _move_subnet_to_default(account: Account) -> None:
    subnet = account.attributes("aws_network_acl_association.private_b")["subnet_id"]
    account.client("ec2").replace_network_acl_association(
        AssociationId=_association(account, subnet), NetworkAclId=account.ids[DEFAULT]
    )


def _delete_unused(account: Account) -> None:
    account.client("ec2").delete_network_acl(NetworkAclId=account.ids[UNUSED])


def _console_acl(account: Account) -> str:
    vpc = account.attributes(PUBLIC)["vpc_id"]
    acl = account.client("ec2").create_network_acl(VpcId=vpc)["NetworkAcl"]
    return str(acl["NetworkAclId"])


def _default_acls(account: Account) -> list[str]:
    ec2 = account.client("ec2")
    ec2.create_vpc(CidrBlock="10.99.0.0/16")
    acls: list[Any] = ec2.describe_network_acls(Filters=[{"Name": "default", "Values": ["true"]}])[
        "NetworkAcls"
    ]
    managed = account.ids[DEFAULT]
    return [str(a["NetworkAclId"]) for a in acls if a["NetworkAclId"] != managed]


ENTRY = Entry(
    fixture="network_acl.tfstate",
    mutations=(
        Mutation(
            "SSH allowed from the internet",
            _entry(PUBLIC, 150, 22),
            PUBLIC,
            f"ingress[150:allow:tcp:22:{WORLD}]",
            "critical",
        ),
        Mutation(
            "a rule moved to a port IaC already allows from the internet",
            _entry(PUBLIC, 110, 8080, replace=True),
            PUBLIC,
            f"ingress[110:allow:tcp:8080:{WORLD}]",
            "warning",
        ),
        Mutation(
            "separate rule deleted",
            _drop_ssh_rule,
            PRIVATE,
            "ingress[200:allow:tcp:22:10.0.0.0/8]",
            "warning",
        ),
        Mutation(
            "subnet moved to the default ACL",
            _move_subnet_to_default,
            PRIVATE,
            "subnet_ids[subnet-*",
            "warning",
        ),
        Mutation(
            "RDP allowed from the internet on the default ACL",
            _entry(DEFAULT, 160, 3389),
            DEFAULT,
            f"ingress[160:allow:tcp:3389:{WORLD}]",
            "critical",
        ),
        Mutation(
            "egress narrowed to HTTPS inside the network",
            _egress_narrowed,
            PRIVATE,
            "egress[100:*",
            "warning",
        ),
        tag_mutation("ec2", PUBLIC),
        Mutation("deleted", _delete_unused, UNUSED, "", "warning", "missing"),
        Mutation("created in the console", _console_acl, None, "", "info", "unmanaged"),
    ),
    aws_owned=_default_acls,
    estate=copies(
        "network_acl.tfstate",
        ("aws_network_acl", "aws_network_acl_rule"),
        drop=("aws_network_acl_association",),
        reset={"subnet_ids": []},
    ),
)
