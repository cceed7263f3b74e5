"""On-demand prices and the monthly cost impact of a drift (SPEC §4 ``cost_impact_monthly``).

Prices come from a table that ships with the package (``driftctl/data/prices.json``, stamped with
its as-of date and source) so cost estimates work offline. ``refresh_price_table`` builds a newer
copy from the AWS Price List API and writes it into a cache directory; ``load_price_table`` prefers
that copy while it is valid. An unknown instance type, DB class or region is never guessed: its
cost impact is 0 with an "unknown price" note.

Prices are Linux, shared tenancy, on-demand, USD per hour; RDS classes are PostgreSQL Single-AZ /
Multi-AZ, RDS storage is gp2 per GB-month (a Multi-AZ standby stores a second copy, so it counts
twice). Monthly figures use the table's ``hours_per_month`` (730).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from driftctl.domain import DriftType, ResourceType
from driftctl.errors import ExternalServiceError, InternalError, ValidationError

if TYPE_CHECKING:
    from mypy_boto3_pricing.client import PricingClient
    from mypy_boto3_pricing.type_defs import FilterTypeDef

logger = logging.getLogger(__name__)

PRICES_FILENAME = "prices.json"
REFRESHED_SOURCE = "AWS Price List API"
RDS_ENGINE = "PostgreSQL"

# The Price List API is served from a few endpoints only; us-east-1 answers for every region.
_PRICING_API_REGION = "us-east-1"
_PAGE_SIZE = 100
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_CENT = Decimal("0.01")

SessionFactory = Callable[[], boto3.session.Session]


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
        return {
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
        )


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
    """Estimate the monthly cost impact of a drift from canonical attribute dicts; raises
    ValueError for a drift_type that is not a DriftType value."""
    kind = DriftType(drift_type)
    prices = table if table is not None else bundled_price_table()
    if resource_type == ResourceType.EC2:
        return _ec2_delta(prices, region, kind, expected or {}, actual or {})
    if resource_type == ResourceType.RDS:
        return _rds_delta(prices, region, kind, expected or {}, actual or {})
    return CostImpact(0.0)


class _Pricer:
    """Collects monthly amounts and the prices it could not find for one estimate."""

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


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _ec2_delta(
    table: PriceTable,
    region: str,
    kind: DriftType,
    expected: Mapping[str, Any],
    actual: Mapping[str, Any],
) -> CostImpact:
    pricer = _Pricer(table, region)
    if kind is DriftType.UNMANAGED:
        instance_type = _text(actual.get("instance_type"))
        return pricer.result(pricer.ec2_month(instance_type), f"unmanaged {instance_type}")
    if kind is DriftType.MISSING:
        instance_type = _text(expected.get("instance_type"))
        return pricer.result(-pricer.ec2_month(instance_type), f"missing {instance_type}")
    before = _text(expected.get("instance_type"))
    after = _text(actual.get("instance_type"))
    # Absent from the expected side: IaC does not manage the type, so it cannot have drifted.
    if before is None or before == after:
        return CostImpact(0.0)
    amount = pricer.ec2_month(after) - pricer.ec2_month(before)
    return pricer.result(amount, f"{before} -> {after}")


@dataclass(frozen=True)
class _RdsShape:
    instance_class: str | None
    multi_az: bool
    storage_gb: int | None


def _gigabytes(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


def _rds_shape(attributes: Mapping[str, Any], fallback: Mapping[str, Any]) -> _RdsShape:
    # A key the expected side leaves out is not managed by IaC: it takes the actual value, so
    # it adds no cost difference.
    def pick(key: str) -> Any:
        value = attributes.get(key)
        return fallback.get(key) if value is None else value

    return _RdsShape(
        instance_class=_text(pick("instance_class")),
        multi_az=pick("multi_az") is True,
        storage_gb=_gigabytes(pick("allocated_storage")),
    )


def _rds_full_month(pricer: _Pricer, shape: _RdsShape) -> Decimal:
    amount = pricer.rds_month(shape.instance_class, shape.multi_az)
    if shape.storage_gb is not None:
        amount += pricer.storage_month(shape.storage_gb, shape.multi_az)
    return amount


def _rds_describe(shape: _RdsShape) -> str:
    parts = [shape.instance_class or "DB instance"]
    if shape.multi_az:
        parts.append("Multi-AZ")
    if shape.storage_gb is not None:
        parts.append(f"{shape.storage_gb} GB")
    return " ".join(parts)


def _rds_delta(
    table: PriceTable,
    region: str,
    kind: DriftType,
    expected: Mapping[str, Any],
    actual: Mapping[str, Any],
) -> CostImpact:
    pricer = _Pricer(table, region)
    if kind is DriftType.UNMANAGED:
        shape = _rds_shape(actual, {})
        return pricer.result(_rds_full_month(pricer, shape), f"unmanaged {_rds_describe(shape)}")
    if kind is DriftType.MISSING:
        shape = _rds_shape(expected, {})
        return pricer.result(-_rds_full_month(pricer, shape), f"missing {_rds_describe(shape)}")

    before = _rds_shape(expected, actual)
    after = _rds_shape(actual, {})
    amount = Decimal(0)
    changes: list[str] = []
    # Price only the parts that changed, so an unknown class does not hide a known storage delta.
    if (before.instance_class, before.multi_az) != (after.instance_class, after.multi_az):
        amount += pricer.rds_month(after.instance_class, after.multi_az)
        amount -= pricer.rds_month(before.instance_class, before.multi_az)
        if before.instance_class != after.instance_class:
            changes.append(f"{before.instance_class} -> {after.instance_class}")
        if before.multi_az != after.multi_az:
            changes.append("Multi-AZ on" if after.multi_az else "Multi-AZ off")
    if (
        before.storage_gb is not None
        and after.storage_gb is not None
        and (before.storage_gb, before.multi_az) != (after.storage_gb, after.multi_az)
    ):
        amount += pricer.storage_month(after.storage_gb, after.multi_az)
        amount -= pricer.storage_month(before.storage_gb, before.multi_az)
        if before.storage_gb != after.storage_gb:
            changes.append(f"storage {before.storage_gb} -> {after.storage_gb} GB")
    if not changes:
        return CostImpact(0.0)
    return pricer.result(amount, ", ".join(changes))


# --- refresh from the AWS Price List API -------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    """What a price refresh wrote: the file, the regions asked for and how many prices came back."""

    path: Path
    as_of: str
    regions: tuple[str, ...]
    ec2_prices: int
    rds_prices: int
    storage_prices: int
    table: PriceTable


def refresh_price_table(
    session_factory: SessionFactory,
    cache_dir: Path,
    regions: Iterable[str] | None = None,
    *,
    today: date | None = None,
) -> RefreshResult:
    """Fetch current on-demand prices for regions (default: those of the current table) and write
    them atomically to cache_dir; raises ValidationError for a bad region name or an unwritable
    cache_dir, ExternalServiceError when AWS cannot be reached, refuses us or returns no price."""
    base = load_price_table(cache_dir)
    wanted = tuple(dict.fromkeys(regions or ())) or tuple(base.regions())
    bad = [region for region in wanted if not _REGION_RE.match(region)]
    if bad:
        raise ValidationError(f"not an AWS region name: {', '.join(bad)}")

    ec2 = {region: dict(prices) for region, prices in base.ec2.items()}
    single = {region: dict(prices) for region, prices in base.rds_single_az.items()}
    multi = {region: dict(prices) for region, prices in base.rds_multi_az.items()}
    storage = dict(base.rds_storage_gp2_gb_month)
    counts = {"ec2": 0, "rds": 0, "storage": 0}
    try:
        client = session_factory().client(
            "pricing",
            region_name=_PRICING_API_REGION,
            config=Config(
                retries={"mode": "adaptive", "max_attempts": 5},
                connect_timeout=10,
                read_timeout=60,
            ),
        )
        for region in wanted:
            found = _fetch_ec2(client, region)
            ec2.setdefault(region, {}).update(found)
            counts["ec2"] += len(found)
            for multi_az, target in ((False, single), (True, multi)):
                found = _fetch_rds(client, region, multi_az)
                target.setdefault(region, {}).update(found)
                counts["rds"] += len(found)
            per_gb = _fetch_rds_storage(client, region)
            if per_gb is not None:
                storage[region] = per_gb
                counts["storage"] += 1
    except ClientError as exc:
        error = exc.response.get("Error", {})
        reason = f"{error.get('Code', 'error')}: {error.get('Message', '')}".strip(": ")
        message = _one_line(f"AWS Price List API refused the request: {reason}")
        raise ExternalServiceError(message) from exc
    except BotoCoreError as exc:
        raise ExternalServiceError(
            _one_line(f"could not call the AWS Price List API: {exc}")
        ) from exc

    if not any(counts.values()):
        raise ExternalServiceError(
            f"AWS Price List API returned no prices for {', '.join(wanted)}; "
            "the price table was not changed"
        )
    path = cache_dir / PRICES_FILENAME
    table = PriceTable(
        as_of=(today or date.today()).isoformat(),
        source=REFRESHED_SOURCE,
        currency="USD",
        hours_per_month=base.hours_per_month,
        ec2={region: prices for region, prices in ec2.items() if prices},
        rds_single_az={region: prices for region, prices in single.items() if prices},
        rds_multi_az={region: prices for region, prices in multi.items() if prices},
        rds_storage_gp2_gb_month=storage,
        origin=str(path),
    )
    _write_atomic(path, table.to_dict())
    return RefreshResult(
        path=path,
        as_of=table.as_of,
        regions=wanted,
        ec2_prices=counts["ec2"],
        rds_prices=counts["rds"],
        storage_prices=counts["storage"],
        table=table,
    )


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _term(field: str, value: str) -> FilterTypeDef:
    return {"Type": "TERM_MATCH", "Field": field, "Value": value}


def _products(
    client: PricingClient, service_code: str, filters: list[FilterTypeDef]
) -> Iterator[dict[str, Any]]:
    """Yield every product of a filtered GetProducts query, decoded; skips undecodable ones."""
    paginator = client.get_paginator("get_products")
    pages = paginator.paginate(
        ServiceCode=service_code,
        Filters=filters,
        FormatVersion="aws_v1",
        PaginationConfig={"PageSize": _PAGE_SIZE},
    )
    for page in pages:
        for item in page.get("PriceList", []):
            try:
                product = json.loads(item)
            except ValueError:
                logger.debug("skipping a %s price list entry that is not JSON", service_code)
                continue
            if isinstance(product, dict):
                yield product


def _attributes(product: Mapping[str, Any]) -> dict[str, Any]:
    attributes = product.get("product", {}).get("attributes", {})
    return attributes if isinstance(attributes, dict) else {}


def _on_demand_usd(product: Mapping[str, Any]) -> float | None:
    """Return the first positive on-demand USD price of a product, if it has one."""
    terms = product.get("terms", {}).get("OnDemand", {})
    if not isinstance(terms, dict):
        return None
    for term in terms.values():
        dimensions = term.get("priceDimensions", {}) if isinstance(term, dict) else {}
        for dimension in dimensions.values() if isinstance(dimensions, dict) else ():
            try:
                price = float(dimension["pricePerUnit"]["USD"])
            except (KeyError, TypeError, ValueError):
                continue
            if price > 0:
                return price
    return None


def _in_region_proper(attributes: Mapping[str, Any]) -> bool:
    # Local Zones, Wavelength and Outposts are priced apart from the region itself.
    return bool(attributes.get("locationType", "AWS Region") == "AWS Region")


def _fetch_ec2(client: PricingClient, region: str) -> dict[str, float]:
    filters = [
        _term("operatingSystem", "Linux"),
        _term("tenancy", "Shared"),
        _term("preInstalledSw", "NA"),
        _term("capacitystatus", "Used"),
        _term("regionCode", region),
    ]
    found: dict[str, float] = {}
    for product in _products(client, "AmazonEC2", filters):
        attributes = _attributes(product)
        instance_type = attributes.get("instanceType")
        price = _on_demand_usd(product)
        if (
            isinstance(instance_type, str)
            and price is not None
            and _in_region_proper(attributes)
            and attributes.get("marketoption", "OnDemand") == "OnDemand"
        ):
            found.setdefault(instance_type, price)
    return found


def _fetch_rds(client: PricingClient, region: str, multi_az: bool) -> dict[str, float]:
    filters = [
        _term("productFamily", "Database Instance"),
        _term("databaseEngine", RDS_ENGINE),
        _term("deploymentOption", "Multi-AZ" if multi_az else "Single-AZ"),
        _term("regionCode", region),
    ]
    found: dict[str, float] = {}
    for product in _products(client, "AmazonRDS", filters):
        attributes = _attributes(product)
        instance_class = attributes.get("instanceType")
        price = _on_demand_usd(product)
        if isinstance(instance_class, str) and price is not None and _in_region_proper(attributes):
            found.setdefault(instance_class, price)
    return found


def _fetch_rds_storage(client: PricingClient, region: str) -> float | None:
    filters = [
        _term("productFamily", "Database Storage"),
        _term("deploymentOption", "Single-AZ"),
        _term("regionCode", region),
    ]
    for product in _products(client, "AmazonRDS", filters):
        attributes = _attributes(product)
        # e.g. "RDS:GP2-Storage" in us-east-1, "EUC1-RDS:GP2-Storage" elsewhere.
        usage_type = attributes.get("usagetype", "")
        if isinstance(usage_type, str) and usage_type.endswith("RDS:GP2-Storage"):
            price = _on_demand_usd(product)
            if price is not None:
                return price
    return None


def _write_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".prices-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ValidationError(
            f"cannot write the price table to {path.parent}: {exc.strerror}"
        ) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise ValidationError(f"cannot write the price table to {path}: {exc.strerror}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
