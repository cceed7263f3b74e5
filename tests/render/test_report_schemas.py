"""``scan -o junit`` and ``-o sarif`` validate against the schemas CI tools check them with.

The schemas are in ``tests/data/schemas/`` (see its README for where each comes from): Jenkins
xUnit's ``junit-10.xsd``, the strict Ant ``JUnit.xsd`` and the OASIS SARIF 2.1.0 JSON schema.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from driftctl.render.junit import render_junit
from driftctl.render.sarif import render_sarif
from tests.render.conftest import make_drift, make_result, realistic_drifts

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"
JUNIT_SCHEMAS = ("jenkins-xunit-junit-10.xsd", "windyroad-JUnit.xsd")


@cache
def _xsd(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def _results() -> dict[str, dict[str, Any]]:
    return {
        "realistic": make_result(realistic_drifts()),
        "partial": make_result(
            realistic_drifts(),
            status="partial",
            errors=[
                {
                    "resource_type": "RDS",
                    "region": "eu-west-1",
                    "code": "AccessDenied",
                    "message": "not authorized",
                }
            ],
        ),
        "clean": make_result([]),
        "approved only": make_result([make_drift(status="approved", approval_reason="ok")]),
        "no timestamps": {"scan": {}, "summary": {}, "drifts": [make_drift()]},
    }


@pytest.mark.parametrize("schema", JUNIT_SCHEMAS)
@pytest.mark.parametrize("case", list(_results()))
def test_junit_validates_against_both_xsds(schema: str, case: str) -> None:
    document = etree.fromstring(render_junit(_results()[case]).encode("utf-8"))

    xsd = _xsd(schema)
    assert xsd.validate(document), xsd.error_log.last_error


def test_junit_timestamp_is_utc_without_fraction_or_offset() -> None:
    result = make_result([], started_at="2024-05-01T12:00:00.123456+02:00")

    suite = etree.fromstring(render_junit(result).encode("utf-8"))[0]

    assert suite.get("timestamp") == "2024-05-01T10:00:00"
    assert suite.get("hostname")
    assert (suite.get("package"), suite.get("id")) == ("driftctl", "0")


@cache
def _sarif_validator() -> Any:
    from jsonschema import Draft7Validator

    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@pytest.mark.parametrize("case", list(_results()))
def test_sarif_validates_against_the_oasis_schema(case: str) -> None:
    log = json.loads(render_sarif(_results()[case]))

    errors = sorted(_sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_sarif_with_tf_locations_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from driftctl.iac.tf_config import declarations

    (tmp_path / "main.tf").write_text('resource "aws_instance" "app" {\n}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    drift = make_drift(iac_source="./prod.tfstate#aws_instance.app")

    log = json.loads(render_sarif(make_result([drift]), declarations=declarations([tmp_path])))

    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1
    }
    assert list(_sarif_validator().iter_errors(log)) == []
