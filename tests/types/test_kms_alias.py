"""KMS_ALIAS traps the conformance test does not reach: the forms an alias and its key go by."""

from __future__ import annotations

from driftctl.iac.instance import StateInstance, read_schema
from driftctl.types import kms_alias

KEY = "0d5f2a4e-7c1b-4e8a-9b6d-3f2e1a0c9b8d"


def test_an_alias_is_known_by_its_name_or_its_arn() -> None:
    assert kms_alias.alias_name("arn:aws:kms:us-east-1:123456789012:alias/app") == "alias/app"
    assert kms_alias.alias_name("alias/app") == "alias/app"


def test_a_key_arn_and_its_key_id_are_the_same_target() -> None:
    arn = f"arn:aws:kms:us-east-1:123456789012:key/{KEY}"
    for value in (arn, KEY):
        inst = StateInstance({"attributes": {"target_key_id": value}}, "test")
        assert read_schema(inst, kms_alias.SCHEMA) == {"target_key_id": KEY}
