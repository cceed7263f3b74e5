"""Hourly prices of the VPC network's billed-by-the-hour objects: NAT gateways and public IPv4
addresses (Elastic IPs).

A table of its own, ``driftctl/data/network_prices.json``, in the same shape as the load balancer
table (``hourly``: item -> region -> USD per hour), so it is read by the same parser. NAT gateway
data processing (per GB) is billed by usage and not estimated. A region the table does not list
has no price (never a guess). ``driftctl pricing refresh`` does not update this table.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from driftctl.diff.load_balancer_prices import LoadBalancerPrices
from driftctl.errors import InternalError

if TYPE_CHECKING:
    from driftctl.diff.pricing import Pricer

FILENAME = "network_prices.json"
NAT_GATEWAY = "nat_gateway"
PUBLIC_IPV4 = "public_ipv4"


@lru_cache(maxsize=1)
def network_prices() -> LoadBalancerPrices:
    """The bundled network price table; raises InternalError if it is damaged."""
    try:
        text = resources.files("driftctl.data").joinpath(FILENAME).read_text("utf-8")
        return LoadBalancerPrices.from_dict(json.loads(text))
    except (OSError, ValueError) as exc:
        raise InternalError(f"the bundled network price table is damaged: {exc}") from exc


def month(pricer: Pricer, item: str, what: str) -> Decimal:
    """A month of ``item`` (``nat_gateway``) in the pricer's region; an unknown price is noted
    on the pricer as ``what`` and counts 0."""
    hourly = network_prices().hourly_price(item, pricer.region)
    if hourly is None:
        pricer.missing.append(what)
        return Decimal(0)
    return Decimal(str(hourly)) * pricer.hours
