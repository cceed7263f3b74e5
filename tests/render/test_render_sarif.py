"""``scan -o sarif``: a SARIF 2.1.0 log that GitHub code scanning accepts."""

from __future__ import annotations

import json
import random
import re
from typing import Any

from driftctl import __version__
from driftctl.render.sarif import MAX_RESULTS, render_sarif
from tests.render.conftest import make_drift, make_result

LEVELS = {"critical": "error", "warning": "warning", "info": "note"}


def sarif(result: dict[str, Any]) -> dict[str, Any]:
    log = json.loads(render_sarif(result))
    assert isinstance(log, dict)
    return log


def check_structure(log: dict[str, Any]) -> dict[str, Any]:
    """The parts of SARIF 2.1.0 that GitHub requires; returns the one run."""
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "driftctl"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
        assert len(rule["properties"]["tags"]) <= 20
    assert len(run["results"]) <= MAX_RESULTS
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        assert res["message"]["text"]
        assert len(res["locations"]) == 1
        physical = res["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert physical["region"]["startLine"] == 1
        assert len(res["partialFingerprints"]["driftctl/v1"]) == 64
    assert isinstance(run["invocations"][0]["executionSuccessful"], bool)
    assert isinstance(run, dict)
    return run


def by_resource(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {res["properties"]["resource_id"]: res for res in run["results"]}


def test_log_structure_and_one_result_per_drift(partial_result: dict[str, Any]) -> None:
    run = check_structure(sarif(partial_result))
    assert len(run["results"]) == len(partial_result["drifts"])
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert ids == [
        "driftctl/missing/S3",
        "driftctl/modified/EC2",
        "driftctl/modified/RDS",
        "driftctl/modified/SECURITY_GROUP",
        "driftctl/unmanaged/IAM_ROLE",
    ]


def test_levels_fingerprints_and_properties_follow_each_drift(
    partial_result: dict[str, Any],
) -> None:
    run = check_structure(sarif(partial_result))
    results = by_resource(run)
    for drift in partial_result["drifts"]:
        res = results[drift["resource_id"]]
        assert res["level"] == LEVELS[drift["severity"]]
        assert res["ruleId"] == f"driftctl/{drift['drift_type']}/{drift['resource_type']}"
        assert res["partialFingerprints"]["driftctl/v1"] == drift["fingerprint"]
        line_hash = res["partialFingerprints"]["primaryLocationLineHash"]
        assert re.fullmatch(r"[0-9a-f]{16}:1", line_hash)
        props = res["properties"]
        for key in ("resource_type", "resource_id", "region", "drift_type", "severity"):
            assert props[key] == drift[key]
        assert props["cost_impact_monthly"] == drift["cost_impact_monthly"]
    # Most severe first.
    levels = [res["level"] for res in run["results"]]
    assert levels == sorted(levels, key=["error", "warning", "note"].index)


def test_rule_severity_comes_from_its_worst_drift(partial_result: dict[str, Any]) -> None:
    rules = {r["id"]: r for r in check_structure(sarif(partial_result))["tool"]["driver"]["rules"]}
    sg = rules["driftctl/modified/SECURITY_GROUP"]
    assert sg["properties"]["security-severity"] == "9.0"
    assert sg["defaultConfiguration"]["level"] == "error"
    assert "security" in sg["properties"]["tags"]
    # EC2 has a warning and an info drift: the rule is as severe as the warning.
    assert rules["driftctl/modified/EC2"]["properties"]["security-severity"] == "5.0"
    assert rules["driftctl/unmanaged/IAM_ROLE"]["properties"]["security-severity"] == "2.0"
    assert rules["driftctl/unmanaged/IAM_ROLE"]["defaultConfiguration"]["level"] == "note"


def test_locations_point_at_the_state_file(partial_result: dict[str, Any]) -> None:
    results = by_resource(check_structure(sarif(partial_result)))

    def uri(resource_id: str) -> str:
        location = results[resource_id]["locations"][0]["physicalLocation"]
        return str(location["artifactLocation"]["uri"])

    assert uri("i-0abc1234def567890") == "states/prod.tfstate"
    # Claimed by two states: the first one.
    assert uri("orders-db") == "states/prod.tfstate"
    assert uri("legacy-assets") == "states/shared.tfstate"
    # Unmanaged: in no state; the first state the scan read.
    assert uri("ci-admin") == "states/prod.tfstate"
    logical = results["i-0abc1234def567890"]["locations"][0]["logicalLocations"][0]
    assert logical == {"fullyQualifiedName": "module.web.aws_instance.app[0]", "kind": "resource"}


def test_unknown_source_falls_back_to_terraform_tfstate() -> None:
    drift = make_drift(drift_type="unmanaged", iac_source=None, difference={})
    run = check_structure(sarif(make_result([drift], iac_sources=[])))
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "terraform.tfstate"


def test_remote_and_absolute_sources_are_uris() -> None:
    drifts = [
        make_drift(
            resource_id="i-1", iac_source="s3://state-bucket/prod/terraform.tfstate#aws_instance.a"
        ),
        make_drift(
            resource_id="i-2", iac_source="/srv/infra/my states/prod.tfstate#aws_instance.b"
        ),
    ]
    results = by_resource(check_structure(sarif(make_result(drifts))))
    uris = {
        k: v["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for k, v in results.items()
    }
    assert uris == {
        "i-1": "s3://state-bucket/prod/terraform.tfstate",
        "i-2": "file:///srv/infra/my%20states/prod.tfstate",
    }


def test_message_is_plain_text_with_the_differences(partial_result: dict[str, Any]) -> None:
    results = by_resource(check_structure(sarif(partial_result)))
    text = results["i-0abc1234def567890"]["message"]["text"]
    lines = text.splitlines()
    assert lines[0].startswith("warning: EC2 i-0abc1234def567890 (us-east-1, 123456789012)")
    assert "cost impact +$30.37/mo" in lines[0]
    assert "- instance\\_type" not in text  # plain text, not Markdown
    assert lines[1] == "- instance_type: t3.medium → t3.large (+$30.37/mo)"
    # The tag value could forge an embedded link "[a](b)": its brackets are escaped.
    assert "\\[a\\](b)" in text
    assert "[a](b)" not in text
    assert "\\x1b" in text  # ESC shown, not carried
    assert "\x1b" not in text
    # Brackets that cannot form a link are left readable.
    sg = results["sg-0123456789abcdef0"]["message"]["text"]
    assert "- ingress[tcp:22:0.0.0.0/0]: (added) → " in sg


def test_approved_drift_is_suppressed(partial_result: dict[str, Any]) -> None:
    results = by_resource(check_structure(sarif(partial_result)))
    assert results["legacy-assets"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "bucket retired on purpose, see ticket OPS-42",
        }
    ]
    assert "suppressions" not in results["i-0abc1234def567890"]


def test_scan_errors_become_tool_notifications(partial_result: dict[str, Any]) -> None:
    run = check_structure(sarif(partial_result))
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 6
    assert invocation["startTimeUtc"] == "2024-05-01T10:00:00.000Z"
    assert invocation["endTimeUtc"] == "2024-05-01T10:00:12.250Z"
    notes = invocation["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["AccessDenied", "RequestTimeout"]
    assert all(n["level"] == "error" for n in notes)
    assert notes[0]["message"]["text"].startswith("RDS us-east-1: AccessDenied User: arn:aws")
    assert run["properties"]["status"] == "partial"
    assert run["properties"]["truncated"] is False


def test_clean_scan_has_no_results(clean_result: dict[str, Any]) -> None:
    run = check_structure(sarif(clean_result))
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in run["invocations"][0]


def test_output_is_deterministic(partial_result: dict[str, Any]) -> None:
    shuffled = dict(partial_result)
    shuffled["drifts"] = list(partial_result["drifts"])
    random.Random(7).shuffle(shuffled["drifts"])
    assert render_sarif(partial_result) == render_sarif(shuffled)


def test_fingerprint_is_computed_when_absent() -> None:
    a = make_drift()
    b = dict(a)
    del b["fingerprint"]
    fa = sarif(make_result([a]))["runs"][0]["results"][0]["partialFingerprints"]
    fb = sarif(make_result([b]))["runs"][0]["results"][0]["partialFingerprints"]
    assert fa == fb


def test_results_are_capped_at_25000_keeping_the_most_severe() -> None:
    template = make_drift(id=None, severity="warning")
    drifts = []
    for i in range(25_010):
        drift = dict(template)
        drift["resource_id"] = f"i-{i:017x}"
        drift["fingerprint"] = f"{i:064x}"
        drift["severity"] = "info" if i % 2500 == 0 else "warning"  # 11 info drifts
        drifts.append(drift)
    drifts[-1]["severity"] = "critical"
    log = sarif(make_result(drifts))
    run = check_structure(log)
    assert len(run["results"]) == MAX_RESULTS
    assert run["results"][0]["level"] == "error"
    assert sum(1 for r in run["results"] if r["level"] == "note") == 1  # 10 of 11 info cut
    props = run["properties"]
    assert props["truncated"] is True
    assert props["total_results"] == 25_010
    assert props["reported_results"] == MAX_RESULTS
    assert "10 of 25010" in props["truncation_note"]
