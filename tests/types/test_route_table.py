"""ROUTE_TABLE traps the conformance test cannot reach (moto does not make these routes)."""

from __future__ import annotations

from typing import Any

import pytest

from driftctl.iac.instance import StateInstance
from driftctl.types import route_table


def test_routes_that_are_not_the_tables_own_are_not_compared() -> None:
    routes: list[Any] = [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
        {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-0abc"},
        {
            "DestinationCidrBlock": "192.168.0.0/16",
            "GatewayId": "vgw-1",
            "Origin": "EnableVgwRoutePropagation",
        },
        # An instance target: AWS names the instance and its interface.
        {"DestinationCidrBlock": "10.9.0.0/16", "InstanceId": "i-1", "NetworkInterfaceId": "eni-1"},
        # A Gateway Load Balancer endpoint comes back as a gateway.
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "vpce-0def"},
    ]
    assert route_table.route_keys(routes) == ["0.0.0.0/0 -> vpce-0def", "10.9.0.0/16 -> eni-1"]


def test_state_routes_name_the_same_keys_whichever_field_holds_the_target() -> None:
    inline = StateInstance(
        {
            "attributes": {
                "route": [
                    {
                        "cidr_block": "10.9.0.0/16",
                        "gateway_id": "",
                        "network_interface_id": "eni-1",
                    },
                    {"cidr_block": "0.0.0.0/0", "gateway_id": "", "vpc_endpoint_id": "vpce-0def"},
                    {"cidr_block": "10.0.0.0/16", "gateway_id": "local"},
                ]
            }
        },
        "t#aws_route_table.x",
    )
    assert route_table.SCHEMA["routes"].read is not None
    assert route_table.SCHEMA["routes"].read(inline) == [
        "0.0.0.0/0 -> vpce-0def",
        "10.9.0.0/16 -> eni-1",
    ]
    separate = StateInstance(
        {
            "attributes": {
                "destination_cidr_block": "10.9.0.0/16",
                "instance_id": "i-1",
                "network_interface_id": "eni-1",
                "gateway_id": "",
                "route_table_id": "rtb-1",
            }
        },
        "t#aws_route.x",
    )
    assert route_table.SPEC.terraform[2].read is not None
    assert route_table.SPEC.terraform[2].read(separate) == {"routes": ["10.9.0.0/16 -> eni-1"]}


def _severity(expected_routes: list[str], actual_routes: list[str]) -> str:
    from driftctl.diff.compare import compare
    from driftctl.resources import ActualResource, ExpectedResource

    comparison = compare(
        [ExpectedResource("ROUTE_TABLE", "rtb-1", {"routes": expected_routes}, "us-east-1")],
        [ActualResource("ROUTE_TABLE", "rtb-1", "us-east-1", {"routes": actual_routes})],
        read_ok={("ROUTE_TABLE", "us-east-1")},
        default_region="us-east-1",
    )
    [finding] = comparison.findings
    return finding.severity.value


def test_an_internet_route_is_critical_only_in_a_table_iac_keeps_private() -> None:
    private = ["10.9.0.0/16 -> eni-1"]
    assert _severity(private, [*private, "::/0 -> igw-1"]) == "critical"
    assert _severity(private, [*private, "0.0.0.0/0 -> nat-1"]) == "warning"
    public = ["0.0.0.0/0 -> igw-1"]
    assert _severity(public, ["0.0.0.0/0 -> igw-2"]) == "warning"


@pytest.mark.parametrize(
    "key",
    [
        "0.0.0.0/0 -> igw-0abc",
        "::/0 -> eigw-0abc",
        "10.8.0.0/16 -> pcx-0abc",
        "pl-0abc -> tgw-0abc",
        "192.168.0.0/24 -> eni-0abc",
        "172.16.0.0/12 -> nat-0abc",
    ],
)
def test_a_reverted_route_is_created_with_exactly_its_key(key: str) -> None:
    request = route_table.route_request("rtb-1", key)
    assert request["RouteTableId"] == "rtb-1"
    aws_route: Any = {k: v for k, v in request.items() if k != "RouteTableId"}
    assert route_table.route_keys([aws_route]) == [key]


def test_a_route_without_a_target_is_never_created() -> None:
    with pytest.raises(ValueError, match="no target"):
        route_table.route_request("rtb-1", "10.0.0.0/8 -> (none)")
