"""On-demand prices and the monthly cost impact of a drift (SPEC §4 ``cost_impact_monthly``).

Prices come from a table that ships with the package (``driftctl/data/prices.json``, stamped with
its as-of date and source) so cost estimates work offline. ``price_refresh.refresh_price_table``
builds a newer copy from the AWS Price List API and writes it into a cache directory;
``load_price_table`` prefers that copy while it is valid. Each resource type estimates its own
cost (``ResourceSpec.cost``) with ``Pricer``. An unknown instance type, DB class or region is
never guessed: its cost impact is 0 with an "unknown price" note.

Prices are Linux, shared tenancy, on-demand, USD per hour; RDS classes are PostgreSQL Single-AZ /
Multi-AZ, RDS storage is gp2 per GB-month (a Multi-AZ standby stores a second copy, so it counts
twice). Monthly figures use the table's ``hours_per_month`` (730).

The table's ``source`` says where its prices come from as a whole; the optional ``sources`` object
names the source of each section's prices per region (``sources.rds["eu-west-1"]``), because not
every region comes from the same copy of the AWS price list. A region without an entry there has
the table's ``source``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from driftctl.domain import DriftType
from driftctl.errors import InternalError

logger = logging.getLogger(__name__)

PRICES_FILENAME = "prices.json"
REFRESHED_SOURCE = "AWS Price List API"
RDS_ENGINE = "PostgreSQL"
_CENT = Decimal("0.01")
# The sections of prices.json that are keyed by region, as named in its ``sources`` object.
SECTIONS = ("ec2", "rds", "rds_storage_gp2_gb_month")


@dataclass(frozen=True)
class PriceTable:
    """On-demand prices per region, with the date and source they were taken from."""

    as_of: str
    source: str
    currency: str
    hours_per_month: float
    ec2: Mapping[str, Mapping[str, float]]
    rds_single_az: Mapping[str, Mapping[str, float]]
    rds_multi_az: Mapping[str, Mapping[str, float]]
    rds_storage_gp2_gb_month: Mapping[str, float]
    # "bundled", or the path of the refreshed copy it was read from.
    origin: str = "bundled"
    # section (one of SECTIONS) -> region -> where that region's prices come from.
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def source_for(self, section: str, region: str) -> str:
        """Return where a section's prices for a region come from (the table's source unless
        ``sources`` names another)."""
        return self.sources.get(section, {}).get(region, self.source)

    def section_regions(self, section: str) -> list[str]:
        """Return the regions a section (one of SECTIONS) has at least one price for, sorted."""
        if section == "ec2":
            return sorted(r for r, prices in self.ec2.items() if prices)
        if section == "rds":
            return sorted(
                r
                for r in set(self.rds_single_az) | set(self.rds_multi_az)
                if self.rds_single_az.get(r) or self.rds_multi_az.get(r)
            )
        return sorted(self.rds_storage_gp2_gb_month)

    def ec2_hourly(self, instance_type: str, region: str) -> float | None:
        """Return the hourly price of an EC2 instance type in a region, or None if unknown."""
        return self.ec2.get(region, {}).get(instance_type)

    def rds_hourly(self, instance_class: str, region: str, multi_az: bool) -> float | None:
        """Return the hourly price of an RDS DB instance class in a region, or None if unknown."""
        prices = self.rds_multi_az if multi_az else self.rds_single_az
        return prices.get(region, {}).get(instance_class)

    def rds_storage_month(self, region: str) -> float | None:
        """Return the Single-AZ gp2 storage price per GB-month in a region, or None if unknown."""
        return self.rds_storage_gp2_gb_month.get(region)

    def regions(self) -> list[str]:
        """Return every region that has at least one price, sorted."""
        return sorted(
            set(self.ec2)
            | set(self.rds_single_az)
            | set(self.rds_multi_az)
            | set(self.rds_storage_gp2_gb_month)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the table in the ``prices.json`` file format."""
        rds_regions = sorted(set(self.rds_single_az) | set(self.rds_multi_az))
        data: dict[str, Any] = {
            "as_of": self.as_of,
            "source": self.source,
            "currency": self.currency,
            "hours_per_month": _plain_number(self.hours_per_month),
            "rds_engine": RDS_ENGINE,
            "ec2": {region: dict(self.ec2[region]) for region in sorted(self.ec2)},
            "rds": {
                region: {
                    "single_az": dict(self.rds_single_az.get(region, {})),
                    "multi_az": dict(self.rds_multi_az.get(region, {})),
                }
                for region in rds_regions
            },
            "rds_storage_gp2_gb_month": dict(sorted(self.rds_storage_gp2_gb_month.items())),
        }
        # Written only when present, so a table without per-region sources keeps its old shape.
        if any(self.sources.values()):
            data["sources"] = {
                section: dict(sorted(self.sources[section].items()))
                for section in SECTIONS
                if self.sources.get(section)
            }
        return data

    @classmethod
    def from_dict(cls, data: Any, *, origin: str = "bundled") -> PriceTable:
        """Build a table from the ``prices.json`` format; raises ValueError if it is malformed."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        as_of = data.get("as_of")
        if not isinstance(as_of, str):
            raise ValueError("as_of is missing")
        date.fromisoformat(as_of)  # raises ValueError on a bad date
        source = data.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ValueError("source is missing")
        if data.get("currency") != "USD":
            raise ValueError("currency is not USD")
        hours = _positive(data.get("hours_per_month"), "hours_per_month")
        rds = _object(data.get("rds", {}), "rds")
        single: dict[str, dict[str, float]] = {}
        multi: dict[str, dict[str, float]] = {}
        for region, options in rds.items():
            options = _object(options, f"rds.{region}")
            single[region] = _prices(options.get("single_az", {}), f"rds.{region}.single_az")
            multi[region] = _prices(options.get("multi_az", {}), f"rds.{region}.multi_az")
        return cls(
            as_of=as_of,
            source=source,
            currency="USD",
            hours_per_month=hours,
            ec2={
                region: _prices(types, f"ec2.{region}")
                for region, types in _object(data.get("ec2", {}), "ec2").items()
            },
            rds_single_az=single,
            rds_multi_az=multi,
            rds_storage_gp2_gb_month=_prices(
                data.get("rds_storage_gp2_gb_month", {}), "rds_storage_gp2_gb_month"
            ),
            origin=origin,
            sources=_sources(data.get("sources", {})),
        )


def _sources(value: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for section, regions in _object(value, "sources").items():
        if section not in SECTIONS:
            raise ValueError(f"sources.{section} is not one of {', '.join(SECTIONS)}")
        out[section] = {}
        for region, source in _object(regions, f"sources.{section}").items():
            if not isinstance(source, str) or not source.strip():
                raise ValueError(f"sources.{section}.{region} is not a non-empty string")
            out[section][region] = source
    return out


def _plain_number(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} is not an object")
    return value


def _positive(value: Any, where: str) -> float:
    # bool is an int subclass; `true` is not a price.
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{where} is not a positive number")
    return float(value)


def _prices(value: Any, where: str) -> dict[str, float]:
    return {key: _positive(price, f"{where}.{key}") for key, price in _object(value, where).items()}


@lru_cache(maxsize=1)
def bundled_price_table() -> PriceTable:
    """Return the price table shipped with driftctl; raises InternalError if it is damaged."""
    try:
        text = resources.files("driftctl.data").joinpath(PRICES_FILENAME).read_text("utf-8")
        return PriceTable.from_dict(json.loads(text))
    except (OSError, ValueError) as exc:
        raise InternalError(f"the bundled price table is damaged: {exc}") from exc


def load_price_table(cache_dir: Path | None = None) -> PriceTable:
    """Return the refreshed table in cache_dir if it is valid, else the bundled one; never raises
    for a bad cache file (it is logged and ignored)."""
    if cache_dir is not None:
        path = cache_dir / PRICES_FILENAME
        if path.exists():
            try:
                return PriceTable.from_dict(json.loads(path.read_text("utf-8")), origin=str(path))
            except (OSError, ValueError) as exc:
                logger.warning(
                    "ignoring the refreshed price table %s (%s); using the bundled prices of %s",
                    path,
                    exc,
                    bundled_price_table().as_of,
                )
    return bundled_price_table()


# --- cost impact -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostImpact:
    """Estimated monthly cost difference of one drift (actual minus expected)."""

    # USD per month, 2 decimals: positive = extra cost, negative = saving.
    monthly_delta: float
    # True when a price was not in the table: monthly_delta is then 0, not a guess.
    unknown: bool = False
    note: str = ""

    @property
    def monthly_abs(self) -> float:
        """The absolute delta, as stored in the ``cost_impact_monthly`` column."""
        return abs(self.monthly_delta)


def cost_delta(
    resource_type: str,
    region: str,
    drift_type: str,
    expected: Mapping[str, Any] | None,
    actual: Mapping[str, Any] | None,
    *,
    table: PriceTable | None = None,
) -> CostImpact:
    """Estimate the monthly cost impact of a drift from canonical attribute dicts, with the
    estimator its resource type declares (0 for types without one); raises ValueError for a
    drift_type that is not a DriftType value."""
    from driftctl.types import registry
    from driftctl.types.spec import CostQuery

    kind = DriftType(drift_type)
    spec = registry.get(resource_type)
    if spec is None or spec.cost is None:
        return CostImpact(0.0)
    prices = table if table is not None else bundled_price_table()
    return spec.cost(CostQuery(region, kind.value, expected or {}, actual or {}, prices))


class Pricer:
    """Collects monthly amounts and the prices it could not find for one estimate (the type
    modules' cost estimators use it)."""

    def __init__(self, table: PriceTable, region: str) -> None:
        self.table = table
        self.region = region
        self.hours = Decimal(str(table.hours_per_month))
        self.missing: list[str] = []

    def ec2_month(self, instance_type: str | None) -> Decimal:
        hourly = self.table.ec2_hourly(instance_type, self.region) if instance_type else None
        return self._month(hourly, instance_type or "an instance without a type", self.hours)

    def rds_month(self, instance_class: str | None, multi_az: bool) -> Decimal:
        hourly = (
            self.table.rds_hourly(instance_class, self.region, multi_az) if instance_class else None
        )
        what = instance_class or "a DB instance without a class"
        return self._month(hourly, f"{what} (Multi-AZ)" if multi_az else what, self.hours)

    def storage_month(self, gigabytes: int, multi_az: bool) -> Decimal:
        per_gb = self.table.rds_storage_month(self.region)
        copies = 2 if multi_az else 1
        return self._month(per_gb, "RDS gp2 storage", Decimal(gigabytes * copies))

    def _month(self, price: float | None, what: str, quantity: Decimal) -> Decimal:
        if price is None:
            self.missing.append(what)
            return Decimal(0)
        return Decimal(str(price)) * quantity

    def result(self, amount: Decimal, description: str) -> CostImpact:
        if self.missing:
            unknown = ", ".join(dict.fromkeys(self.missing))
            return CostImpact(
                0.0, unknown=True, note=f"unknown price for {unknown} in {self.region}"
            )
        rounded = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
        note = f"{description} in {self.region} (on-demand prices as of {self.table.as_of})"
        # `+ 0` turns a rounded -0.00 into 0.0.
        return CostImpact(float(rounded) + 0.0, unknown=False, note=note)
