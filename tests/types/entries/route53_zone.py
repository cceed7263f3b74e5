"""Conformance entry of ROUTE53_ZONE (fixture: route53_zone.tfstate)."""

from __future__ import annotations

from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._copies import copies, replace_all
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "ROUTE53_ZONE"
FIXTURE = "route53_zone.tfstate"

PUBLIC = "aws_route53_zone.public"
PRIVATE = "aws_route53_zone.internal"


def _tag(account: Account, zone_id: str, key: str, value: str) -> None:
    account.client("route53").change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=zone_id, AddTags=[{"Key": key, "Value": value}]
    )


def _comment(account: Account) -> None:
    account.client("route53").update_hosted_zone_comment(
        Id=account.ids[PUBLIC], Comment="changed in the console"
    )


def _another_vpc(account: Account) -> None:
    vpc = account.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    account.client("route53").associate_vpc_with_hosted_zone(
        HostedZoneId=account.ids[PRIVATE], VPC={"VPCRegion": "us-east-1", "VPCId": vpc}
    )


def _delete_public(account: Account) -> None:
    account.client("route53").delete_hosted_zone(Id=account.ids[PUBLIC])


def _console_zone(account: Account) -> str:
    zone = account.client("route53").create_hosted_zone(
        Name="scratch.example.org", CallerReference="conformance-scratch"
    )["HostedZone"]
    return str(zone["Id"]).rsplit("/", 1)[-1]


def _rename(number: int, attrs: dict[str, Any]) -> dict[str, Any]:
    zone = str(attrs["zone_id"])
    return replace_all(
        attrs,
        [
            (zone, f"{zone[:-6]}{number:06d}"),
            (f'"{attrs["name"]}"', f'"z{number}.{attrs["name"]}"'),
        ],
    )


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's hosted zones."""
    return copies(FIXTURE, ["aws_route53_zone"], n, _rename)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, PUBLIC),
        tag_mutation(_tag, PRIVATE, key="Environment"),
        Mutation("comment changed", _comment, PUBLIC, "comment", "warning"),
        Mutation("another VPC associated", _another_vpc, PRIVATE, "vpcs[*]", "warning"),
        Mutation("created in the console", _console_zone, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete_public, PUBLIC, "", "warning", "missing"),
    ),
    estate=estate,
)
