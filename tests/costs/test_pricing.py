"""``driftctl pricing show`` and ``pricing refresh``: lookups, unknown prices, refresh via AWS."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from driftctl.diff.pricing import PRICES_FILENAME, REFRESHED_SOURCE
from driftctl.errors import ExternalServiceError, NotFoundError, ValidationError
from driftctl.services import costs
from tests.pricing.test_refresh import StubbedPricing, answer_us_east_1, ec2_item

BUNDLED_AS_OF = "2024-06-01"
LEGACY_SOURCE = "AWS public on-demand price list, 2024-06-01"


def test_show_an_ec2_type_in_one_region_as_json(cli: Any) -> None:
    result = cli(["pricing", "show", "t3.large", "--region", "us-east-1", "-o", "json"])

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["instance_type"] == "t3.large"
    assert data["service"] == "ec2"
    assert data["as_of"] == BUNDLED_AS_OF
    assert data["source"].startswith("AWS public on-demand price list")
    assert data["origin"] == "bundled"
    assert data["hours_per_month"] == 730
    assert data["prices"] == [
        {
            "region": "us-east-1",
            "hourly": 0.0832,
            "monthly": 60.74,
            "multi_az_hourly": None,
            "multi_az_monthly": None,
            "source": LEGACY_SOURCE,
        }
    ]


def test_show_an_rds_class_includes_multi_az(cli: Any) -> None:
    result = cli(["pricing", "show", "db.t3.medium", "--region", "us-east-1", "-o", "json"])

    assert result.exit_code == 0, result.stderr
    (price,) = result.json()["prices"]
    assert result.json()["service"] == "rds"
    assert price == {
        "region": "us-east-1",
        "hourly": 0.072,
        "monthly": 52.56,
        "multi_az_hourly": 0.144,
        "multi_az_monthly": 105.12,
        "source": LEGACY_SOURCE,
    }


def test_show_an_rds_class_in_a_region_priced_from_another_copy(cli: Any) -> None:
    result = cli(["pricing", "show", "db.t3.medium", "--region", "eu-west-1", "-o", "json"])

    assert result.exit_code == 0, result.stderr
    (price,) = result.json()["prices"]
    assert price["hourly"] == 0.078
    assert price["monthly"] == 56.94
    # That copy publishes no Multi-AZ price: none is shown rather than one made up.
    assert (price["multi_az_hourly"], price["multi_az_monthly"]) == (None, None)
    assert "github.com/vantage-sh/ec2instances.info" in price["source"]


def test_plain_text_names_each_source_with_its_regions(cli: Any) -> None:
    result = cli(["pricing", "show", "db.t3.micro"])

    assert result.exit_code == 0, result.stderr
    sources = [line for line in result.stdout.splitlines() if line.startswith("source")]
    assert len(sources) == 2
    assert sources[0].endswith(
        "(ap-northeast-1, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, "
        "eu-central-1, eu-north-1, eu-west-1, eu-west-2, sa-east-1, us-west-1)"
    )
    assert sources[1] == f"source        {LEGACY_SOURCE} (us-east-1, us-east-2, us-west-2)"


def test_show_without_region_lists_every_region_with_a_price(cli: Any) -> None:
    result = cli(["pricing", "show", "T3.Medium", "-o", "json"])

    assert result.exit_code == 0, result.stderr
    prices = {p["region"]: p["hourly"] for p in result.json()["prices"]}
    assert prices["us-east-1"] == 0.0416
    assert prices["eu-central-1"] == 0.048
    assert list(prices) == sorted(prices)


def test_show_as_plain_text(cli: Any) -> None:
    result = cli(["pricing", "show", "db.t3.medium", "--region", "us-east-1"])

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"prices as of  {BUNDLED_AS_OF}" in lines
    assert "region     usd_hour  usd_month  multi_az_usd_hour  multi_az_usd_month" in lines
    assert "us-east-1  0.072     52.56      0.144              105.12" in lines
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x9.huge", "--region", "us-east-1"], "unknown EC2 instance type x9.huge (price"),
        (["t3.larg", "--region", "us-east-1"], "unknown EC2 instance type t3.larg; did you mean "),
        (["db.t3.medum"], "unknown RDS DB class db.t3.medum; did you mean db.t3.medium?"),
        (
            ["t3.large", "--region", "ap-south-2"],
            "no bundled EC2 prices for ap-south-2 (they cover ap-northeast-1, ",
        ),
        (
            ["db.t3.medium", "--region", "ap-northeast-2"],
            "no bundled RDS prices for ap-northeast-2 (they cover ap-northeast-1, ap-south-1, "
            "ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-north-1, eu-west-1, "
            "eu-west-2, sa-east-1, us-east-1, us-east-2, us-west-1, us-west-2); "
            "run `driftctl pricing refresh --region ap-northeast-2` to fetch them",
        ),
        (
            # A known class the region has no published price for: refresh, not a guess.
            ["db.t4g.micro", "--region", "eu-west-1"],
            f"unknown price for db.t4g.micro in eu-west-1 (price table as of {BUNDLED_AS_OF}; "
            "`driftctl pricing refresh --region eu-west-1` fetches current prices)",
        ),
    ],
)
def test_an_unknown_price_exits_3_with_one_line(cli: Any, args: list[str], message: str) -> None:
    result = cli(["pricing", "show", *args])

    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.count("\n") == 1


def _help_examples(command: list[str]) -> list[list[str]]:
    """The ``Example: driftctl ...`` commands of a command's --help, as argument lists."""
    from typer.testing import CliRunner

    from driftctl.cli.app import build_app

    result = CliRunner().invoke(build_app(), [*command, "--help"])
    assert result.exit_code == 0, result.output
    examples = []
    for chunk in result.stdout.split("Example: driftctl ")[1:]:
        # An example ends at the blank line after it; --help may wrap it over several lines.
        examples.append(chunk.split("\n\n", 1)[0].split())
    return examples


def _run(args: list[str]) -> Any:
    """Run args through Typer's CliRunner the way the driftctl entry point does (global options
    such as ``-o json`` may follow the command)."""
    from typer.testing import CliRunner

    from driftctl.cli.app import build_app
    from driftctl.cli.options import hoist_global_options

    return CliRunner().invoke(build_app(), hoist_global_options(args))


def test_the_pricing_group_help_has_no_example_to_break() -> None:
    assert _help_examples(["pricing"]) == []


def test_every_pricing_show_help_example_prints_a_price() -> None:
    examples = _help_examples(["pricing", "show"])
    assert examples == [["pricing", "show", "db.t3.medium", "--region", "eu-west-1", "-o", "json"]]
    for example in examples:
        result = _run(example)

        assert result.exit_code == 0, result.output
        prices = json.loads(result.stdout)["prices"]
        assert prices and all(p["hourly"] > 0 and p["monthly"] > 0 for p in prices)


def test_every_pricing_refresh_help_example_refreshes(
    stubbed: StubbedPricing, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles: list[str | None] = []

    def factory_for(profile: str | None) -> Any:
        profiles.append(profile)
        return stubbed.session_factory

    monkeypatch.setattr(costs, "session_factory_for", factory_for)
    examples = _help_examples(["pricing", "refresh"])
    assert examples == [
        [
            "pricing",
            "refresh",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--profile",
            "billing",
        ]
    ]
    # us-east-1 as in the other refresh tests; eu-west-1 returns one EC2 price and nothing else.
    answer_us_east_1(stubbed.stubber)
    stubbed.stubber.add_response(
        "get_products", {"FormatVersion": "aws_v1", "PriceList": [eu_west_1_t3_medium()]}
    )
    for _ in range(3):
        stubbed.stubber.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": []})

    result = _run(examples[0])

    assert result.exit_code == 0, result.output
    assert profiles == ["billing"]
    assert "regions: us-east-1, eu-west-1" in result.stdout.splitlines()
    written = json.loads((cache_dir / PRICES_FILENAME).read_text("utf-8"))
    assert written["ec2"]["eu-west-1"]["t3.medium"] == 0.05


def eu_west_1_t3_medium() -> str:
    item: dict[str, Any] = json.loads(ec2_item("t3.medium", "0.0500000000"))
    item["product"]["attributes"]["regionCode"] = "eu-west-1"
    return json.dumps(item)


def test_an_unknown_price_as_json_error(cli: Any) -> None:
    result = cli(["pricing", "show", "x9.huge", "--region", "us-east-1", "-o", "json"])

    assert result.exit_code == 3
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "NOT_FOUND"
    assert error["message"].startswith("unknown EC2 instance type x9.huge")
    assert error["details"] == {
        "did_you_mean": None,
        "instance_type": "x9.huge",
        "region": "us-east-1",
        "as_of": BUNDLED_AS_OF,
    }


@pytest.mark.parametrize("args", [["t3 large"], ["t3.large", "--region", "us east 1"]])
def test_malformed_names_exit_2(cli: Any, args: list[str]) -> None:
    result = cli(["pricing", "show", *args])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid ")


def test_show_price_raises_typed_errors() -> None:
    with pytest.raises(NotFoundError):
        costs.show_price("m9.nothing", "us-east-1")
    with pytest.raises(ValidationError):
        costs.show_price("", None)


# --- refresh -----------------------------------------------------------------------------------


def test_refresh_service_reports_what_changed(stubbed: StubbedPricing, cache_dir: Path) -> None:
    answer_us_east_1(stubbed.stubber)

    summary = costs.refresh_prices(
        ["us-east-1"], session_factory=stubbed.session_factory, today=date(2030, 3, 4)
    )

    assert summary.path == cache_dir / PRICES_FILENAME
    assert (summary.as_of, summary.previous_as_of) == ("2030-03-04", BUNDLED_AS_OF)
    assert summary.source == REFRESHED_SOURCE
    assert (summary.ec2_prices, summary.rds_prices, summary.storage_prices) == (3, 2, 1)
    changes = {(c.service, c.region, c.name): (c.old, c.new) for c in summary.changes}
    assert changes == {
        ("ec2", "us-east-1", "t3.medium"): (0.0416, 0.05),
        ("ec2", "us-east-1", "z9.brandnew"): (None, 1.2345),
        ("ec2", "us-east-1", "m5.large"): (0.096, 0.1),
        ("rds", "us-east-1", "db.t3.micro"): (0.018, 0.02),
        ("rds-multi-az", "us-east-1", "db.t3.micro"): (0.036, 0.04),
        ("rds-storage", "us-east-1", "gp2 GB-month"): (0.115, 0.12),
    }
    assert (summary.added, summary.changed) == (1, 5)
    # The next lookup reads the refreshed copy.
    quote = costs.show_price("t3.medium", "us-east-1")
    assert (quote.as_of, quote.source, float(quote.prices[0].hourly)) == (
        "2030-03-04",
        REFRESHED_SOURCE,
        0.05,
    )
    assert quote.origin == str(cache_dir / PRICES_FILENAME)


def test_refresh_command_prints_what_it_updated(
    cli: Any, stubbed: StubbedPricing, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles: list[str | None] = []

    def factory_for(profile: str | None) -> Any:
        profiles.append(profile)
        return stubbed.session_factory

    monkeypatch.setattr(costs, "session_factory_for", factory_for)
    answer_us_east_1(stubbed.stubber)

    result = cli(["pricing", "refresh", "--region", "us-east-1", "--profile", "billing"])

    assert result.exit_code == 0, result.stderr
    assert profiles == ["billing"]
    out = result.stdout.splitlines()
    assert out[0] == f"updated {cache_dir / PRICES_FILENAME}"
    assert out[1].endswith(f"(was {BUNDLED_AS_OF}), source: {REFRESHED_SOURCE}")
    assert "regions: us-east-1" in out
    assert "fetched: 3 EC2, 2 RDS, 1 RDS storage prices" in out
    assert "1 new and 5 changed prices" in out
    assert "  ec2 us-east-1 t3.medium: 0.0416 -> 0.05" in out
    assert (
        json.loads((cache_dir / PRICES_FILENAME).read_text())["ec2"]["us-east-1"]["t3.medium"]
        == 0.05
    )

    shown = cli(["pricing", "show", "t3.medium", "--region", "us-east-1", "-o", "json"])
    assert shown.json()["source"] == REFRESHED_SOURCE
    assert shown.json()["prices"][0]["monthly"] == 36.5


def test_refresh_command_as_json(
    cli: Any, stubbed: StubbedPricing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(costs, "session_factory_for", lambda profile: stubbed.session_factory)
    answer_us_east_1(stubbed.stubber)

    result = cli(["pricing", "refresh", "--region", "us-east-1", "-o", "json"])

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["regions"] == ["us-east-1"]
    assert data["fetched"] == {"ec2": 3, "rds": 2, "rds_storage": 1}
    assert (data["added"], data["changed"]) == (1, 5)
    assert {
        "service": "ec2",
        "region": "us-east-1",
        "name": "z9.brandnew",
        "old": None,
        "new": 1.2345,
    } in data["changes"]


def test_an_aws_failure_exits_6_and_writes_nothing(
    cli: Any, stubbed: StubbedPricing, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(costs, "session_factory_for", lambda profile: stubbed.session_factory)
    stubbed.stubber.add_response(
        "get_products",
        {"FormatVersion": "aws_v1", "PriceList": [], "NextToken": "page-2"},
    )
    stubbed.stubber.add_client_error(
        "get_products",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform: pricing:GetProducts",
        http_status_code=400,
    )

    result = cli(["pricing", "refresh", "--region", "us-east-1"])

    assert result.exit_code == 6
    assert result.stdout == ""
    assert result.stderr == (
        "error: AWS Price List API refused the request: AccessDeniedException: "
        "not authorized to perform: pricing:GetProducts\n"
    )
    assert not (cache_dir / PRICES_FILENAME).exists()


def test_refresh_service_raises_external_error_without_writing(
    stubbed: StubbedPricing, tmp_path: Path
) -> None:
    stubbed.stubber.add_client_error("get_products", service_error_code="ThrottlingException")

    with pytest.raises(ExternalServiceError):
        costs.refresh_prices(
            ["eu-west-1"], session_factory=stubbed.session_factory, cache_dir=tmp_path / "c"
        )

    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").iterdir())


def test_an_unknown_profile_exits_2(cli: Any, cache_dir: Path) -> None:
    result = cli(["pricing", "refresh", "--region", "us-east-1", "--profile", "no-such-profile"])

    assert result.exit_code == 2
    assert result.stderr == "error: AWS profile 'no-such-profile' not found\n"
    assert not (cache_dir / PRICES_FILENAME).exists()


def test_a_bad_region_is_refused_before_any_aws_call(cli: Any, monkeypatch: Any) -> None:
    def no_aws(profile: str | None) -> Any:
        raise AssertionError("AWS must not be called")

    monkeypatch.setattr(costs, "session_factory_for", no_aws)

    result = cli(["pricing", "refresh", "--region", "mars-1"])

    assert result.exit_code == 2
    assert "invalid AWS region 'mars-1'" in result.stderr
