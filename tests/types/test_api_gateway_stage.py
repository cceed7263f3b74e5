"""Stage ids and method-setting spellings the conformance test cannot reach."""

from __future__ import annotations

from driftctl.types import api_gateway_stage as stage


def test_the_provider_id_and_the_arn_name_the_same_stage() -> None:
    assert stage.canonical_id("ags-a1b2c3d4e5-prod-eu") == "a1b2c3d4e5/prod-eu"
    arn = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod-eu"
    assert stage.canonical_id(arn) == "a1b2c3d4e5/prod-eu"


def test_numbers_read_alike_whatever_their_spelling() -> None:
    state = stage.setting_members("*/*", {"throttling_rate_limit": 100, "caching_enabled": True})
    aws = stage.setting_members("*/*", {"throttling_rate_limit": 100.0, "caching_enabled": True})
    assert state == aws == ["*/*: caching_enabled=true", "*/*: throttling_rate_limit=100"]
    assert stage.setting_value("0.5") == "0.5"
