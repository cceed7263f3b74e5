"""Route 53 spelling traps the conformance test cannot reach (moto does not escape names)."""

from __future__ import annotations

from driftctl.types import route53
from driftctl.types.route53_record import canonical_id, record_id, record_value, txt_text


def test_names_ignore_case_trailing_dot_and_octal_escapes() -> None:
    assert route53.dns_name("\\052.Example.COM.") == "*.example.com"
    assert route53.zone_id("/hostedzone/Z123") == route53.zone_id("Z123") == "Z123"


def test_record_ids_are_canonical_whichever_way_they_are_written() -> None:
    assert canonical_id("Z1_WWW.Example.com._A") == "Z1_www.example.com_A"
    assert canonical_id("Z1__dmarc.example.com_TXT") == "Z1__dmarc.example.com_TXT"
    assert canonical_id("Z1_api.example.com_A_blue_2") == record_id(
        "Z1", "api.example.com.", "A", "blue_2"
    )
    assert canonical_id("Z1_\\052.example.com_CNAME") == "Z1_*.example.com_CNAME"


def test_txt_values_compare_as_the_text_they_carry() -> None:
    long = "x" * 300
    split = f'"{long[:255]}" "{long[255:]}"'
    assert record_value("TXT", split) == record_value("TXT", long, from_state=True) == long
    assert record_value("TXT", f'"{long[:255]}""{long[255:]}"') == long
    # A user's own split in the state (``\"\"``) is joined the same way.
    assert record_value("TXT", 'abc""def', from_state=True) == "abcdef"
    assert txt_text('"say \\"hi\\""') == 'say "hi"'
    assert record_value("CNAME", "Docs.Example.NET.") == "docs.example.net"


def test_a_state_record_is_identified_by_its_full_name() -> None:
    from driftctl.types.route53_record import state_id

    relative = {"zone_id": "Z1", "name": "WWW", "fqdn": "www.example.com", "type": "A"}
    assert state_id({**relative, "id": "Z1_www_A"}) == "Z1_www.example.com_A"
    apex = {"zone_id": "Z1", "name": "", "fqdn": "example.com", "type": "MX", "id": "Z1__MX"}
    assert state_id(apex) == "Z1_example.com_MX"
    assert state_id({"id": "Z1_www.example.com._A_blue"}) == "Z1_www.example.com_A_blue"


def test_zones_and_records_an_aws_service_manages_are_aws_s() -> None:
    from driftctl.types import route53_record, route53_zone

    zone = {
        "Id": "/hostedzone/Z9",
        "Name": "svc.local.",
        "Config": {"PrivateZone": True},
        "LinkedService": {"ServicePrincipal": "servicediscovery.amazonaws.com"},
    }
    assert route53_zone.SPEC.is_default(route53_zone.to_resource(zone, None).attributes)
    record = {"Name": "api.svc.local.", "Type": "A", "TTL": 60, "ResourceRecords": []}
    found = route53_record.to_resource(record, zone, None)
    assert route53_record.is_default(found.attributes)
    del zone["LinkedService"]
    assert not route53_record.is_default(route53_record.to_resource(record, zone, None).attributes)
