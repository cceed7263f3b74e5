"""Hourly prices of Elastic Load Balancing load balancers (application, network, gateway).

A table of its own, ``driftctl/data/load_balancer_prices.json``, beside the main price table: the
load balancer-hour only, per type and region. Capacity units (LCU, NLCU, GLCU) are billed on top
by usage and are not estimated. A type or region the table does not list has no price (never a
guess). ``driftctl pricing refresh`` does not update this table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from driftctl.errors import InternalError

FILENAME = "load_balancer_prices.json"


@dataclass(frozen=True)
class LoadBalancerPrices:
    """USD per load balancer-hour, by load balancer type and region."""

    as_of: str
    source: str
    hourly: Mapping[str, Mapping[str, float]]

    def hourly_price(self, load_balancer_type: str, region: str) -> float | None:
        """The hourly price of one load balancer of this type in ``region``, or None."""
        return self.hourly.get(load_balancer_type, {}).get(region)

    @classmethod
    def from_dict(cls, data: Any) -> LoadBalancerPrices:
        """Build the table from its JSON form; raises ValueError if it is malformed."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        as_of, source = data.get("as_of"), data.get("source")
        if not isinstance(as_of, str):
            raise ValueError("as_of is missing")
        date.fromisoformat(as_of)
        if not isinstance(source, str) or not source.strip():
            raise ValueError("source is missing")
        if data.get("currency") != "USD":
            raise ValueError("currency is not USD")
        hourly = data.get("hourly")
        if not isinstance(hourly, dict):
            raise ValueError("hourly is not an object")
        table: dict[str, dict[str, float]] = {}
        for kind, regions in hourly.items():
            if not isinstance(regions, dict):
                raise ValueError(f"hourly.{kind} is not an object")
            table[kind] = {}
            for region, price in regions.items():
                if isinstance(price, bool) or not isinstance(price, int | float) or price <= 0:
                    raise ValueError(f"hourly.{kind}.{region} is not a positive number")
                table[kind][region] = float(price)
        return cls(as_of=as_of, source=source, hourly=table)


@lru_cache(maxsize=1)
def load_balancer_prices() -> LoadBalancerPrices:
    """The bundled load balancer price table; raises InternalError if it is damaged."""
    try:
        text = resources.files("driftctl.data").joinpath(FILENAME).read_text("utf-8")
        return LoadBalancerPrices.from_dict(json.loads(text))
    except (OSError, ValueError) as exc:
        raise InternalError(f"the bundled load balancer price table is damaged: {exc}") from exc
