"""The bundled price table and how a refreshed copy in the cache is preferred or ignored."""

from __future__ import annotations

import json
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from driftctl.diff.pricing import (
    PRICES_FILENAME,
    PriceTable,
    bundled_price_table,
    load_price_table,
)

REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
]
T_FAMILIES = ["t3", "t3a", "t4g"]
T_SIZES = ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"]
FAMILIES = ["m5", "m6i", "m6g", "m7i", "m7g", "c5", "c6i", "c7i", "c7g", "r5", "r6i", "r7i"]
BIG_SIZES = ["large", "xlarge", "2xlarge", "4xlarge"]
RDS_CLASSES = {
    "db.t3": ["micro", "small", "medium", "large", "xlarge", "2xlarge"],
    "db.t4g": ["micro", "small", "medium", "large", "xlarge", "2xlarge"],
    "db.m5": BIG_SIZES,
    "db.m6i": BIG_SIZES,
    "db.r5": BIG_SIZES,
    "db.r6i": BIG_SIZES,
}


@pytest.fixture
def raw() -> dict[str, Any]:
    path = Path(__file__).parents[2] / "driftctl" / "data" / PRICES_FILENAME
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _all_prices(data: dict[str, Any]) -> list[tuple[str, Any]]:
    out = [(f"ec2.{r}.{t}", p) for r, types in data["ec2"].items() for t, p in types.items()]
    for region, options in data["rds"].items():
        for option, classes in options.items():
            out += [(f"rds.{region}.{option}.{c}", p) for c, p in classes.items()]
    out += [(f"storage.{r}", p) for r, p in data["rds_storage_gp2_gb_month"].items()]
    return out


def test_bundled_header_tells_where_the_prices_come_from(raw: dict[str, Any]) -> None:
    date.fromisoformat(raw["as_of"])
    assert raw["source"] == (
        "AWS public on-demand price list (Linux, shared tenancy); "
        "refresh with `driftctl pricing refresh`"
    )
    assert raw["currency"] == "USD"
    assert raw["hours_per_month"] == 730


def test_every_bundled_price_is_a_positive_number(raw: dict[str, Any]) -> None:
    prices = _all_prices(raw)
    assert len(prices) > 500
    bad = [key for key, price in prices if isinstance(price, bool) or not price > 0]
    assert bad == []


def test_every_listed_ec2_family_and_size_is_priced_in_us_east_1(raw: dict[str, Any]) -> None:
    us = raw["ec2"]["us-east-1"]
    expected = [f"{f}.{s}" for f in T_FAMILIES for s in T_SIZES]
    expected += [f"{f}.{s}" for f in FAMILIES for s in BIG_SIZES]
    assert [name for name in expected if name not in us] == []


def test_every_listed_rds_class_is_priced_in_us_east_1(raw: dict[str, Any]) -> None:
    us = raw["rds"]["us-east-1"]
    expected = [f"{c}.{s}" for c, sizes in RDS_CLASSES.items() for s in sizes]
    assert [name for name in expected if name not in us["single_az"]] == []
    assert [name for name in expected if name not in us["multi_az"]] == []


def test_multi_az_is_twice_single_az(raw: dict[str, Any]) -> None:
    for region, options in raw["rds"].items():
        assert options["single_az"].keys() == options["multi_az"].keys(), region
        for name, single in options["single_az"].items():
            multi = options["multi_az"][name]
            assert Decimal(str(multi)) == 2 * Decimal(str(single)), (region, name)


def test_every_region_has_ec2_and_storage_prices(raw: dict[str, Any]) -> None:
    assert sorted(raw["ec2"]) == sorted(REGIONS)
    assert sorted(raw["rds_storage_gp2_gb_month"]) == sorted(REGIONS)
    assert set(raw["rds"]) <= set(REGIONS)


def test_the_bundled_file_loads_into_a_table(raw: dict[str, Any]) -> None:
    table = bundled_price_table()
    assert table.origin == "bundled"
    assert table.as_of == raw["as_of"]
    assert table.hours_per_month == 730
    assert table.regions() == sorted(REGIONS)
    assert table.to_dict() == raw


def test_lookups() -> None:
    table = bundled_price_table()
    assert table.ec2_hourly("t3.medium", "us-east-1") == 0.0416
    assert table.ec2_hourly("m5.large", "us-east-1") == 0.096
    assert table.rds_hourly("db.t3.micro", "us-east-1", multi_az=False) == 0.018
    assert table.rds_hourly("db.t3.micro", "us-east-1", multi_az=True) == 0.036
    assert table.rds_storage_month("us-east-1") == 0.115


def test_lookups_of_unknown_types_and_regions_give_none() -> None:
    table = bundled_price_table()
    assert table.ec2_hourly("t9.huge", "us-east-1") is None
    assert table.ec2_hourly("t3.medium", "mars-north-1") is None
    assert table.rds_hourly("db.x9.huge", "us-east-1", multi_az=False) is None
    assert table.rds_hourly("db.t3.micro", "mars-north-1", multi_az=True) is None
    assert table.rds_storage_month("mars-north-1") is None


def test_the_same_type_costs_differently_in_two_regions() -> None:
    table = bundled_price_table()
    virginia = table.ec2_hourly("t3.medium", "us-east-1")
    frankfurt = table.ec2_hourly("t3.medium", "eu-central-1")
    assert virginia is not None and frankfurt is not None
    assert frankfurt > virginia
    assert table.rds_storage_month("eu-west-1") != table.rds_storage_month("us-east-1")


def _write_cache(cache_dir: Path, data: Any) -> Path:
    path = cache_dir / PRICES_FILENAME
    path.write_text(data if isinstance(data, str) else json.dumps(data), "utf-8")
    return path


def test_without_a_cache_dir_the_bundled_table_is_used() -> None:
    assert load_price_table(None) is bundled_price_table()


def test_an_empty_cache_dir_gives_the_bundled_table(tmp_path: Path) -> None:
    assert load_price_table(tmp_path).origin == "bundled"


def test_a_valid_cache_file_is_preferred(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["as_of"] = "2030-01-02"
    raw["source"] = "AWS Price List API"
    raw["ec2"]["us-east-1"]["t3.medium"] = 0.05
    path = _write_cache(tmp_path, raw)

    table = load_price_table(tmp_path)

    assert table.origin == str(path)
    assert table.as_of == "2030-01-02"
    assert table.ec2_hourly("t3.medium", "us-east-1") == 0.05


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        json.dumps({"as_of": "yesterday", "source": "x", "currency": "USD", "hours_per_month": 1}),
        "\udcff",
    ],
    ids=["not-json", "not-an-object", "bad-date", "not-utf8"],
)
def test_a_corrupt_cache_file_falls_back_to_bundled_with_a_warning(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / PRICES_FILENAME
    path.write_bytes(content.encode("utf-8", "surrogateescape"))

    with caplog.at_level(logging.WARNING, logger="driftctl.diff.pricing"):
        table = load_price_table(tmp_path)

    assert table.origin == "bundled"
    assert table.ec2_hourly("t3.medium", "us-east-1") == 0.0416
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "ignoring the refreshed price table" in warnings[0].getMessage()
    assert path.read_bytes() == content.encode("utf-8", "surrogateescape")  # left as it was


@pytest.mark.parametrize("bad_price", [0, -0.01, "0.05", True, None])
def test_a_cache_file_with_a_bad_price_falls_back(
    tmp_path: Path, raw: dict[str, Any], bad_price: Any, caplog: pytest.LogCaptureFixture
) -> None:
    raw["ec2"]["us-east-1"]["t3.medium"] = bad_price
    _write_cache(tmp_path, raw)

    with caplog.at_level(logging.WARNING, logger="driftctl.diff.pricing"):
        table = load_price_table(tmp_path)

    assert table.origin == "bundled"
    assert "ec2.us-east-1.t3.medium" in caplog.text


def test_from_dict_rejects_a_foreign_currency(raw: dict[str, Any]) -> None:
    raw["currency"] = "EUR"
    with pytest.raises(ValueError, match="USD"):
        PriceTable.from_dict(raw)
