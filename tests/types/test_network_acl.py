"""Network ACL rule keys: what the conformance test cannot reach in moto."""

from __future__ import annotations

import pytest

from driftctl.types.network_acl import key_entry, rule_key, to_resource


def test_protocol_numbers_and_names_give_one_key() -> None:
    assert rule_key(100, "allow", "6", 443, 443, "0.0.0.0/0") == rule_key(
        100, "ALLOW", "tcp", 443, 443, "0.0.0.0/0"
    )
    assert rule_key(100, "allow", "-1", 0, 0, "::/0") == "100:allow:all:all:::/0"


def test_icmp_rules_compare_type_and_code_not_ports() -> None:
    from_state = rule_key(130, "allow", "icmp", 0, 0, "0.0.0.0/0", 3, 4)
    from_aws = to_resource(
        {
            "NetworkAclId": "acl-1",
            "Entries": [
                {
                    "RuleNumber": 130,
                    "Protocol": "1",
                    "RuleAction": "allow",
                    "Egress": False,
                    "CidrBlock": "0.0.0.0/0",
                    "IcmpTypeCode": {"Type": 3, "Code": 4},
                }
            ],
        },
        "us-east-1",
        None,
    ).attributes["ingress"]
    assert from_aws == [from_state] == ["130:allow:icmp:3/4:0.0.0.0/0"]


def test_the_catch_all_deny_rules_are_not_compared() -> None:
    entries = [
        {"RuleNumber": n, "Protocol": "-1", "RuleAction": "deny", "Egress": e, "CidrBlock": c}
        for n, c in ((32767, "0.0.0.0/0"), (32768, "::/0"))
        for e in (False, True)
    ]
    acl = to_resource({"NetworkAclId": "acl-1", "Entries": entries}, "us-east-1", None)  # type: ignore[typeddict-item]
    assert acl.attributes["ingress"] == acl.attributes["egress"] == []


@pytest.mark.parametrize(
    "key",
    [
        "100:allow:tcp:443:0.0.0.0/0",
        "110:deny:udp:1024-2048:10.0.0.0/8",
        "120:allow:tcp:all:::/0",
        "130:allow:icmp:3/4:0.0.0.0/0",
        "140:allow:icmpv6:-1/-1:2001:db8::/32",
        "150:allow:all:all:0.0.0.0/0",
    ],
)
def test_a_reverted_rule_is_created_with_exactly_its_key(key: str) -> None:
    # The request a revert sends reads back as the same key (ICMP and IPv6: moto cannot tell).
    request = key_entry("acl-1", False, key)
    aws_entry = {k: v for k, v in request.items() if k != "NetworkAclId"}
    acl = to_resource({"NetworkAclId": "acl-1", "Entries": [aws_entry]}, "us-east-1", None)
    assert acl.attributes["ingress"] == [key]
