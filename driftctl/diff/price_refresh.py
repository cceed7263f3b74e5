"""``driftctl pricing refresh``: a new price table from the AWS Price List API.

The table is written atomically into the user cache directory, where ``pricing.load_price_table``
prefers it to the bundled one while it is valid. Each region keeps a source (``sources`` in the
file): a refreshed region names the API and the date, a region that was not refreshed keeps the
source it had.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from driftctl.diff.pricing import (
    PRICES_FILENAME,
    RDS_ENGINE,
    REFRESHED_SOURCE,
    SECTIONS,
    PriceTable,
    load_price_table,
)
from driftctl.errors import ExternalServiceError, ValidationError

if TYPE_CHECKING:
    from mypy_boto3_pricing.client import PricingClient
    from mypy_boto3_pricing.type_defs import FilterTypeDef

logger = logging.getLogger(__name__)

# The Price List API is served from a few endpoints only; us-east-1 answers for every region.
_PRICING_API_REGION = "us-east-1"
_PAGE_SIZE = 100
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")

SessionFactory = Callable[[], boto3.session.Session]


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
    # section -> region -> the names AWS returned a price for (storage: the one gp2 price).
    fetched: dict[str, dict[str, set[str]]] = {section: {} for section in SECTIONS}
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
            fetched["ec2"][region] = set(found)
            fetched["rds"][region] = set()
            for multi_az, target in ((False, single), (True, multi)):
                found = _fetch_rds(client, region, multi_az)
                target.setdefault(region, {}).update(found)
                counts["rds"] += len(found)
                fetched["rds"][region] |= {_deployment(name, multi_az) for name in found}
            per_gb = _fetch_rds_storage(client, region)
            fetched["rds_storage_gp2_gb_month"][region] = set()
            if per_gb is not None:
                storage[region] = per_gb
                counts["storage"] += 1
                fetched["rds_storage_gp2_gb_month"][region] = {"gp2"}
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
    as_of = (today or date.today()).isoformat()
    table = PriceTable(
        as_of=as_of,
        source=REFRESHED_SOURCE,
        currency="USD",
        hours_per_month=base.hours_per_month,
        ec2={region: prices for region, prices in ec2.items() if prices},
        rds_single_az={region: prices for region, prices in single.items() if prices},
        rds_multi_az={region: prices for region, prices in multi.items() if prices},
        rds_storage_gp2_gb_month=storage,
        origin=str(path),
    )
    table = replace(table, sources=_sources(base, table, fetched, as_of))
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


def _deployment(instance_class: str, multi_az: bool) -> str:
    return f"{instance_class} {'Multi-AZ' if multi_az else 'Single-AZ'}"


def _priced_names(table: PriceTable, section: str, region: str) -> set[str]:
    """The names a section prices in a region, in the form ``fetched`` records them."""
    if section == "ec2":
        return set(table.ec2.get(region, {}))
    if section == "rds":
        return {_deployment(name, False) for name in table.rds_single_az.get(region, {})} | {
            _deployment(name, True) for name in table.rds_multi_az.get(region, {})
        }
    return {"gp2"} if region in table.rds_storage_gp2_gb_month else set()


def _sources(
    base: PriceTable, table: PriceTable, fetched: Mapping[str, Mapping[str, set[str]]], as_of: str
) -> dict[str, dict[str, str]]:
    """Where each region's prices come from after a refresh: the API for what it returned, the
    previous source for regions (and prices) it did not touch."""
    refreshed = f"{REFRESHED_SOURCE}, {as_of}"
    out: dict[str, dict[str, str]] = {}
    for section in SECTIONS:
        out[section] = {}
        for region in table.section_regions(section):
            got = fetched[section].get(region, set())
            if not got:
                out[section][region] = base.source_for(section, region)
            elif _priced_names(table, section, region) <= got:
                out[section][region] = refreshed
            else:
                # AWS answered for some prices only; the others are still the old ones.
                out[section][region] = (
                    f"{refreshed}; prices it did not return: {base.source_for(section, region)}"
                )
    return out


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
