"""CLOUDWATCH_EVENT_TARGET traps the conformance test does not reach: only the targets of rules
the state names are read, and a target id is matched against rules whose names hold ``-``."""

from __future__ import annotations

import boto3
from moto import mock_aws

from driftctl.scanner.runner import ScanPlan, scan_actual


def _scan(expected: dict[str, frozenset[str]]) -> tuple[set[str], dict[str, int]]:
    scan = scan_actual(
        ScanPlan(
            resource_types=["CLOUDWATCH_EVENT_TARGET"],
            regions=["us-east-1"],
            session_factory=lambda: boto3.session.Session(region_name="us-east-1"),
            expected_ids=expected,
        )
    )
    assert scan.errors == []
    return {r.resource_id for r in scan.resources}, scan.api_calls


def test_only_targets_of_rules_the_state_names_are_read() -> None:
    with mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        for rule, target in (("app", "jobs-t1"), ("app-jobs", "t2"), ("other", "t3")):
            events.put_rule(Name=rule, ScheduleExpression="rate(1 hour)")
            events.put_targets(
                Rule=rule, Targets=[{"Id": target, "Arn": f"arn:aws:sqs:us-east-1:1:{rule}"}]
            )

        found, calls = _scan({"CLOUDWATCH_EVENT_TARGET": frozenset({"app-jobs-t2"})})
        # "app-jobs-t2" may be rule "app" or rule "app-jobs": both are read, "other" is not.
        assert found == {"app-jobs-t1", "app-jobs-t2"}
        assert calls["eventbridge:ListTargetsByRule"] == 2

        found, calls = _scan({"CLOUDWATCH_EVENT_RULE": frozenset({"other"})})
        assert found == {"other-t3"}
        assert calls["eventbridge:ListTargetsByRule"] == 1

        found, calls = _scan({})
        assert found == set() and "eventbridge:ListTargetsByRule" not in calls


def test_secret_looking_keys_of_a_constant_input_are_never_kept() -> None:
    from driftctl.resources import SENSITIVE
    from driftctl.types.cloudwatch_event_target import masked_input

    doc = masked_input('{"report": "nightly", "auth": {"api_token": "abc123"}}')
    assert doc == {"report": "nightly", "auth": {"api_token": SENSITIVE}}
    assert masked_input("not json") == "not json"
    assert masked_input("") is None
