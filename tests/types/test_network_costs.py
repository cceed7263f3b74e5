"""Costs of the hourly-priced network types, from their own bundled table."""

from __future__ import annotations

from driftctl.diff.network_prices import network_prices
from driftctl.diff.pricing import bundled_price_table
from driftctl.types import eip, nat_gateway
from driftctl.types.spec import CostQuery


def _query(drift_type: str, region: str = "us-east-1", **attrs: object) -> CostQuery:
    side = dict(attrs)
    return CostQuery(
        region=region,
        drift_type=drift_type,
        expected=side if drift_type == "missing" else {},
        actual=side if drift_type == "unmanaged" else {},
        table=bundled_price_table(),
    )


def test_the_table_says_where_its_prices_come_from() -> None:
    table = network_prices()
    assert "VPC pricing" in table.source
    assert table.hourly_price("nat_gateway", "us-east-1") == 0.045


def test_an_unmanaged_nat_gateway_costs_its_hours_and_a_missing_one_saves_them() -> None:
    hours = bundled_price_table().hours_per_month
    extra = nat_gateway.cost(_query("unmanaged"))
    assert extra.monthly_delta == round(0.045 * hours, 2)
    assert not extra.unknown
    assert nat_gateway.cost(_query("missing")).monthly_delta == -extra.monthly_delta
    assert nat_gateway.cost(_query("modified")).monthly_delta == 0


def test_a_region_without_a_price_is_unknown_not_guessed() -> None:
    impact = nat_gateway.cost(_query("unmanaged", region="me-central-1"))
    assert impact.unknown and impact.monthly_delta == 0
    assert "NAT gateway" in impact.note


def test_an_elastic_ip_from_an_own_pool_costs_nothing() -> None:
    assert eip.cost(_query("unmanaged", public_ipv4_pool="amazon")).monthly_delta > 0
    byoip = eip.cost(_query("unmanaged", public_ipv4_pool="ipv4pool-ec2-0123"))
    assert byoip.monthly_delta == 0 and not byoip.unknown
