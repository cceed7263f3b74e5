"""``driftctl pricing``: look up the prices cost impact is computed from, and refresh them.

Lookups read the same table the scanner prices drifts with: the copy refreshed into the user
cache directory when it is valid, else the table that ships with driftctl. A type or region the
table does not know is reported as an unknown price, never estimated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import boto3

from driftctl.diff.pricing import PriceTable, load_price_table
from driftctl.errors import NotFoundError, ValidationError
from driftctl.scanner.session import check_region
from driftctl.services.context import timed

SessionFactory = Callable[[], boto3.session.Session]

# EC2 types look like "t3.large", "u-6tb1.metal"; RDS classes like "db.r6g.large".
_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$")
_CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RegionPrice:
    """The on-demand price of one instance type or DB class in one region."""

    region: str
    # None only for an RDS class the table knows as Multi-AZ alone.
    hourly: Decimal | None
    monthly: Decimal | None
    # RDS only: the Multi-AZ deployment of the same class (None when unknown or for EC2).
    multi_az_hourly: Decimal | None = None
    multi_az_monthly: Decimal | None = None
    # Where this region's prices come from (the table's per-region source).
    source: str = ""


@dataclass(frozen=True)
class PriceQuote:
    """Prices of one EC2 instance type or RDS DB class, with the table they come from."""

    instance_type: str
    service: str  # "ec2" or "rds"
    prices: tuple[RegionPrice, ...]
    as_of: str
    source: str
    origin: str
    currency: str
    hours_per_month: float

    def sources(self) -> list[tuple[str, list[str]]]:
        """Each distinct source of the quoted prices with the regions it covers, in row order."""
        by_source: dict[str, list[str]] = {}
        for p in self.prices:
            by_source.setdefault(p.source or self.source, []).append(p.region)
        return list(by_source.items())

    def to_dict(self) -> dict[str, object]:
        """The ``pricing show -o json`` object (money as numbers with 2 decimals)."""
        return {
            "instance_type": self.instance_type,
            "service": self.service,
            "as_of": self.as_of,
            "source": self.source,
            "origin": self.origin,
            "currency": self.currency,
            "hours_per_month": int(self.hours_per_month)
            if self.hours_per_month.is_integer()
            else self.hours_per_month,
            "prices": [
                {
                    "region": p.region,
                    "hourly": _float(p.hourly),
                    "monthly": _float(p.monthly),
                    "multi_az_hourly": _float(p.multi_az_hourly),
                    "multi_az_monthly": _float(p.multi_az_monthly),
                    "source": p.source,
                }
                for p in self.prices
            ],
        }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@timed
def show_price(
    instance_type: str, region: str | None = None, *, cache_dir: Path | None = None
) -> PriceQuote:
    """Prices of an EC2 type or RDS class (``db.*``) in one region, or in every region the table
    has when region is None; raises ValidationError for a malformed name, NotFoundError (exit 3)
    for an unknown price."""
    name = instance_type.strip().lower()
    if not _TYPE_RE.match(name):
        raise ValidationError(
            f"invalid instance type {instance_type!r} (expected e.g. t3.large or db.t3.micro)"
        )
    if region is not None:
        check_region(region)
    from driftctl.config import user_cache_dir

    # The same table scans price drifts with: the refreshed copy when valid, else the bundled one.
    table = load_price_table(cache_dir if cache_dir is not None else user_cache_dir())
    is_rds = name.startswith("db.")
    regions = [region] if region is not None else table.regions()
    prices = [p for r in regions if (p := _region_price(table, name, r, is_rds=is_rds)) is not None]
    if not prices:
        raise _no_price(table, name, region, is_rds=is_rds)
    return PriceQuote(
        instance_type=name,
        service="rds" if is_rds else "ec2",
        prices=tuple(prices),
        as_of=table.as_of,
        source=table.source,
        origin=table.origin,
        currency=table.currency,
        hours_per_month=table.hours_per_month,
    )


def _no_price(table: PriceTable, name: str, region: str | None, *, is_rds: bool) -> NotFoundError:
    """Why there is no price: an unknown type (with the closest known one) or a region without
    bundled prices (refresh them); never a guessed number."""
    import difflib

    by_region = table.rds_single_az if is_rds else table.ec2
    known = sorted({t for prices in by_region.values() for t in prices})
    details = {"instance_type": name, "region": region, "as_of": table.as_of}
    service = "RDS" if is_rds else "EC2"
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return NotFoundError(
            f"unknown {service} {'DB class' if is_rds else 'instance type'} {name}{hint} "
            f"(price table as of {table.as_of})",
            details={**details, "did_you_mean": close[0] if close else None},
        )
    priced = sorted(r for r, prices in by_region.items() if prices)
    if region is not None and region not in priced:
        return NotFoundError(
            f"no bundled {service} prices for {region} (they cover {', '.join(priced)}); "
            f"run `driftctl pricing refresh --region {region}` to fetch them",
            details={**details, "priced_regions": priced},
        )
    return NotFoundError(
        f"unknown price for {name} in {region} (price table as of {table.as_of}; "
        f"`driftctl pricing refresh --region {region}` fetches current prices)",
        details=details,
    )


def _region_price(table: PriceTable, name: str, region: str, *, is_rds: bool) -> RegionPrice | None:
    hours = Decimal(str(table.hours_per_month))
    if not is_rds:
        hourly = table.ec2_hourly(name, region)
        if hourly is None:
            return None
        rate = Decimal(str(hourly))
        return RegionPrice(
            region=region,
            hourly=rate,
            monthly=_money(rate * hours),
            source=table.source_for("ec2", region),
        )
    single = table.rds_hourly(name, region, multi_az=False)
    multi = table.rds_hourly(name, region, multi_az=True)
    if single is None and multi is None:
        return None
    single_rate = None if single is None else Decimal(str(single))
    multi_rate = None if multi is None else Decimal(str(multi))
    return RegionPrice(
        region=region,
        hourly=single_rate,
        monthly=None if single_rate is None else _money(single_rate * hours),
        multi_az_hourly=multi_rate,
        multi_az_monthly=None if multi_rate is None else _money(multi_rate * hours),
        source=table.source_for("rds", region),
    )


# --- refresh ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceChange:
    """One price that a refresh added or changed (old is None when it is new)."""

    service: str  # "ec2", "rds", "rds-multi-az" or "rds-storage"
    region: str
    name: str
    old: float | None
    new: float


@dataclass(frozen=True)
class RefreshSummary:
    """What ``pricing refresh`` wrote: where, as of when, and which prices it added or changed."""

    path: Path
    as_of: str
    previous_as_of: str
    source: str
    regions: tuple[str, ...]
    ec2_prices: int
    rds_prices: int
    storage_prices: int
    changes: tuple[PriceChange, ...] = field(default_factory=tuple)

    @property
    def added(self) -> int:
        """How many prices the table did not have before."""
        return sum(1 for c in self.changes if c.old is None)

    @property
    def changed(self) -> int:
        """How many known prices now have another value."""
        return sum(1 for c in self.changes if c.old is not None)

    def to_dict(self) -> dict[str, object]:
        """The ``pricing refresh -o json`` object."""
        return {
            "path": str(self.path),
            "as_of": self.as_of,
            "previous_as_of": self.previous_as_of,
            "source": self.source,
            "regions": list(self.regions),
            "fetched": {
                "ec2": self.ec2_prices,
                "rds": self.rds_prices,
                "rds_storage": self.storage_prices,
            },
            "added": self.added,
            "changed": self.changed,
            "changes": [
                {
                    "service": c.service,
                    "region": c.region,
                    "name": c.name,
                    "old": c.old,
                    "new": c.new,
                }
                for c in self.changes
            ],
        }


def session_factory_for(profile: str | None) -> SessionFactory:
    """A factory of boto3 sessions for ``--profile`` (the standard credential chain when None);
    the session is built on first call, which raises ValidationError for an unknown profile."""

    def factory() -> boto3.session.Session:
        from driftctl.scanner.session import build_session

        return build_session(profile=profile).boto3_session

    return factory


@timed
def refresh_prices(
    regions: Iterable[str] | None = None,
    *,
    profile: str | None = None,
    session_factory: SessionFactory | None = None,
    cache_dir: Path | None = None,
    today: date | None = None,
) -> RefreshSummary:
    """Fetch current prices from the AWS Price List API into the user cache directory; raises
    ValidationError (bad region, unknown profile, unwritable cache) or ExternalServiceError (AWS
    unreachable or refusing: nothing is written then)."""
    from driftctl.config import user_cache_dir
    from driftctl.files import private_dir

    wanted = list(dict.fromkeys(regions or ()))
    for region in wanted:
        check_region(region)
    directory = cache_dir if cache_dir is not None else user_cache_dir()
    try:
        private_dir(directory)  # 0700 whatever the umask; the table itself is written 0600
    except OSError as exc:
        raise ValidationError(
            f"cannot write the price table to {directory}: {exc.strerror}"
        ) from None
    before = load_price_table(directory)
    factory = session_factory or session_factory_for(profile)
    from driftctl.diff.price_refresh import refresh_price_table

    result = refresh_price_table(factory, directory, wanted or None, today=today)
    return RefreshSummary(
        path=result.path,
        as_of=result.as_of,
        previous_as_of=before.as_of,
        source=result.table.source,
        regions=result.regions,
        ec2_prices=result.ec2_prices,
        rds_prices=result.rds_prices,
        storage_prices=result.storage_prices,
        changes=tuple(_changes(before, result.table)),
    )


def _changes(before: PriceTable, after: PriceTable) -> list[PriceChange]:
    out: list[PriceChange] = []
    for service, old_side, new_side in (
        ("ec2", before.ec2, after.ec2),
        ("rds", before.rds_single_az, after.rds_single_az),
        ("rds-multi-az", before.rds_multi_az, after.rds_multi_az),
    ):
        for region in sorted(new_side):
            old_prices = old_side.get(region, {})
            for name, price in sorted(new_side[region].items()):
                old = old_prices.get(name)
                if old != price:
                    out.append(PriceChange(service, region, name, old, price))
    for region, price in sorted(after.rds_storage_gp2_gb_month.items()):
        old = before.rds_storage_gp2_gb_month.get(region)
        if old != price:
            out.append(PriceChange("rds-storage", region, "gp2 GB-month", old, price))
    return out
