"""ECS comparison traps the conformance test cannot reach with moto's fewer defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from driftctl.resources import SENSITIVE
from driftctl.types import ecs
from driftctl.types.ecs_task_definition import family_of

WRITTEN = {
    "name": "web",
    "image": "web:1",
    "portMappings": [{"containerPort": 80}],
    "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
}
# What AWS answers for the same definition in awsvpc mode.
AWS = {
    "name": "web",
    "image": "web:1",
    "cpu": 0,
    "essential": True,
    "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
    "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
    "mountPoints": [],
    "volumesFrom": [],
    "systemControls": [],
    "logConfiguration": None,
    "dockerLabels": {},
}


def test_defaults_aws_fills_in_are_not_drift() -> None:
    assert ecs.containers([WRITTEN], "awsvpc") == ecs.containers([AWS], "awsvpc")


def test_a_fixed_host_port_in_bridge_mode_and_udp_are_kept() -> None:
    bridge = ecs.container(
        {"name": "dns", "portMappings": [{"containerPort": 53, "hostPort": 53, "protocol": "udp"}]},
        "bridge",
    )
    assert bridge["portMappings"] == [{"containerPort": 53, "hostPort": 53, "protocol": "udp"}]
    dynamic = ecs.container(
        {"name": "x", "portMappings": [{"containerPort": 80, "hostPort": 0}]}, "bridge"
    )
    assert dynamic["portMappings"] == [{"containerPort": 80}]


def test_a_container_that_is_not_essential_differs() -> None:
    assert ecs.containers([{**WRITTEN, "essential": False}], "awsvpc") != ecs.containers(
        [AWS], "awsvpc"
    )


def test_secret_looking_environment_values_are_masked() -> None:
    found = ecs.container(
        {"name": "x", "environment": [{"name": "DB_PASSWORD", "value": "hunter2-not-real"}]},
        None,
    )
    assert found["environment"] == [{"name": "DB_PASSWORD", "value": SENSITIVE}]
    assert "hunter2" not in str(ecs.containers([found], None))


def test_a_family_from_any_reference() -> None:
    arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"
    assert family_of(arn) == family_of("web:3") == family_of("web") == "web"


def test_desired_count_under_autoscaling_is_ignored_with_one_driftignore_line() -> None:
    from driftctl.diff.driftignore import DriftIgnore

    ignore = DriftIgnore.parse("aws_ecs_service.*.desired_count\n")
    arn = "arn:aws:ecs:us-east-1:123456789012:service/platform/api"
    difference = {
        "desired_count": {"change": "changed", "expected": 2, "actual": 9},
        "task_definition": {"change": "changed", "expected": "web:3", "actual": "web:4"},
    }
    assert ignore.warnings == ()
    assert list(ignore.filter_difference("ECS_SERVICE", arn, difference)) == ["task_definition"]


def test_a_service_naming_only_the_family_runs_any_revision() -> None:
    from driftctl.diff.compare import diff_attributes

    assert (
        diff_attributes("ECS_SERVICE", {"task_definition": "web"}, {"task_definition": "web:7"})
        == {}
    )
    assert diff_attributes(
        "ECS_SERVICE", {"task_definition": "web:6"}, {"task_definition": "web:7"}
    )


def test_access_denied_on_one_ecs_call_leaves_that_type_partial_in_that_region(
    tmp_path: Path,
) -> None:
    import boto3
    from botocore.exceptions import ClientError

    from driftctl.scanner.runner import ScanPlan, scan_actual
    from tests.types.entries import ENTRIES
    from tests.types.harness import REGION, emulated_account

    def denied(**_kwargs: Any) -> None:
        error = {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}
        raise ClientError(error, "DescribeTaskDefinition")

    def session() -> boto3.session.Session:
        fresh = boto3.session.Session(region_name=REGION)
        fresh.events.register("before-call.ecs.DescribeTaskDefinition", denied)
        return fresh

    with emulated_account(ENTRIES["ECS_TASK_DEFINITION"], tmp_path):
        actual = scan_actual(
            ScanPlan(
                resource_types=["ECS_TASK_DEFINITION", "ECS_CLUSTER"],
                regions=[REGION],
                session_factory=session,
                expected_ids={"ECS_TASK_DEFINITION": frozenset({"web"})},
            )
        )
    assert [(e.resource_type, e.region, e.code) for e in actual.errors] == [
        ("ECS_TASK_DEFINITION", REGION, "AccessDeniedException")
    ]
    assert ("ECS_CLUSTER", REGION) in actual.read_ok
    assert ("ECS_TASK_DEFINITION", REGION) not in actual.read_ok


def test_secret_looking_log_options_and_labels_are_masked() -> None:
    found = ecs.container(
        {
            "name": "x",
            "logConfiguration": {
                "logDriver": "splunk",
                "options": {"splunk-token": "abc-not-real", "splunk-url": "https://splunk"},
            },
            "dockerLabels": {"api_token": "xyz-not-real", "team": "web"},
        },
        None,
    )
    assert found["logConfiguration"]["options"] == {
        "splunk-token": SENSITIVE,
        "splunk-url": "https://splunk",
    }
    assert found["dockerLabels"] == {"api_token": SENSITIVE, "team": "web"}
