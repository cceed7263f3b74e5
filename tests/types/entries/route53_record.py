"""Conformance entry of ROUTE53_RECORD (fixture: route53_record.tfstate)."""

from __future__ import annotations

from typing import Any

from tests.types.entries._copies import copies, replace_all
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "ROUTE53_RECORD"
FIXTURE = "route53_record.tfstate"

WWW = "aws_route53_record.www"
DOCS = "aws_route53_record.docs"
WILDCARD = "aws_route53_record.wildcard"
API = "aws_route53_record.api_blue"
DB = "aws_route53_record.db"
PUBLIC_ZONE = "Z04417823R1Y6EXAMPLE1"
PRIVATE_ZONE = "Z08342521V4EXAMPLE2PR"


def _upsert(address: str, **changes: Any) -> Any:
    def apply(account: Account) -> None:
        attrs = account.attributes(address)
        r53 = account.client("route53")
        zone = attrs["zone_id"]
        current = next(
            rr
            for rr in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
            if rr["Name"].rstrip(".").lower() == attrs["fqdn"].lower()
            and rr["Type"] == attrs["type"]
        )
        current.update(changes)
        r53.change_resource_record_sets(
            HostedZoneId=zone,
            ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": current}]},
        )

    return apply


def _delete_docs(account: Account) -> None:
    attrs = account.attributes(DOCS)
    r53 = account.client("route53")
    current = next(
        rr
        for rr in r53.list_resource_record_sets(HostedZoneId=attrs["zone_id"])["ResourceRecordSets"]
        if rr["Type"] == "CNAME" and rr["Name"].lower().startswith("docs.")
    )
    r53.change_resource_record_sets(
        HostedZoneId=attrs["zone_id"],
        ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": current}]},
    )


def _console_record(account: Account) -> str:
    zone = account.attributes(WWW)["zone_id"]
    account.client("route53").change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": "test.example.com",
                        "Type": "A",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": "192.0.2.1"}],
                    },
                }
            ]
        },
    )
    return f"{zone}_test.example.com_A"


def _new_zone(account: Account) -> list[str]:
    zone = account.client("route53").create_hosted_zone(
        Name="owned.example.org", CallerReference="conformance-owned"
    )["HostedZone"]
    ident = str(zone["Id"]).rsplit("/", 1)[-1]
    return [f"{ident}_owned.example.org_NS", f"{ident}_owned.example.org_SOA"]


def _rename(number: int, attrs: dict[str, Any]) -> dict[str, Any]:
    # Each copy gets zones of its own (c3.example.com, c3.internal.example): a zone's records
    # stay within one ListResourceRecordSets page, as the declared minimum counts them.
    zones = [(z, f"{z[:-6]}{number:06d}") for z in (PUBLIC_ZONE, PRIVATE_ZONE)]
    names = [(d, f"c{number}.{d}") for d in ("example.com", "internal.example")]
    return replace_all(attrs, [*zones, *names])


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's zones and records."""
    return copies(FIXTURE, ["aws_route53_zone", "aws_route53_record"], n, _rename)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation(
            "public record retargeted",
            _upsert(WWW, ResourceRecords=[{"Value": "203.0.113.99"}]),
            WWW,
            "records[*]",
            "critical",
        ),
        Mutation(
            "alias retargeted",
            _upsert(
                WILDCARD,
                AliasTarget={
                    "HostedZoneId": "Z35SXDOTRQ7X7K",
                    "DNSName": "evil-1.us-east-1.elb.amazonaws.com",
                    "EvaluateTargetHealth": True,
                },
            ),
            WILDCARD,
            "alias.name",
            "critical",
        ),
        Mutation("ttl changed", _upsert(DOCS, TTL=30), DOCS, "ttl", "warning"),
        Mutation("weight changed", _upsert(API, Weight=10), API, "routing_policy", "warning"),
        Mutation(
            "private record retargeted",
            _upsert(DB, ResourceRecords=[{"Value": "other-db.internal.example"}]),
            DB,
            "records[*]",
            "warning",
        ),
        Mutation("created in the console", _console_record, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete_docs, DOCS, "", "warning", "missing"),
    ),
    aws_owned=_new_zone,
    estate=estate,
)
