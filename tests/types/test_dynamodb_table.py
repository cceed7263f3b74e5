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
