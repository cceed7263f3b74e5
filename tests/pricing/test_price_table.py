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

# EC2 and RDS storage are priced in these regions; RDS classes in these and RDS_ONLY_REGIONS.
REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
]
RDS_ONLY_REGIONS = [
    "us-west-1",
    "eu-west-2",
    "ap-south-1",
    "ap-southeast-2",
    "ca-central-1",
    "sa-east-1",
    "eu-north-1",
]
# The regions whose RDS prices come from the full 2024-06-01 list (Single-AZ and Multi-AZ, every
# listed class); the others come from a copy with PostgreSQL Single-AZ db.t3, db.m5 and db.r5
# prices only (see the table's ``sources``).
FULL_RDS_REGIONS = ["us-east-1", "us-east-2", "us-west-2"]
LEGACY_SOURCE = "AWS public on-demand price list, 2024-06-01"
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


def _all_prices(data: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(section, region, name, price) for every price in the file."""
    out = [("ec2", r, t, p) for r, types in data["ec2"].items() for t, p in types.items()]
    for region, options in data["rds"].items():
        for option, classes in options.items():
            out += [("rds", region, f"{option}.{c}", p) for c, p in classes.items()]
    out += [
        ("rds_storage_gp2_gb_month", r, "gp2", p)
        for r, p in data["rds_storage_gp2_gb_month"].items()
    ]
    return out


def _rds_classes(families: list[str]) -> list[str]:
    return [f"{f}.{s}" for f in families for s in RDS_CLASSES[f]]


def test_bundled_header_tells_where_the_prices_come_from(raw: dict[str, Any]) -> None:
    date.fromisoformat(raw["as_of"])
    assert raw["source"] == (
        "AWS public on-demand price list (Linux, shared tenancy); "
        "refresh with `driftctl pricing refresh`"
    )
    assert raw["currency"] == "USD"
    assert raw["hours_per_month"] == 730


def test_every_bundled_price_is_a_positive_number_with_a_source(raw: dict[str, Any]) -> None:
    prices = _all_prices(raw)
    assert len(prices) > 500
    bad = [
        p[:3]
        for p in prices
        if isinstance(p[3], bool) or not isinstance(p[3], int | float) or not p[3] > 0
    ]
    assert bad == []
    sources = raw["sources"]
    unsourced = [p[:3] for p in prices if not sources.get(p[0], {}).get(p[1], "").strip()]
    assert unsourced == []


def test_sources_name_exactly_the_priced_regions(raw: dict[str, Any]) -> None:
    sources = raw["sources"]
    assert sorted(sources) == ["ec2", "rds", "rds_storage_gp2_gb_month"]
    assert sorted(sources["ec2"]) == sorted(raw["ec2"])
    assert sorted(sources["rds"]) == sorted(raw["rds"])
    assert sorted(sources["rds_storage_gp2_gb_month"]) == sorted(raw["rds_storage_gp2_gb_month"])
    assert set(sources["ec2"].values()) == {LEGACY_SOURCE}
    assert set(sources["rds_storage_gp2_gb_month"].values()) == {LEGACY_SOURCE}
    for region in FULL_RDS_REGIONS:
        assert sources["rds"][region] == LEGACY_SOURCE
    copied = {sources["rds"][r] for r in raw["rds"] if r not in FULL_RDS_REGIONS}
    assert len(copied) == 1
    # The copy is named exactly (repository, commit, path), with what it lacks.
    (text,) = copied
    assert "github.com/vantage-sh/ec2instances.info/blob/" in text
    assert "00573910a38da31a1d8495601c8ded861c99b4a4/www/rds/instances.json" in text
    assert "no Multi-AZ, db.t4g, db.m6i or db.r6i prices, nor db.r5 in sa-east-1" in text


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


def test_multi_az_is_twice_single_az_where_published(raw: dict[str, Any]) -> None:
    with_multi_az = sorted(r for r, options in raw["rds"].items() if options["multi_az"])
    assert with_multi_az == sorted(FULL_RDS_REGIONS)
    for region in with_multi_az:
        options = raw["rds"][region]
        assert options["single_az"].keys() == options["multi_az"].keys(), region
        for name, single in options["single_az"].items():
            multi = options["multi_az"][name]
            assert Decimal(str(multi)) == 2 * Decimal(str(single)), (region, name)


def test_ec2_and_storage_regions(raw: dict[str, Any]) -> None:
    assert sorted(raw["ec2"]) == sorted(REGIONS)
    assert sorted(raw["rds_storage_gp2_gb_month"]) == sorted(REGIONS)
    assert sorted(raw["rds"]) == sorted(REGIONS + RDS_ONLY_REGIONS)


def test_rds_covers_every_region_ec2_covers(raw: dict[str, Any]) -> None:
    ec2_regions = {r for r, types in raw["ec2"].items() if types}
    rds_regions = {r for r, options in raw["rds"].items() if options["single_az"]}
    assert ec2_regions <= rds_regions


def test_which_rds_classes_each_region_has(raw: dict[str, Any]) -> None:
    """Every listed class where the full list was used; elsewhere what the copy publishes:
    db.t3, db.m5 and db.r5 (no db.r5 in sa-east-1), never a price filled in by analogy."""
    everything = _rds_classes(list(RDS_CLASSES))
    copied = _rds_classes(["db.t3", "db.m5", "db.r5"])
    for region, options in raw["rds"].items():
        if region in FULL_RDS_REGIONS:
            expected = everything
        elif region == "sa-east-1":
            expected = _rds_classes(["db.t3", "db.m5"])
        else:
            expected = copied
        assert sorted(options["single_az"]) == sorted(expected), region


@pytest.mark.parametrize(
    ("region", "instance_class", "hourly"),
    [
        # Read from the copy; eu-central-1 db.t3.micro is also 0.021 in later price lists.
        ("eu-west-1", "db.t3.medium", 0.078),
        ("eu-central-1", "db.t3.micro", 0.021),
        ("ap-southeast-1", "db.r5.large", 0.3),
        ("ap-northeast-1", "db.m5.large", 0.247),
        ("sa-east-1", "db.t3.micro", 0.038),
        ("eu-north-1", "db.m5.4xlarge", 1.497),
    ],
)
def test_prices_taken_from_the_copy(
    raw: dict[str, Any], region: str, instance_class: str, hourly: float
) -> None:
    assert raw["rds"][region]["single_az"][instance_class] == hourly


def test_the_bundled_file_loads_into_a_table(raw: dict[str, Any]) -> None:
    table = bundled_price_table()
    assert table.origin == "bundled"
    assert table.as_of == raw["as_of"]
    assert table.hours_per_month == 730
    assert table.regions() == sorted(REGIONS + RDS_ONLY_REGIONS)
    assert table.to_dict() == raw
    assert table.source_for("rds", "eu-west-1") == raw["sources"]["rds"]["eu-west-1"]
    assert table.source_for("ec2", "eu-west-1") == LEGACY_SOURCE


def test_lookups() -> None:
    table = bundled_price_table()
    assert table.ec2_hourly("t3.medium", "us-east-1") == 0.0416
    assert table.ec2_hourly("m5.large", "us-east-1") == 0.096
    assert table.rds_hourly("db.t3.micro", "us-east-1", multi_az=False) == 0.018
    assert table.rds_hourly("db.t3.micro", "us-east-1", multi_az=True) == 0.036
    assert table.rds_storage_month("us-east-1") == 0.115


def test_a_region_without_a_source_entry_has_the_table_source(raw: dict[str, Any]) -> None:
    del raw["sources"]["rds"]["eu-west-1"]
    table = PriceTable.from_dict(raw)
    assert table.source_for("rds", "eu-west-1") == raw["source"]
    assert table.source_for("ec2", "mars-north-1") == raw["source"]

    del raw["sources"]
    table = PriceTable.from_dict(raw)
    assert table.source_for("rds", "us-east-1") == raw["source"]
    # A table without per-region sources is written in the shape it was read in.
    assert "sources" not in table.to_dict()
    assert table.to_dict() == raw


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([], "sources is not an object"),
        ({"lambda": {}}, "sources.lambda is not one of ec2, rds, rds_storage_gp2_gb_month"),
        ({"ec2": {"us-east-1": ""}}, "sources.ec2.us-east-1 is not a non-empty string"),
        ({"rds": {"us-east-1": 3}}, "sources.rds.us-east-1 is not a non-empty string"),
    ],
)
def test_from_dict_rejects_bad_sources(raw: dict[str, Any], sources: Any, message: str) -> None:
    raw["sources"] = sources
    with pytest.raises(ValueError, match=message):
        PriceTable.from_dict(raw)


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
