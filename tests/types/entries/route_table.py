"""Conformance entry of ROUTE_TABLE (fixture: route_table.tfstate)."""

from __future__ import annotations

from tests.types.entries._common import WORLD, tag_mutation
from tests.types.entries._net_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "ROUTE_TABLE"

PUBLIC = "aws_route_table.public"
PRIVATE = "aws_route_table.private"
ISOLATED = "aws_route_table.isolated"
SHARED = "aws_route_table.shared"
GATEWAY = "aws_internet_gateway.main"


def _default_route_in_private(account: Account) -> None:
    account.client("ec2").create_route(
        RouteTableId=account.ids[PRIVATE],
        DestinationCidrBlock=WORLD,
        GatewayId=account.attributes(GATEWAY)["id"],
    )


def _partner_route_deleted(account: Account) -> None:
    account.client("ec2").delete_route(
        RouteTableId=account.ids[PRIVATE], DestinationCidrBlock="203.0.113.0/24"
    )


def _ipv6_route_deleted(account: Account) -> None:
    account.client("ec2").delete_route(
        RouteTableId=account.ids[PUBLIC], DestinationIpv6CidrBlock="::/0"
    )


def _private_subnet_made_public(account: Account) -> None:
    ec2 = account.client("ec2")
    association = account.attributes("aws_route_table_association.private")["id"]
    ec2.replace_route_table_association(AssociationId=association, RouteTableId=account.ids[PUBLIC])


def _main_moved_back(account: Account) -> None:
    ec2 = account.client("ec2")
    original = account.attributes("aws_main_route_table_association.shared")
    ec2.replace_route_table_association(
        AssociationId=original["id"], RouteTableId=original["original_route_table_id"]
    )


def _delete_isolated(account: Account) -> None:
    account.client("ec2").delete_route_table(RouteTableId=account.ids[ISOLATED])


def _console_table(account: Account) -> str:
    ec2 = account.client("ec2")
    table = ec2.create_route_table(
        VpcId=account.attributes(PUBLIC)["vpc_id"],
        TagSpecifications=[
            {"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "hotfix"}]}
        ],
    )["RouteTable"]["RouteTableId"]
    return str(table)


def _main_tables(account: Account) -> list[str]:
    ec2 = account.client("ec2")
    ec2.create_vpc(CidrBlock="10.72.0.0/16")
    found = ec2.describe_route_tables(Filters=[{"Name": "association.main", "Values": ["true"]}])
    # The table AWS made main for the shared VPC, no longer main since the IaC moved it.
    left = account.attributes("aws_main_route_table_association.shared")["original_route_table_id"]
    return [t["RouteTableId"] for t in found["RouteTables"]] + [left]


ENTRY = Entry(
    fixture="route_table.tfstate",
    mutations=(
        tag_mutation("ec2", PUBLIC),
        Mutation(
            "private table routes the internet",
            _default_route_in_private,
            PRIVATE,
            f"routes[{WORLD} -> igw-*]",
            "critical",
        ),
        Mutation(
            "separate route deleted",
            _partner_route_deleted,
            PRIVATE,
            "routes[203.0.113.0/24 -> igw-*]",
            "warning",
        ),
        Mutation(
            "IPv6 default route deleted",
            _ipv6_route_deleted,
            PUBLIC,
            "routes[::/0 -> igw-*]",
            "warning",
        ),
        Mutation(
            "private subnet moved to the public table",
            _private_subnet_made_public,
            PRIVATE,
            "associations[subnet-*]",
            "warning",
        ),
        Mutation("main association moved back", _main_moved_back, SHARED, "main", "warning"),
        Mutation("deleted", _delete_isolated, ISOLATED, "", "warning", "missing"),
        Mutation("created in the console", _console_table, None, "", "info", "unmanaged"),
    ),
    aws_owned=_main_tables,
    estate=copies("route_table.tfstate"),
)
