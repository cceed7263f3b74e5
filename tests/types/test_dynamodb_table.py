"""DynamoDB traps: the autoscaling knob documented for .driftignore, AWS's default encryption."""

from __future__ import annotations

from driftctl.diff.compare import diff_attributes
from driftctl.diff.driftignore import DriftIgnore
from driftctl.types import dynamodb_table

TYPE = "DYNAMODB_TABLE"


def test_the_documented_driftignore_lines_hide_autoscaled_capacity_only() -> None:
    lines = [
        line.strip()
        for line in (dynamodb_table.__doc__ or "").splitlines()
        if line.strip().startswith("aws_dynamodb_table.")
    ]
    assert len(lines) == 3
    ignore = DriftIgnore.parse("\n".join(lines))
    expected = {
        "read_capacity": 10,
        "write_capacity": 5,
        "global_secondary_index": {"by-status": {"read_capacity": 5, "hash_key": "status"}},
        "deletion_protection_enabled": True,
    }
    actual = {
        "read_capacity": 40,
        "write_capacity": 9,
        "global_secondary_index": {"by-status": {"read_capacity": 20, "hash_key": "status"}},
        "deletion_protection_enabled": False,
    }
    difference = diff_attributes(TYPE, expected, actual)
    assert set(ignore.filter_difference(TYPE, "orders", difference)) == {
        "deletion_protection_enabled"
    }


def test_no_encryption_block_is_the_aws_owned_key() -> None:
    expected = {"server_side_encryption": {"enabled": False}, "table_class": None}
    actual = {
        "server_side_encryption": {"enabled": False, "kms_key_arn": None},
        "table_class": None,
    }
    assert diff_attributes(TYPE, expected, actual) == {}


def _ttl_calls(expected: dict[str, object], actual: dict[str, object]) -> list[object]:
    from driftctl.remediation.plan import plan_drift

    difference = diff_attributes(TYPE, {"ttl": expected}, {"ttl": actual})
    plan = plan_drift(
        resource_type=TYPE,
        resource_id="orders",
        region="us-east-1",
        account_id="123456789012",
        drift_type="modified",
        difference=difference,
        expected={"ttl": expected},
        actual={"ttl": actual},
    )
    return [c.params["TimeToLiveSpecification"] for c in plan.calls]


def test_ttl_is_turned_on_with_the_iac_attribute_and_off_naming_aws_attribute() -> None:
    assert _ttl_calls(
        {"enabled": True, "attribute_name": "expires_at"},
        {"enabled": False, "attribute_name": None},
    ) == [{"Enabled": True, "AttributeName": "expires_at"}]
    assert _ttl_calls(
        {"enabled": False, "attribute_name": None},
        {"enabled": True, "attribute_name": "touched_at"},
    ) == [{"Enabled": False, "AttributeName": "touched_at"}]


def test_ttl_moved_to_another_attribute_gets_no_call() -> None:
    # AWS refuses a second TTL change within the hour: that move is left to terraform apply.
    assert (
        _ttl_calls(
            {"enabled": True, "attribute_name": "expires_at"},
            {"enabled": True, "attribute_name": "touched_at"},
        )
        == []
    )
