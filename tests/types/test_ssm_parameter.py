"""SSM parameter traps the conformance test cannot reach."""

from __future__ import annotations

from driftctl.diff.compare import diff_attributes
from driftctl.types.ssm_parameter import RESOURCE_TYPE, parameter_name


def test_intelligent_tiering_is_whatever_tier_aws_picked() -> None:
    expected = {"tier": "Intelligent-Tiering"}
    assert diff_attributes(RESOURCE_TYPE, expected, {"tier": "Advanced"}) == {}
    assert diff_attributes(RESOURCE_TYPE, {"tier": "Standard"}, {"tier": "Advanced"})


def test_names_from_arns() -> None:
    arn = "arn:aws:ssm:us-east-1:123456789012:parameter"
    assert parameter_name(f"{arn}/orders/db/password") == "/orders/db/password"
    assert parameter_name(f"{arn}/plain") == "plain"
    assert parameter_name("/orders/x") == "/orders/x"
