"""The HTML report as a document: self-contained, escaped, with its data and charts."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from driftctl.cli.scan_output import render
from driftctl.db.types import utcnow
from driftctl.render.html_report import CSP, json_for_script, render_html, time_chart_svg
from driftctl.services.report import TimeChart, build_report, report_from_scan
from tests.report.dom import Node, parse
from tests.report.estate import BREAKOUT_ID, IMG_REGION, ODD_PATH, XSS_TAG, seed_report_estate


def embedded_data(doc: Node) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(doc.by_id("report-data").text)
    return data


def assert_self_contained(html: str) -> Node:
    """No network, no external assets, no injected markup; returns the parsed document."""
    assert html.startswith("<!DOCTYPE html>")
    assert re.search(r"https?:|//[a-z]", html, re.IGNORECASE) is None
    doc = parse(html)
    (csp,) = [m for m in doc.find_all("meta") if m.attrs.get("http-equiv")]
    assert csp.attrs == {"http-equiv": "Content-Security-Policy", "content": CSP}
    for directive in (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "script-src 'unsafe-inline'",
        "img-src data:",
    ):
        assert directive in CSP
    # The policy is in force before any script or style.
    head = doc.find("head")
    first = [c for c in head.children if isinstance(c, Node)]
    assert first[0].tag == "meta" and first[1] is csp
    scripts = doc.find_all("script")
    assert [s.attrs for s in scripts] == [{"type": "application/json", "id": "report-data"}, {}]
    assert doc.find_all("img") == [] and doc.find_all("iframe") == []
    for node in doc.walk():
        assert not any(name.startswith("on") for name in node.attrs), node
        for name in ("src", "href"):
            assert (node.attrs.get(name) or "data:").startswith("data:"), node
    assert doc.find_all("link") == [doc.find("link", rel="icon", href="data:,")]
    return doc


@pytest.fixture
def report_html(ctx: Any) -> str:
    seeded = seed_report_estate(ctx, utcnow())
    return render_html(build_report(ctx, now=seeded.now))


def test_the_report_is_self_contained_and_escaped(report_html: str) -> None:
    doc = assert_self_contained(report_html)

    for raw in (XSS_TAG, BREAKOUT_ID, IMG_REGION, "<b>Team</b>", "</script><"):
        assert raw not in report_html
    # Server-rendered markup carries the hostile region as text.
    assert "&lt;img src=x onerror=alert(3)&gt;" in report_html
    assert IMG_REGION in {n.text for n in doc.walk() if n.tag == "title"}
    # The table data survives the trip through the JSON element unchanged.
    data = embedded_data(doc)
    rows = {d["resource"]: d for d in data["drifts"]}
    hostile = rows[BREAKOUT_ID]
    assert hostile["region"] == IMG_REGION
    assert hostile["diff"] == [
        {
            "path": ODD_PATH,
            "change": "changed",
            "expected": "a&b",
            "actual": '{"k": "</script>"}',
            "cost": None,
        }
    ]
    assert rows["acme-logs"]["diff"][0]["actual"] == XSS_TAG


def test_the_report_has_summary_charts_and_every_open_drift(report_html: str) -> None:
    doc = parse(report_html)

    cards = {n.attrs["data-card"]: n.text for n in doc.walk() if "data-card" in n.attrs}
    assert cards == {
        "Open drifts": "6",
        "Awaiting a decision": "4",
        "Critical open": "2",
        "Monthly cost impact": "158.17 USD",
        "Resolved": "2",
    }
    figures = [f.find("figcaption").text for f in doc.find_all("figure")]
    assert figures == [
        "Drifts per day, last 30 days",
        "Monthly cost impact seen by each scan (USD)",
        "Open drifts by severity",
        "Open drifts by resource type",
        "Open drifts by region",
    ]
    assert len(doc.find_all("svg")) == 5
    # Cost per scan: three scans, one dot each, with its value in the tooltip.
    cost_chart = doc.find_all("figure")[1]
    tips = [c.find("title").text for c in cost_chart.find_all("circle")]
    assert [t.split(": ")[1] for t in tips] == [
        "115.18 USD/month",
        "125.12 USD/month",
        "30.37 USD/month",
    ]
    data = embedded_data(doc)
    assert data["total"] == 6
    assert sorted(d["status"] for d in data["drifts"]) == [
        "approved",
        "detected",
        "detected",
        "detected",
        "rejected",
        "triaged",
    ]
    assert [d["rank"] for d in data["drifts"]] == sorted(
        (d["rank"] for d in data["drifts"]), reverse=True
    )
    missing = next(d for d in data["drifts"] if d["kind"] == "missing")
    assert missing["diff"] == [
        {
            "path": "(resource)",
            "change": "removed",
            "expected": "declared in IaC",
            "actual": "(absent from AWS)",
            "cost": None,
        }
    ]


def test_json_for_script_cannot_close_its_element() -> None:
    value = {"a": "</script><!-- & \u2028\u2029 >", "b": ["<", 1.5, None]}

    text = json_for_script(value)

    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value


def test_a_time_chart_breaks_its_line_at_days_without_data() -> None:
    chart = TimeChart(
        title="cost <per> day",
        labels=("d1", "d2", "d3", "d4", "d5"),
        line=(1.0, 2.0, None, 4.0, 5.0),
        line_label="USD",
        unit="USD",
    )

    svg = parse(time_chart_svg(chart))

    assert len(svg.find_all("polyline")) == 2
    assert len(svg.find_all("circle")) == 4
    assert svg.find("figcaption").text == "cost <per> day"
    empty = parse(time_chart_svg(TimeChart(title="t", labels=("d1",), line=(None,))))
    assert "No data in this window." in empty.find("p").text


def test_report_command_writes_the_file(cli: Any, db_url: str, ctx: Any, tmp_path: Path) -> None:
    seed_report_estate(ctx, utcnow())
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()

    result = cli(["--db", db_url, "report", "--html", str(target), "--include-resolved"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"wrote {target} (8 drifts)\n"
    doc = assert_self_contained(target.read_text("utf-8"))
    assert embedded_data(doc)["total"] == 8


def test_report_to_stdout_and_a_limit(cli: Any, db_url: str, ctx: Any) -> None:
    seed_report_estate(ctx, utcnow())

    result = cli(["--db", db_url, "report", "--html", "-", "--limit", "2"])

    assert result.exit_code == 0, result.stderr
    doc = assert_self_contained(result.stdout)
    assert [d["severity"] for d in embedded_data(doc)["drifts"]] == ["critical", "critical"]
    assert "Showing the 2 most severe of 6 drifts." in result.stdout


def test_an_unwritable_report_path_exits_2(cli: Any, db_url: str, tmp_path: Path) -> None:
    result = cli(["--db", db_url, "report", "--html", str(tmp_path / "no-such-dir" / "r.html")])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot write the report to ")


# --- scan -o html -------------------------------------------------------------------------------


def scan_result(drifts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "scan": {
            "id": None,
            "started_at": "2030-01-02T03:04:05+00:00",
            "finished_at": "2030-01-02T03:04:09+00:00",
            "status": "completed",
            "source": "manual",
            "account_ids": ["123456789012"],
            "regions": ["us-east-1"],
            "iac_sources": ["states/<prod>.tfstate"],
            "errors": [],
        },
        "summary": {
            "total_resources": 3,
            "in_sync": 2,
            "modified": 1,
            "missing": 0,
            "unmanaged": 0,
        },
        "drifts": drifts,
        "exit_code": 1,
    }


def test_scan_html_renders_a_result_dict() -> None:
    drift = {
        "id": None,
        "resource_id": "i-0abc",
        "resource_type": "EC2",
        "region": "us-east-1",
        "drift_type": "modified",
        "severity": "warning",
        "status": "detected",
        "cost_impact_monthly": 30.37,
        "difference": {
            "instance_type": {
                "change": "changed",
                "expected": "t3.medium",
                "actual": "t3.large",
                "monthly_cost_delta": 30.37,
            }
        },
    }

    html = render(scan_result([drift]), "html")

    doc = assert_self_contained(html)
    facts = dict(
        zip([n.text for n in doc.find_all("dt")], [n.text for n in doc.find_all("dd")], strict=True)
    )
    assert facts["Scan"] == "not stored (--no-store)"
    assert facts["IaC sources"] == "states/<prod>.tfstate"
    assert facts["Resources"] == "3 in total, 2 in sync, 1 modified, 0 missing, 0 unmanaged"
    assert "states/&lt;prod&gt;.tfstate" in html
    (row,) = embedded_data(doc)["drifts"]
    assert row["diff"][0]["cost"] == 30.37
    assert row["cost"] == 30.37
    assert "A single scan has no history" in html


def test_scan_html_with_no_drift() -> None:
    report = report_from_scan(scan_result([]), now=datetime(2030, 1, 2, tzinfo=UTC))

    html = render_html(report)

    assert report.open_total == 0
    assert report.open_cost_impact_monthly == Decimal("0.00")
    doc = assert_self_contained(html)
    assert embedded_data(doc)["drifts"] == []
    assert "No open drifts." in html


def test_scan_command_prints_html(cli: Any, tmp_path: Path) -> None:
    from tests.costs.test_cost_series import write_state

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        instance_id = ec2.run_instances(
            ImageId="ami-12345678",
            InstanceType="t3.large",
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Owner", "Value": XSS_TAG}]}
            ],
        )["Instances"][0]["InstanceId"]
        state = write_state(tmp_path / "prod.tfstate", instance_id)
        result = cli(["scan", "--from", str(state), "--type", "EC2", "--no-store", "-o", "html"])

    assert result.exit_code == 1, result.stderr
    doc = assert_self_contained(result.stdout)
    assert XSS_TAG not in result.stdout
    (row,) = embedded_data(doc)["drifts"]
    assert row["resource"] == instance_id
    assert row["cost"] == 30.37
    assert [d["path"] for d in row["diff"]] == ["instance_type"]
    assert date.fromisoformat(row["detected"][:10]) == utcnow().date()
