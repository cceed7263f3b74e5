"""Monthly cost impact of drifts: hourly on-demand delta x 730, rounded to cents."""

from __future__ import annotations

from typing import Any

import pytest

from driftctl.diff.pricing import CostImpact, PriceTable, cost_delta


def ec2(instance_type: str, **extra: Any) -> dict[str, Any]:
    return {"instance_type": instance_type, "ami": "ami-12345678", **extra}


def rds(instance_class: str, *, multi_az: bool = False, storage: int = 20) -> dict[str, Any]:
    return {
        "instance_class": instance_class,
        "engine": "postgres",
        "multi_az": multi_az,
        "allocated_storage": storage,
    }


# --- EC2 ---------------------------------------------------------------------------------------


def test_t3_medium_to_t3_large_in_us_east_1() -> None:
    impact = cost_delta("EC2", "us-east-1", "modified", ec2("t3.medium"), ec2("t3.large"))

    # (0.0832 - 0.0416) x 730 = 30.368
    assert impact == CostImpact(
        30.37,
        unknown=False,
        note="t3.medium -> t3.large in us-east-1 (on-demand prices as of 2024-06-01)",
    )
    assert impact.monthly_abs == 30.37


def test_a_smaller_type_is_a_saving() -> None:
    impact = cost_delta("EC2", "us-east-1", "modified", ec2("m5.xlarge"), ec2("m5.large"))

    assert impact.monthly_delta == -70.08  # (0.096 - 0.192) x 730
    assert impact.monthly_abs == 70.08
    assert not impact.unknown


def test_an_instance_type_change_costs_differently_by_region() -> None:
    virginia = cost_delta("EC2", "us-east-1", "modified", ec2("t3.micro"), ec2("t3.xlarge"))
    tokyo = cost_delta("EC2", "ap-northeast-1", "modified", ec2("t3.micro"), ec2("t3.xlarge"))

    assert virginia.monthly_delta == 113.88  # (0.1664 - 0.0104) x 730
    assert tokyo.monthly_delta == 148.92  # (0.2176 - 0.0136) x 730


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (ec2("t3.medium"), ec2("t3.medium", ami="ami-87654321")),  # another attribute drifted
        ({"ami": "ami-12345678"}, ec2("t3.large")),  # IaC does not manage the type
    ],
    ids=["same-type", "type-not-managed"],
)
def test_no_type_change_costs_nothing(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    assert cost_delta("EC2", "us-east-1", "modified", expected, actual) == CostImpact(0.0)


def test_an_unmanaged_instance_costs_its_full_price() -> None:
    impact = cost_delta("EC2", "us-east-1", "unmanaged", None, ec2("m5.large"))

    assert impact.monthly_delta == 70.08  # 0.096 x 730
    assert not impact.unknown
    assert impact.note.startswith("unmanaged m5.large in us-east-1")


def test_the_same_unmanaged_instance_costs_more_in_frankfurt() -> None:
    virginia = cost_delta("EC2", "us-east-1", "unmanaged", None, ec2("t3.medium"))
    frankfurt = cost_delta("EC2", "eu-central-1", "unmanaged", None, ec2("t3.medium"))

    assert virginia.monthly_delta == 30.37  # 0.0416 x 730
    assert frankfurt.monthly_delta == 35.04  # 0.048 x 730


def test_a_missing_instance_saves_its_full_price() -> None:
    impact = cost_delta("EC2", "us-west-2", "missing", ec2("c7g.xlarge"), None)

    assert impact.monthly_delta == -105.85  # 0.145 x 730
    assert not impact.unknown


def test_an_unknown_type_gives_zero_and_a_note() -> None:
    impact = cost_delta("EC2", "us-east-1", "modified", ec2("t3.medium"), ec2("t9.huge"))

    assert impact == CostImpact(0.0, unknown=True, note="unknown price for t9.huge in us-east-1")


def test_an_unknown_region_gives_zero_and_a_note_naming_both_types() -> None:
    impact = cost_delta("EC2", "mars-north-1", "modified", ec2("t3.medium"), ec2("t3.large"))

    assert impact.monthly_delta == 0.0
    assert impact.unknown
    assert impact.note == "unknown price for t3.large, t3.medium in mars-north-1"


def test_an_unmanaged_instance_of_unknown_type_gives_zero() -> None:
    impact = cost_delta("EC2", "us-east-1", "unmanaged", None, ec2("x99.metal"))

    assert (impact.monthly_delta, impact.unknown) == (0.0, True)
    assert "x99.metal" in impact.note


def test_an_unmanaged_instance_without_a_type_is_unknown() -> None:
    impact = cost_delta("EC2", "us-east-1", "unmanaged", None, {"ami": "ami-1"})

    assert (impact.monthly_delta, impact.unknown) == (0.0, True)


# --- RDS ---------------------------------------------------------------------------------------


def test_an_rds_class_change() -> None:
    impact = cost_delta("RDS", "us-east-1", "modified", rds("db.m5.large"), rds("db.m5.xlarge"))

    assert impact.monthly_delta == 129.94  # (0.356 - 0.178) x 730
    assert impact.note.startswith("db.m5.large -> db.m5.xlarge in us-east-1")


def test_multi_az_on_doubles_instance_and_storage() -> None:
    impact = cost_delta(
        "RDS",
        "us-east-1",
        "modified",
        rds("db.t3.micro", storage=20),
        rds("db.t3.micro", multi_az=True, storage=20),
    )

    # instance (0.036 - 0.018) x 730 = 13.14, standby storage 20 GB x 0.115 = 2.30
    assert impact.monthly_delta == 15.44
    assert impact.note.startswith("Multi-AZ on in us-east-1")


def test_multi_az_off_is_a_saving() -> None:
    impact = cost_delta(
        "RDS",
        "us-east-1",
        "modified",
        rds("db.r5.large", multi_az=True, storage=100),
        rds("db.r5.large", multi_az=False, storage=100),
    )

    assert impact.monthly_delta == -194.00  # 0.25 x 730 + 100 x 0.115


def test_storage_20_to_100_gb() -> None:
    impact = cost_delta(
        "RDS",
        "us-east-1",
        "modified",
        rds("db.t3.micro", storage=20),
        rds("db.t3.micro", storage=100),
    )

    assert impact.monthly_delta == 9.20  # 80 GB x 0.115
    assert impact.note.startswith("storage 20 -> 100 GB in us-east-1")


def test_storage_growth_on_multi_az_counts_both_copies() -> None:
    impact = cost_delta(
        "RDS",
        "us-east-1",
        "modified",
        rds("db.t3.micro", multi_az=True, storage=20),
        rds("db.t3.micro", multi_az=True, storage=100),
    )

    assert impact.monthly_delta == 18.40


def test_a_storage_change_is_priced_where_the_class_price_is_unknown() -> None:
    # eu-west-1 has a storage price in the bundled table but no db.m6i prices.
    impact = cost_delta(
        "RDS",
        "eu-west-1",
        "modified",
        rds("db.m6i.large", storage=20),
        rds("db.m6i.large", storage=100),
    )

    assert (impact.monthly_delta, impact.unknown) == (10.16, False)  # 80 GB x 0.127


def test_class_and_storage_change_together() -> None:
    impact = cost_delta(
        "RDS",
        "us-east-1",
        "modified",
        rds("db.t3.micro", storage=20),
        rds("db.t3.small", storage=50),
    )

    # (0.036 - 0.018) x 730 = 13.14; 30 GB x 0.115 = 3.45
    assert impact.monthly_delta == 16.59
    assert impact.note.startswith("db.t3.micro -> db.t3.small, storage 20 -> 50 GB")


def test_attributes_iac_does_not_manage_add_no_cost() -> None:
    expected = {"instance_class": "db.t3.micro"}  # multi_az and storage left to AWS
    actual = rds("db.t3.micro", multi_az=True, storage=500)

    assert cost_delta("RDS", "us-east-1", "modified", expected, actual) == CostImpact(0.0)


def test_an_unknown_db_class_gives_zero_and_a_note() -> None:
    impact = cost_delta("RDS", "us-east-1", "modified", rds("db.t3.micro"), rds("db.x9.huge"))

    assert impact == CostImpact(0.0, unknown=True, note="unknown price for db.x9.huge in us-east-1")


def test_an_unknown_multi_az_class_names_the_deployment() -> None:
    impact = cost_delta("RDS", "eu-west-1", "unmanaged", None, rds("db.t3.micro", multi_az=True))

    assert impact.unknown
    assert impact.note == "unknown price for db.t3.micro (Multi-AZ) in eu-west-1"


def test_a_missing_db_saves_instance_and_storage() -> None:
    impact = cost_delta("RDS", "us-east-1", "missing", rds("db.m5.large", storage=100), None)

    # 0.178 x 730 = 129.94, 100 GB x 0.115 = 11.50
    assert impact.monthly_delta == -141.44
    assert impact.note.startswith("missing db.m5.large 100 GB in us-east-1")


def test_an_unmanaged_multi_az_db_costs_its_full_price() -> None:
    impact = cost_delta(
        "RDS", "us-east-2", "unmanaged", None, rds("db.t4g.medium", multi_az=True, storage=50)
    )

    # 0.13 x 730 = 94.90, 2 x 50 GB x 0.115 = 11.50
    assert impact.monthly_delta == 106.40


# --- everything else ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "drift_type"),
    [
        ("S3", "modified"),
        ("SECURITY_GROUP", "unmanaged"),
        ("IAM_ROLE", "missing"),
    ],
)
def test_other_resource_types_cost_nothing(resource_type: str, drift_type: str) -> None:
    impact = cost_delta(resource_type, "us-east-1", drift_type, {"tags": {}}, {"tags": {"a": "b"}})

    assert impact == CostImpact(0.0, unknown=False, note="")


def test_an_invalid_drift_type_is_refused() -> None:
    with pytest.raises(ValueError):
        cost_delta("EC2", "us-east-1", "changed", ec2("t3.medium"), ec2("t3.large"))


def test_a_given_table_and_its_hours_per_month_are_used() -> None:
    table = PriceTable.from_dict(
        {
            "as_of": "2030-01-01",
            "source": "test",
            "currency": "USD",
            "hours_per_month": 720,
            "ec2": {"us-east-1": {"t3.medium": 0.05, "t3.large": 0.1}},
        }
    )

    impact = cost_delta(
        "EC2", "us-east-1", "modified", ec2("t3.medium"), ec2("t3.large"), table=table
    )

    assert impact.monthly_delta == 36.0  # 0.05 x 720
    assert "as of 2030-01-01" in impact.note


def test_rounding_is_to_the_nearest_cent_half_up() -> None:
    # t3.nano: 0.0052 x 730 = 3.796
    assert cost_delta("EC2", "us-east-1", "unmanaged", None, ec2("t3.nano")).monthly_delta == 3.80
    # t3a.nano: 0.0047 x 730 = 3.431
    assert cost_delta("EC2", "us-east-1", "missing", ec2("t3a.nano"), None).monthly_delta == -3.43
