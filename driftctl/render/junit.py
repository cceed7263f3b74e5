"""``scan -o junit``: JUnit XML for CI test reports (GitLab, Jenkins, Azure DevOps, ...).

One test suite, "driftctl scan". Each drift is a test case (class = resource type, name =
``resource_id [region]``): a ``<failure>`` listing its differences, or ``<skipped>`` when the drift
is approved (approved drifts no longer fail CI, SPEC §5). The resources that are in sync share one
passing test case, and each scan error (a resource type and region that could not be read) is an
``<error>`` test case. ``tests`` counts the resources the scan considered plus the scan errors.

Everything is written with ``xml.etree`` (which escapes ``&<>"``); characters XML 1.0 cannot
carry at all (ESC and other C0 controls) are shown as ``\\x1b`` escapes first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from driftctl.render.scan_table import (
    coverage_text,
    drift_difference_lines,
    error_text,
    format_cost,
    one_line,
    sorted_drifts,
)
from driftctl.render.table import safe

SUITE_NAME = "driftctl scan"

# Everything outside XML 1.0's Char production (after ``safe`` has made C0/C1 controls visible,
# what may remain are U+FFFE/U+FFFF and lone surrogates).
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> str:
    """Text that XML 1.0 can carry: control characters and non-characters shown escaped."""
    return _NOT_XML_CHAR.sub(lambda m: f"\\u{ord(m.group()):04x}", safe(value))


def render_junit(result: Mapping[str, Any]) -> str:
    """The scan result (SPEC §6 JSON shape) as a JUnit XML document; raises nothing itself."""
    scan: Mapping[str, Any] = result.get("scan") or {}
    summary: Mapping[str, Any] = result.get("summary") or {}
    drifts = sorted_drifts(result.get("drifts") or [])
    errors: Sequence[Mapping[str, Any]] = scan.get("errors") or []

    in_sync = _int(summary.get("in_sync"))
    drift_cases = [_drift_case(d) for d in drifts]
    # An empty suite reads as "no tests ran" in most CI UIs: keep the in-sync case then too.
    show_in_sync = in_sync > 0 or not (drift_cases or errors)
    resource_cases = len(drift_cases) + (1 if show_in_sync else 0)
    considered = _int(summary.get("total_resources")) + _int(summary.get("missing"))
    failures = sum(1 for d in drifts if d.get("status") != "approved")
    skipped = len(drifts) - failures
    counts = {
        "tests": str(max(considered, resource_cases) + len(errors)),
        "failures": str(failures),
        "errors": str(len(errors)),
        "skipped": str(skipped),
        "time": _seconds(scan.get("started_at"), scan.get("finished_at")),
    }

    # Both schemas CI tools validate with must accept the document: Jenkins xUnit's allows no
    # "skipped" on <testsuites> and the strict Ant schema no attributes there at all, so the
    # counts live on <testsuite>, which also carries the Ant schema's required package, id,
    # hostname, a timestamp without fraction or offset (UTC) and system-out/system-err.
    root = ET.Element("testsuites")
    suite_attrs = {
        "name": SUITE_NAME,
        "package": "driftctl",
        "id": "0",
        **counts,
        "timestamp": _timestamp(scan.get("started_at")),
        "hostname": _hostname(),
    }
    suite = ET.SubElement(root, "testsuite", suite_attrs)
    _properties(suite, result, scan, summary)
    for error in sorted(errors, key=error_text):
        _error_case(suite, error)
    for case in drift_cases:
        suite.append(case)
    if show_in_sync:
        ET.SubElement(
            suite,
            "testcase",
            {"classname": "driftctl", "name": f"in sync: {in_sync} resources", "time": "0"},
        )
    ET.SubElement(suite, "system-out").text = xml_text(_system_out(scan, summary))
    ET.SubElement(suite, "system-err").text = xml_text(
        "\n".join(error_text(e) for e in sorted(errors, key=error_text))
    )
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _properties(
    suite: ET.Element, result: Mapping[str, Any], scan: Mapping[str, Any], summary: Any
) -> None:
    values: list[tuple[str, Any]] = [
        ("scan.id", scan.get("id")),
        ("scan.status", scan.get("status")),
        ("scan.source", scan.get("source")),
        ("scan.account_ids", ", ".join(str(v) for v in scan.get("account_ids") or [])),
        ("scan.regions", ", ".join(str(v) for v in scan.get("regions") or [])),
        ("scan.iac_sources", ", ".join(str(v) for v in scan.get("iac_sources") or [])),
        ("summary.coverage", coverage_text(summary)),
        ("exit_code", result.get("exit_code")),
    ]
    props = ET.SubElement(suite, "properties")
    for name, value in values:
        if value not in (None, ""):
            ET.SubElement(props, "property", {"name": name, "value": xml_text(value)})


def _drift_case(drift: Mapping[str, Any]) -> ET.Element:
    name = f"{one_line(drift.get('resource_id'))} [{one_line(drift.get('region'))}]"
    case = ET.Element(
        "testcase",
        {
            "classname": xml_text(one_line(drift.get("resource_type"))),
            "name": xml_text(name),
            "time": "0",
        },
    )
    severity = one_line(drift.get("severity"))
    drift_type = one_line(drift.get("drift_type"))
    lines = drift_difference_lines(drift)
    summary = f"{severity} {drift_type} drift: {len(lines)} difference{'s' * (len(lines) != 1)}"
    if not drift.get("difference"):
        summary = f"{severity} {drift_type} drift: {lines[0]}"
    details = [
        f"drift id: {one_line(drift.get('id') or '-')}",
        f"status: {one_line(drift.get('status'))}",
        f"account: {one_line(drift.get('account_id') or '-')}",
    ]
    if drift.get("iac_source"):
        details.append(f"iac source: {one_line(drift['iac_source'])}")
    cost = format_cost(drift)
    if cost:
        details.append(f"cost impact: {cost}")
    text = "\n".join([*lines, "", *details])
    if drift.get("status") == "approved":
        reason = one_line(drift.get("approval_reason") or "")
        message = f"approved {drift_type} drift" + (f": {reason}" if reason else "")
        ET.SubElement(case, "skipped", {"message": xml_text(message)})
        return case
    failure = ET.SubElement(case, "failure", {"message": xml_text(summary), "type": severity})
    failure.text = xml_text(text)
    return case


def _error_case(suite: ET.Element, error: Mapping[str, Any]) -> None:
    where = " ".join(
        one_line(error.get(k))
        for k in ("resource_type", "region")
        if error.get(k) not in (None, "")
    )
    case = ET.SubElement(
        suite,
        "testcase",
        {"classname": "driftctl.scan", "name": xml_text(f"scan {where or 'error'}"), "time": "0"},
    )
    code = one_line(error.get("code") or "ScanError")
    element = ET.SubElement(
        case,
        "error",
        {"message": xml_text(one_line(error.get("message") or code)), "type": xml_text(code)},
    )
    element.text = xml_text(
        f"{error_text(error)}\nDrift in this resource type and region was not checked."
    )


def _system_out(scan: Mapping[str, Any], summary: Mapping[str, Any]) -> str:
    status = one_line(scan.get("status") or "unknown")
    regions = ", ".join(one_line(r) for r in scan.get("regions") or []) or "-"
    return f"scan {one_line(scan.get('id') or '(not stored)')}: {status}; regions {regions}; " + (
        f"coverage {coverage_text(summary)}"
    )


def _timestamp(value: Any) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC: the Ant schema takes no fraction and no offset."""
    try:
        stamp = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        stamp = datetime.now(UTC)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S")


def _hostname() -> str:
    import socket

    name = one_line(socket.gethostname()).strip()
    return xml_text(name) if name else "localhost"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def _seconds(started: Any, finished: Any) -> str:
    try:
        delta = datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))
    except (TypeError, ValueError):
        return "0"
    return f"{max(delta.total_seconds(), 0.0):.3f}"
