"""The demo estate: no drift right after it is built, then exactly the drift it lists."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from driftctl.demo import (
    ASSETS_BUCKET,
    BASTION,
    CONSOLE_BUCKET,
    DATABASE,
    DEMO_ACCOUNT_ID,
    DEMO_REGION,
    LOGS_BUCKET,
    WEB_0,
    WEB_ROLE,
    WEB_SECURITY_GROUP,
    build_demo_estate,
    bundled_state_path,
    demo_environment,
)
from driftctl.diff.pricing import bundled_price_table, cost_delta
from driftctl.domain import DriftType, Severity
from driftctl.errors import InternalError
from driftctl.iac.sources import load_expected
from driftctl.iac.terraform_state import parse_state
from driftctl.types.build import rewrite_ids
from tests.demo.demo_helpers import DemoRun

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
# Prefixes of the ids the emulator hands out instead of the bundled state's.
_ID_LIKE = re.compile(
    r"^(vpc|subnet|sg|sgr|i|eni|vol|rtb|acl|dopt|db)-[0-9a-zA-Z]+$|^A(ROA|IPA)[0-9A-Z]+$"
)


def _bundled() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(bundled_state_path().read_text(encoding="utf-8"))
    return doc


def _db_attributes(doc: dict[str, Any]) -> dict[str, Any]:
    resource = next(r for r in doc["resources"] if r["type"] == "aws_db_instance")
    attributes: dict[str, Any] = resource["instances"][0]["attributes"]
    return attributes


def _unmanaged_id(run: DemoRun, resource_type: str) -> str:
    return next(
        i.resource_id
        for i in run.estate.injected
        if i.resource_type == resource_type and i.drift_type is DriftType.UNMANAGED
    )


def _findings(run: DemoRun) -> set[tuple[str, str, str, tuple[str, ...]]]:
    return {
        (f.resource_type, f.resource_id, f.drift_type.value, tuple(sorted(f.difference)))
        for f in run.comparison.findings
    }


# -- the bundled state -----------------------------------------------------------------------


def test_bundled_state_is_a_terraform_1x_state_driftctl_reads() -> None:
    doc = _bundled()
    assert doc["version"] == 4
    assert doc["terraform_version"].startswith("1.")
    assert isinstance(doc["serial"], int) and doc["lineage"]
    providers = {r["provider"] for r in doc["resources"]}
    assert providers == {'provider["registry.terraform.io/hashicorp/aws"]'}

    state = load_expected([str(bundled_state_path())])

    assert [(r.resource_type, r.resource_id) for r in state.resources] == [
        ("DB_SUBNET_GROUP", "webapp-db"),
        ("EC2", "i-08b2e6d4f1a9c7353"),
        ("EC2", "i-0a4c8e2f6b1d39571"),
        ("EC2", "i-0d7f3a9c1e5b28460"),
        ("IAM_INSTANCE_PROFILE", "webapp-web"),
        ("IAM_ROLE", "webapp-auditor"),
        ("IAM_ROLE", "webapp-web"),
        ("RDS", "webapp-db"),
        ("S3", "acme-webapp-access-logs-prod"),
        ("S3", "acme-webapp-assets-prod"),
        ("SECURITY_GROUP", "sg-02a9c4e7b1d5f8036"),
        ("SECURITY_GROUP", "sg-0f4d2e8a1c7b93652"),
        ("SUBNET", "subnet-04c2a7e91f3b6d528"),
        ("SUBNET", "subnet-07f3c8a2e5d1b9046"),
        ("SUBNET", "subnet-0e9d1b4f7a2c63815"),
        ("VPC", "vpc-0b3e6f1c2d4a59870"),
    ]
    assert state.skipped_types == {}
    assert state.regions == {DEMO_REGION}
    by_id = {r.resource_id: r for r in state.resources}
    web_0 = by_id["i-0d7f3a9c1e5b28460"]
    assert web_0.sources == [f"{bundled_state_path()}#{WEB_0}"]
    assert web_0.account_id == DEMO_ACCOUNT_ID
    # Provider default_tags reach the expected tags through tags_all.
    assert web_0.attributes["tags"]["ManagedBy"] == "terraform"
    assert web_0.attributes["tags"]["Name"] == "webapp-web-0"
    # The separate rule resource and the split S3 resources merge into their parents.
    assert by_id["sg-02a9c4e7b1d5f8036"].attributes["ingress"] == ["tcp:22:10.0.0.0/8"]
    assets = by_id["acme-webapp-assets-prod"].attributes
    assert assets["versioning"] == "Enabled"
    assert assets["public_access_block"]["block_public_policy"] is True
    assert by_id["webapp-auditor"].attributes["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    ]


def test_bundled_state_marks_the_database_password_sensitive() -> None:
    db = next(r for r in _bundled()["resources"] if r["type"] == "aws_db_instance")
    instance = db["instances"][0]
    assert instance["attributes"]["password"]
    assert [{"type": "get_attr", "value": "password"}] in instance["sensitive_attributes"]


# -- before any drift ------------------------------------------------------------------------


def test_estate_built_from_the_state_has_no_drift(clean: DemoRun) -> None:
    assert clean.estate.injected == []
    assert clean.actual.errors == []
    assert clean.comparison.findings == []
    assert clean.comparison.not_seen == []
    counts = clean.comparison.counts
    assert (counts.managed, counts.in_sync, counts.unmanaged, counts.missing) == (16, 16, 0, 0)


def test_written_state_differs_from_the_bundled_one_only_by_ids(clean: DemoRun) -> None:
    bundled = _bundled()
    written = json.loads(clean.estate.state_path.read_text(encoding="utf-8"))
    pairs: dict[str, str] = {}

    def walk(a: Any, b: Any, where: str) -> None:
        assert type(a) is type(b), where
        if isinstance(a, dict):
            assert a.keys() == b.keys(), where
            for key in a:
                walk(a[key], b[key], f"{where}.{key}")
        elif isinstance(a, list):
            assert len(a) == len(b), where
            for n, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{n}]")
        elif isinstance(a, str) and a != b:
            for old, new in zip(re.split(r"[/:]", a), re.split(r"[/:]", b), strict=True):
                if old != new:
                    assert _ID_LIKE.match(old) and _ID_LIKE.match(new), f"{where}: {a} -> {b}"
                    assert pairs.setdefault(old, new) == new, where
        else:
            assert a == b, where

    # Each run is a new emulated account: its state gets a lineage of its own, so its drifts
    # are never taken for an earlier run's.
    assert written["lineage"] != bundled["lineage"]
    uuid.UUID(written["lineage"])
    written["lineage"] = bundled["lineage"]
    walk(bundled, written, "$")
    assert len(set(pairs.values())) == len(pairs)
    rewritten_text = clean.estate.state_path.read_text(encoding="utf-8")
    assert not any(old in rewritten_text for old in pairs)
    # Every compared resource now carries the id AWS (the emulator) reports.
    actual_ids = {(r.resource_type, r.resource_id) for r in clean.actual.resources}
    assert {(r.resource_type, r.resource_id) for r in clean.expected.resources} <= actual_ids
    assert parse_state(rewritten_text, "written").resources


def test_resource_ids_name_the_emulated_resources(clean: DemoRun) -> None:
    ids = clean.estate.resource_ids
    assert ids[DATABASE] == "webapp-db"
    assert ids[WEB_ROLE] == "webapp-web"
    assert ids[ASSETS_BUCKET] == "acme-webapp-assets-prod"
    assert ids[WEB_0].startswith("i-") and ids[WEB_0] != "i-0d7f3a9c1e5b28460"
    assert ids[WEB_SECURITY_GROUP].startswith("sg-")
    assert clean.estate.region == DEMO_REGION
    assert clean.estate.account_id == clean.actual.account_id == DEMO_ACCOUNT_ID


# -- with the injected drift -----------------------------------------------------------------


def test_injected_drift_gives_exactly_these_findings(drifted: DemoRun) -> None:
    ids = drifted.estate.resource_ids
    assert drifted.actual.errors == []
    assert _findings(drifted) == {
        ("EC2", ids[WEB_0], "modified", ("instance_type",)),
        ("EC2", ids[BASTION], "modified", ("tags.Owner",)),
        ("EC2", _unmanaged_id(drifted, "EC2"), "unmanaged", ()),
        ("IAM_ROLE", "webapp-web", "modified", (f"managed_policy_arns[{ADMIN}]",)),
        ("RDS", "webapp-db", "modified", ("publicly_accessible",)),
        ("S3", "acme-webapp-access-logs-prod", "missing", ()),
        ("S3", "acme-webapp-assets-prod", "modified", ("versioning",)),
        ("S3", CONSOLE_BUCKET, "unmanaged", ()),
        ("SECURITY_GROUP", ids[WEB_SECURITY_GROUP], "modified", ("ingress[tcp:22:0.0.0.0/0]",)),
        ("SECURITY_GROUP", _unmanaged_id(drifted, "SECURITY_GROUP"), "unmanaged", ()),
    }
    counts = drifted.comparison.counts
    assert (counts.modified, counts.missing, counts.unmanaged, counts.in_sync) == (6, 1, 3, 9)


def test_injected_list_describes_every_finding(drifted: DemoRun) -> None:
    injected = {(i.resource_type, i.resource_id, i.drift_type) for i in drifted.estate.injected}
    found = {(f.resource_type, f.resource_id, f.drift_type) for f in drifted.comparison.findings}
    assert injected == found
    assert len(drifted.estate.injected) == len(injected)
    assert all(i.description for i in drifted.estate.injected)
    assert {i.drift_type for i in drifted.estate.injected} == set(DriftType)
    assert drifted.estate.resource_ids[LOGS_BUCKET] == "acme-webapp-access-logs-prod"


def test_differences_show_what_changed(drifted: DemoRun) -> None:
    diff = {f.resource_id: f.difference for f in drifted.comparison.findings}
    ids = drifted.estate.resource_ids
    assert diff[ids[WEB_0]]["instance_type"] == {
        "change": "changed",
        "expected": "t3.micro",
        "actual": "t3.large",
    }
    assert diff[ids[BASTION]]["tags.Owner"] == {
        "change": "changed",
        "expected": "platform-team",
        "actual": "security-team",
    }
    assert diff[ids[WEB_SECURITY_GROUP]]["ingress[tcp:22:0.0.0.0/0]"]["change"] == "added"
    assert diff["acme-webapp-assets-prod"]["versioning"] == {
        "change": "changed",
        "expected": "Enabled",
        "actual": "Suspended",
    }
    assert diff["webapp-db"]["publicly_accessible"] == {
        "change": "changed",
        "expected": False,
        "actual": True,
    }
    assert diff["webapp-web"][f"managed_policy_arns[{ADMIN}]"]["change"] == "added"


def test_severities(drifted: DemoRun) -> None:
    severity = {(f.resource_id, f.drift_type): f.severity for f in drifted.comparison.findings}
    ids = drifted.estate.resource_ids
    modified = DriftType.MODIFIED
    for critical in (
        (ids[WEB_SECURITY_GROUP], modified),
        ("acme-webapp-assets-prod", modified),
        ("webapp-db", modified),
        ("webapp-web", modified),
        (_unmanaged_id(drifted, "SECURITY_GROUP"), DriftType.UNMANAGED),
    ):
        assert severity[critical] is Severity.CRITICAL, critical
    assert severity[(ids[WEB_0], modified)] is Severity.WARNING
    assert severity[("acme-webapp-access-logs-prod", DriftType.MISSING)] is Severity.WARNING
    assert severity[(ids[BASTION], modified)] is Severity.INFO
    assert severity[(CONSOLE_BUCKET, DriftType.UNMANAGED)] is Severity.INFO
    assert severity[(_unmanaged_id(drifted, "EC2"), DriftType.UNMANAGED)] is Severity.INFO
    assert drifted.comparison.by_severity == {"critical": 5, "warning": 2, "info": 3}


def test_console_resources_are_tagged_by_the_console(drifted: DemoRun) -> None:
    actual = {r.resource_id: r for r in drifted.actual.resources}
    instance = actual[_unmanaged_id(drifted, "EC2")]
    assert instance.attributes["tags"]["CreatedBy"] == "console"
    assert instance.attributes["instance_type"] == "t3.medium"
    assert actual[CONSOLE_BUCKET].attributes["tags"] == {"CreatedBy": "console"}
    wizard = actual[_unmanaged_id(drifted, "SECURITY_GROUP")]
    assert wizard.attributes["name"] == "launch-wizard-1"
    assert wizard.attributes["ingress"] == ["tcp:22:0.0.0.0/0"]


def test_resize_has_a_cost_impact(drifted: DemoRun) -> None:
    finding = next(
        f for f in drifted.comparison.findings if f.difference.get("instance_type") is not None
    )
    impact = cost_delta(
        finding.resource_type,
        finding.region,
        finding.drift_type.value,
        finding.expected_state,
        finding.actual_state,
    )
    table = bundled_price_table()
    hourly = (table.ec2_hourly("t3.large", DEMO_REGION) or 0) - (
        table.ec2_hourly("t3.micro", DEMO_REGION) or 0
    )
    assert not impact.unknown
    assert impact.monthly_delta > 0
    assert impact.monthly_delta == pytest.approx(hourly * table.hours_per_month, abs=0.01)


def test_database_password_never_reaches_driftctl(clean: DemoRun, drifted: DemoRun) -> None:
    password = _db_attributes(_bundled())["password"]
    assert password in clean.estate.state_path.read_text(encoding="utf-8")  # it is a real state
    for run in (clean, drifted):
        for resource in run.expected.resources:
            assert "password" not in resource.attributes
            assert password not in json.dumps(resource.attributes, default=str)
        for finding in run.comparison.findings:
            seen = [finding.expected_state, finding.actual_state, finding.difference]
            assert password not in json.dumps(seen, default=str)
        assert password not in repr(run.estate)


# -- the environment and the emulation --------------------------------------------------------


def test_demo_environment_hides_real_aws_settings_and_restores_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEREALKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_REGION", raising=False)

    with demo_environment():
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            assert name not in os.environ
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert os.environ["AWS_CONFIG_FILE"] == os.devnull
        session = boto3.session.Session()
        assert session.region_name == DEMO_REGION
        credentials = session.get_credentials()
        assert credentials is not None and credentials.access_key == "testing"

    assert os.environ["AWS_PROFILE"] == "production"
    assert os.environ["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:4566"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAEXAMPLEREALKEY"
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert "AWS_REGION" not in os.environ
    assert "AWS_CONFIG_FILE" not in os.environ


def test_demo_environment_restores_after_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    with pytest.raises(RuntimeError), demo_environment():
        raise RuntimeError("boom")
    assert os.environ["AWS_PROFILE"] == "production"


def test_build_refuses_an_emulation_without_aws_managed_policies(tmp_path: Path) -> None:
    with demo_environment(), mock_aws():
        session = boto3.session.Session(region_name=DEMO_REGION)
        with pytest.raises(InternalError, match="demo_mock"):
            build_demo_estate(session, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_rewrite_ids_replaces_whole_ids_only() -> None:
    text = '["i-0abc", "i-0abcd", "arn:aws:ec2:us-east-1:1:instance/i-0abc", "x-i-0abc"]'
    assert rewrite_ids(text, {"i-0abc": "i-9fff"}) == (
        '["i-9fff", "i-0abcd", "arn:aws:ec2:us-east-1:1:instance/i-9fff", "x-i-0abc"]'
    )
