"""ECR's critical rule: a policy open to anyone, but only without a condition."""

from __future__ import annotations

from driftctl import normalize
from driftctl.diff.conditions import grants_public_unconditionally as open_to_anyone


def _policy(principal: object, condition: object = None) -> object:
    statement: dict[str, object] = {"Effect": "Allow", "Principal": principal, "Action": "ecr:*"}
    if condition:
        statement["Condition"] = condition
    return normalize.policy({"Version": "2012-10-17", "Statement": [statement]})


def test_principal_star_without_a_condition_is_open_to_anyone() -> None:
    assert open_to_anyone(_policy("*"))
    assert open_to_anyone(_policy({"AWS": "*"}))
    assert not open_to_anyone(_policy("*", {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}))
    assert not open_to_anyone(_policy({"AWS": "arn:aws:iam::210987654321:root"}))
