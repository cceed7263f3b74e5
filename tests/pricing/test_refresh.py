"""Refreshing the price table from the AWS Price List API (answered by botocore's Stubber; moto
does not emulate that API)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from driftctl.diff.price_refresh import SessionFactory, refresh_price_table
from driftctl.diff.pricing import PRICES_FILENAME, REFRESHED_SOURCE, load_price_table
from driftctl.errors import ExitCode, ExternalServiceError, ValidationError

TODAY = date(2030, 3, 4)


@dataclass
class StubbedPricing:
    """A real boto3 pricing client with a Stubber, and a session factory that hands it out."""

    stubber: Stubber
    session_factory: SessionFactory


@pytest.fixture
def stubbed() -> Iterator[StubbedPricing]:
    session = boto3.session.Session()
    client = session.client("pricing", region_name="us-east-1")
    # The code under test asks its session for a client; this session always returns ours.
    session.client = lambda *args, **kwargs: client  # type: ignore[method-assign,assignment]
    with Stubber(client) as stubber:
        yield StubbedPricing(stubber=stubber, session_factory=lambda: session)
        stubber.assert_no_pending_responses()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def price_item(attributes: dict[str, str], usd: str, unit: str = "Hrs") -> str:
    """One PriceList entry as the API returns it: a JSON document inside a string."""
    return json.dumps(
        {
            "product": {"productFamily": "x", "attributes": attributes, "sku": "SKU1"},
            "serviceCode": "x",
            "terms": {
                "OnDemand": {
                    "SKU1.JRTCKXETXF": {
                        "offerTermCode": "JRTCKXETXF",
                        "sku": "SKU1",
                        "priceDimensions": {
                            "SKU1.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": unit,
                                "description": "on demand",
                                "pricePerUnit": {"USD": usd},
                            }
                        },
                    }
                },
                "Reserved": {},
            },
            "version": "20300301000000",
            "publicationDate": "2030-03-01T00:00:00Z",
        }
    )


def ec2_item(instance_type: str, usd: str, **extra: str) -> str:
    attributes = {
        "instanceType": instance_type,
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "regionCode": "us-east-1",
        "locationType": "AWS Region",
        **extra,
    }
    return price_item(attributes, usd)


def rds_item(instance_class: str, usd: str, deployment: str) -> str:
    attributes = {
        "instanceType": instance_class,
        "databaseEngine": "PostgreSQL",
        "deploymentOption": deployment,
        "regionCode": "us-east-1",
    }
    return price_item(attributes, usd)


def storage_item(usage_type: str, usd: str) -> str:
    attributes = {"usagetype": usage_type, "deploymentOption": "Single-AZ"}
    return price_item(attributes, usd, unit="GB-Mo")


def page(items: list[str], next_token: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": items}
    if next_token is not None:
        response["NextToken"] = next_token
    return response


def term(field: str, value: str) -> dict[str, str]:
    return {"Type": "TERM_MATCH", "Field": field, "Value": value}


def request(
    service: str, filters: list[dict[str, str]], token: str | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ServiceCode": service,
        "Filters": filters,
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    if token is not None:
        params["NextToken"] = token
    return params


EC2_FILTERS = [
    term("operatingSystem", "Linux"),
    term("tenancy", "Shared"),
    term("preInstalledSw", "NA"),
    term("capacitystatus", "Used"),
    term("regionCode", "us-east-1"),
]


def rds_filters(deployment: str) -> list[dict[str, str]]:
    return [
        term("productFamily", "Database Instance"),
        term("databaseEngine", "PostgreSQL"),
        term("deploymentOption", deployment),
        term("regionCode", "us-east-1"),
    ]


STORAGE_FILTERS = [
    term("productFamily", "Database Storage"),
    term("deploymentOption", "Single-AZ"),
    term("regionCode", "us-east-1"),
]


def answer_us_east_1(stubber: Stubber) -> None:
    """Queue a full us-east-1 refresh: EC2 in two pages, then RDS and storage."""
    stubber.add_response(
        "get_products",
        page(
            [
                ec2_item("t3.medium", "0.0500000000"),
                ec2_item("z9.brandnew", "1.2345000000"),
                # Capacity-reservation style zero prices and Local Zones are not the region price.
                ec2_item("t3.large", "0.0000000000"),
                ec2_item("t3.xlarge", "9.0000000000", locationType="AWS Local Zone"),
            ],
            next_token="page-2",
        ),
        request("AmazonEC2", EC2_FILTERS),
    )
    stubber.add_response(
        "get_products",
        page(["not json", ec2_item("m5.large", "0.1000000000")]),
        request("AmazonEC2", EC2_FILTERS, token="page-2"),
    )
    stubber.add_response(
        "get_products",
        page([rds_item("db.t3.micro", "0.0200000000", "Single-AZ")]),
        request("AmazonRDS", rds_filters("Single-AZ")),
    )
    stubber.add_response(
        "get_products",
        page([rds_item("db.t3.micro", "0.0400000000", "Multi-AZ")]),
        request("AmazonRDS", rds_filters("Multi-AZ")),
    )
    stubber.add_response(
        "get_products",
        page(
            [
                storage_item("RDS:GP3-Storage", "0.0800000000"),
                storage_item("RDS:GP2-Storage", "0.1200000000"),
            ]
        ),
        request("AmazonRDS", STORAGE_FILTERS),
    )


def test_refresh_writes_the_new_prices_and_keeps_the_rest(
    stubbed: StubbedPricing, cache_dir: Path
) -> None:
    answer_us_east_1(stubbed.stubber)

    result = refresh_price_table(stubbed.session_factory, cache_dir, ["us-east-1"], today=TODAY)

    path = cache_dir / PRICES_FILENAME
    assert result.path == path
    assert (result.as_of, result.regions) == ("2030-03-04", ("us-east-1",))
    assert (result.ec2_prices, result.rds_prices, result.storage_prices) == (3, 2, 1)

    written = json.loads(path.read_text("utf-8"))
    assert written["as_of"] == "2030-03-04"
    assert written["source"] == REFRESHED_SOURCE
    assert written["hours_per_month"] == 730
    us = written["ec2"]["us-east-1"]
    assert us["t3.medium"] == 0.05
    assert us["z9.brandnew"] == 1.2345
    assert us["m5.large"] == 0.1
    # Not returned with a usable price: the previous (bundled) price stays.
    assert us["t3.large"] == 0.0832
    assert us["t3.xlarge"] == 0.1664
    assert us["c7g.large"] == 0.0725
    assert written["ec2"]["eu-central-1"]["t3.medium"] == 0.048
    assert written["rds"]["us-east-1"]["single_az"]["db.t3.micro"] == 0.02
    assert written["rds"]["us-east-1"]["multi_az"]["db.t3.micro"] == 0.04
    assert written["rds"]["us-east-1"]["single_az"]["db.r5.large"] == 0.25
    assert written["rds_storage_gp2_gb_month"]["us-east-1"] == 0.12
    assert written["rds_storage_gp2_gb_month"]["eu-west-1"] == 0.127
    # Each region says where its prices now come from.
    bundled = json.loads(
        (Path(__file__).parents[2] / "driftctl" / "data" / PRICES_FILENAME).read_text("utf-8")
    )["sources"]
    sources = written["sources"]
    refreshed = "AWS Price List API, 2030-03-04"
    assert sources["rds_storage_gp2_gb_month"]["us-east-1"] == refreshed
    assert sources["ec2"]["us-east-1"] == (
        f"{refreshed}; prices it did not return: {bundled['ec2']['us-east-1']}"
    )
    assert sources["rds"]["us-east-1"] == (
        f"{refreshed}; prices it did not return: {bundled['rds']['us-east-1']}"
    )
    for section in ("ec2", "rds", "rds_storage_gp2_gb_month"):
        untouched = {r: s for r, s in sources[section].items() if r != "us-east-1"}
        assert untouched == {r: s for r, s in bundled[section].items() if r != "us-east-1"}

    table = load_price_table(cache_dir)
    assert table.origin == str(path)
    assert table.as_of == "2030-03-04"
    assert table.ec2_hourly("t3.medium", "us-east-1") == 0.05
    assert result.table.to_dict() == table.to_dict()
    assert [p.name for p in cache_dir.iterdir()] == [PRICES_FILENAME]  # no temp file left


def test_a_second_refresh_builds_on_the_first(stubbed: StubbedPricing, cache_dir: Path) -> None:
    answer_us_east_1(stubbed.stubber)
    refresh_price_table(stubbed.session_factory, cache_dir, ["us-east-1"], today=TODAY)
    stubbed.stubber.add_response("get_products", page([ec2_item("t3.nano", "0.0060000000")]))
    for _ in range(3):
        stubbed.stubber.add_response("get_products", page([]))

    refresh_price_table(stubbed.session_factory, cache_dir, ["us-east-1"], today=date(2030, 4, 1))

    table = load_price_table(cache_dir)
    assert table.as_of == "2030-04-01"
    assert table.ec2_hourly("t3.nano", "us-east-1") == 0.006
    assert table.ec2_hourly("z9.brandnew", "us-east-1") == 1.2345  # from the first refresh
    assert table.source_for("ec2", "us-east-1").startswith(
        "AWS Price List API, 2030-04-01; prices it did not return: "
        "AWS Price List API, 2030-03-04; prices it did not return: "
    )
    # Nothing came back for storage: the first refresh's source stays.
    assert table.source_for("rds_storage_gp2_gb_month", "us-east-1") == (
        "AWS Price List API, 2030-03-04"
    )


def test_a_region_aws_answered_for_in_full_names_only_the_api(
    stubbed: StubbedPricing, cache_dir: Path
) -> None:
    stubbed.stubber.add_response("get_products", page([]))
    stubbed.stubber.add_response(
        "get_products", page([rds_item("db.t3.micro", "0.0250000000", "Single-AZ")])
    )
    stubbed.stubber.add_response("get_products", page([]))
    stubbed.stubber.add_response("get_products", page([]))

    refresh_price_table(stubbed.session_factory, cache_dir, ["ap-northeast-2"], today=TODAY)

    table = load_price_table(cache_dir)
    assert table.rds_hourly("db.t3.micro", "ap-northeast-2", multi_az=False) == 0.025
    assert table.source_for("rds", "ap-northeast-2") == "AWS Price List API, 2030-03-04"
    assert "ap-northeast-2" not in table.sources["ec2"]  # no EC2 price there, no source either
    assert table.source_for("rds", "us-east-1") == "AWS public on-demand price list, 2024-06-01"


def _assert_untouched(cache_dir: Path, before: bytes | None) -> None:
    path = cache_dir / PRICES_FILENAME
    if before is None:
        assert not cache_dir.exists() or list(cache_dir.iterdir()) == []
    else:
        assert path.read_bytes() == before
        assert [p.name for p in cache_dir.iterdir()] == [PRICES_FILENAME]


@pytest.mark.parametrize("existing_cache", [False, True], ids=["no-cache", "cache"])
def test_an_aws_error_raises_and_leaves_the_cache_untouched(
    stubbed: StubbedPricing, cache_dir: Path, existing_cache: bool
) -> None:
    before: bytes | None = None
    if existing_cache:
        cache_dir.mkdir()
        before = b'{"previous": "content"}\n'
        (cache_dir / PRICES_FILENAME).write_bytes(before)
    stubbed.stubber.add_client_error(
        "get_products",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: pricing:GetProducts",
        http_status_code=400,
    )

    with pytest.raises(ExternalServiceError) as raised:
        refresh_price_table(stubbed.session_factory, cache_dir, ["us-east-1"], today=TODAY)

    error = raised.value
    assert error.exit_code == ExitCode.EXTERNAL == 6
    assert error.message == (
        "AWS Price List API refused the request: AccessDeniedException: "
        "User is not authorized to perform: pricing:GetProducts"
    )
    assert "\n" not in error.message
    _assert_untouched(cache_dir, before)


def test_an_error_on_a_later_page_writes_nothing(stubbed: StubbedPricing, cache_dir: Path) -> None:
    stubbed.stubber.add_response(
        "get_products", page([ec2_item("t3.medium", "0.0500000000")], next_token="page-2")
    )
    stubbed.stubber.add_client_error(
        "get_products", service_error_code="ThrottlingException", http_status_code=400
    )

    with pytest.raises(ExternalServiceError, match="ThrottlingException"):
        refresh_price_table(stubbed.session_factory, cache_dir, ["us-east-1"], today=TODAY)

    _assert_untouched(cache_dir, None)
    assert load_price_table(cache_dir).ec2_hourly("t3.medium", "us-east-1") == 0.0416


def test_no_prices_at_all_is_an_error(stubbed: StubbedPricing, cache_dir: Path) -> None:
    for _ in range(4):
        stubbed.stubber.add_response("get_products", page([]))

    with pytest.raises(ExternalServiceError, match="returned no prices for us-east-1"):
        refresh_price_table(stubbed.session_factory, cache_dir, ["us-east-1"], today=TODAY)

    _assert_untouched(cache_dir, None)


def test_missing_credentials_raise_one_clear_line(cache_dir: Path, monkeypatch: Any) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("AWS_SECURITY_TOKEN")

    with pytest.raises(ExternalServiceError) as raised:
        refresh_price_table(boto3.session.Session, cache_dir, ["us-east-1"], today=TODAY)

    assert raised.value.message == (
        "could not call the AWS Price List API: Unable to locate credentials"
    )
    _assert_untouched(cache_dir, None)


def test_a_bad_region_name_is_a_validation_error(cache_dir: Path) -> None:
    def no_session() -> boto3.session.Session:
        raise AssertionError("AWS must not be called for a bad region name")

    with pytest.raises(ValidationError, match="not an AWS region name: us east"):
        refresh_price_table(no_session, cache_dir, ["us-east-1", "us east"])


def test_an_unwritable_cache_dir_is_reported(stubbed: StubbedPricing, tmp_path: Path) -> None:
    answer_us_east_1(stubbed.stubber)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    with pytest.raises(ValidationError, match="cannot write the price table"):
        refresh_price_table(stubbed.session_factory, blocker / "cache", ["us-east-1"])


def test_without_regions_the_table_regions_are_refreshed(
    stubbed: StubbedPricing, cache_dir: Path
) -> None:
    regions = load_price_table(cache_dir).regions()
    # Four queries per region; only the last one (storage of the last region) has a price.
    answers = [page([]) for _ in range(4 * len(regions) - 1)]
    answers.append(page([storage_item("USW2-RDS:GP2-Storage", "0.1400000000")]))
    for answer in answers:
        stubbed.stubber.add_response("get_products", answer)

    result = refresh_price_table(stubbed.session_factory, cache_dir, None, today=TODAY)

    assert result.regions == tuple(regions)
    assert len(regions) == 14 and regions[-1] == "us-west-2"
    assert (result.ec2_prices, result.rds_prices, result.storage_prices) == (0, 0, 1)
    table = load_price_table(cache_dir)
    assert table.rds_storage_month("us-west-2") == 0.14
    assert table.rds_storage_month("us-east-1") == 0.115
