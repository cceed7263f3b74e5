"""``scan -o junit``: JUnit XML that CI test reports parse, with every count right."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from driftctl.render.junit import render_junit
from tests.render.conftest import HOSTILE, make_drift, make_result


def parse(result: dict[str, Any]) -> ET.Element:
    text = render_junit(result)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def suite_of(root: ET.Element) -> ET.Element:
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    assert suites[0].get("name") == "driftctl scan"
    return suites[0]


def test_counts_of_a_partial_scan(partial_result: dict[str, Any]) -> None:
    root = parse(partial_result)
    suite = suite_of(root)
    summary = partial_result["summary"]
    drifts = partial_result["drifts"]
    errors = partial_result["scan"]["errors"]
    approved = [d for d in drifts if d["status"] == "approved"]

    expected_tests = summary["total_resources"] + summary["missing"] + len(errors)
    assert root.attrib == {}  # the strict Ant schema allows no attributes on <testsuites>
    for element in (suite,):
        assert element.get("tests") == str(expected_tests)
        assert element.get("failures") == str(len(drifts) - len(approved))
        assert element.get("errors") == str(len(errors))
        assert element.get("skipped") == str(len(approved))
        assert element.get("time") == "12.250"

    cases = suite.findall("testcase")
    assert len(cases) == len(drifts) + len(errors) + 1
    assert len([c for c in cases if c.find("failure") is not None]) == len(drifts) - len(approved)
    assert len([c for c in cases if c.find("skipped") is not None]) == len(approved)
    assert len([c for c in cases if c.find("error") is not None]) == len(errors)
    passing = [c for c in cases if len(c) == 0]
    assert suite[-2].tag == "system-out" and suite[-1].tag == "system-err"
    assert [c.get("name") for c in passing] == ["in sync: 7 resources"]
    assert int(suite.get("tests", "0")) >= len(cases)


def test_drift_testcase_names_and_failure(partial_result: dict[str, Any]) -> None:
    suite = suite_of(parse(partial_result))
    case = suite.find("testcase[@name='i-0abc1234def567890 [us-east-1]']")
    assert case is not None
    assert case.get("classname") == "EC2"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "warning"
    assert failure.get("message") == "warning modified drift: 2 differences"
    body = (failure.text or "").splitlines()
    assert body[0] == "instance_type: t3.medium → t3.large (+$30.37/mo)"
    assert body[1].startswith("tags.Owner: team-a → [bold red]x[/] \\x1b[31mred <script>x</script>")
    assert "iac source: ./states/prod.tfstate#module.web.aws_instance.app[0]" in body
    assert "cost impact: +$30.37/mo" in body

    sg = suite.find("testcase[@classname='SECURITY_GROUP']/failure")
    assert sg is not None and sg.get("type") == "critical"
    unmanaged = suite.find("testcase[@name='ci-admin [global]']/failure")
    assert unmanaged is not None
    assert unmanaged.get("message") == "info unmanaged drift: (in AWS, in no IaC source)"


def test_approved_drift_is_skipped_with_its_reason(partial_result: dict[str, Any]) -> None:
    suite = suite_of(parse(partial_result))
    skipped = suite.find("testcase[@name='legacy-assets [us-east-1]']/skipped")
    assert skipped is not None
    assert skipped.get("message") == (
        "approved missing drift: bucket retired on purpose, see ticket OPS-42"
    )


def test_scan_errors_are_error_testcases(partial_result: dict[str, Any]) -> None:
    suite = suite_of(parse(partial_result))
    errors = suite.findall("testcase/error")
    assert [e.get("type") for e in errors] == ["AccessDenied", "RequestTimeout"]
    names = [c.get("name") for c in suite.findall("testcase") if c.find("error") is not None]
    assert names == ["scan RDS us-east-1", "scan S3 eu-west-1"]
    assert "not authorized to perform rds:DescribeDBInstances" in (errors[0].get("message") or "")


def test_properties_describe_the_scan(partial_result: dict[str, Any]) -> None:
    suite = suite_of(parse(partial_result))
    props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    assert props["scan.id"] == partial_result["scan"]["id"]
    assert props["scan.status"] == "partial"
    assert props["scan.regions"] == "eu-west-1, us-east-1"
    assert props["exit_code"] == "6"


def test_xml_special_and_forbidden_characters_are_escaped() -> None:
    nasty = HOSTILE + ' & "quoted" \x00\x08\x0b\x0c\ufffe end'
    drift = make_drift(
        resource_id='i-<&">',
        difference={"tags.Name": {"change": "changed", "expected": "a", "actual": nasty}},
    )
    text = render_junit(make_result([drift]))
    assert "\x1b" not in text and "\x00" not in text and "\ufffe" not in text
    suite = suite_of(ET.fromstring(text.encode("utf-8")))
    case = suite.find("testcase[@classname='EC2']")
    assert case is not None
    assert case.get("name") == 'i-<&"> [us-east-1]'
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert '<script>x</script> | [a](b) & "quoted" \\x00\\x08\\x0b\\x0c\\ufffe end' in failure.text


def test_clean_scan_has_one_passing_testcase(clean_result: dict[str, Any]) -> None:
    suite = suite_of(parse(clean_result))
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["in sync: 7 resources"]
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    assert suite.get("tests") == "7"


def test_empty_scan_still_has_a_testcase() -> None:
    result = make_result([])
    result["summary"].update(total_resources=0, managed=0, in_sync=0, coverage=0.0)
    suite = suite_of(parse(result))
    assert [c.get("name") for c in suite.findall("testcase")] == ["in sync: 0 resources"]
    assert suite.get("tests") == "1"
