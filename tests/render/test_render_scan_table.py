"""``driftctl scan`` as text: plain when piped, Rich on a TTY, AWS strings never interpreted."""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console

from driftctl.render.scan_table import one_line, render_scan
from driftctl.render.table import safe
from tests.render.conftest import make_drift, make_result

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOX_DRAWING = re.compile("[\u2500-\u257f]")


def plain(result: dict[str, Any]) -> str:
    buffer = io.StringIO()
    render_scan(Console(file=buffer, width=200), result, tty=False)
    return buffer.getvalue()


def on_tty(result: dict[str, Any], width: int = 200) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=True,
        color_system="truecolor",
        no_color=False,
    )
    render_scan(console, result, tty=True)
    return buffer.getvalue()


def test_plain_output_has_summary_errors_and_drifts_by_severity(
    partial_result: dict[str, Any],
) -> None:
    out = plain(partial_result)
    lines = out.splitlines()

    assert lines[0].startswith("Scan 7f3e2a10: partial (source manual; account 123456789012;")
    assert lines[1] == (
        "Resources: 12, managed: 11, unmanaged: 1, missing: 1, modified: 4, in sync: 7, "
        "coverage: 91.7%"
    )
    assert "Scan incomplete: 2 errors" in out
    assert (
        "  ERROR RDS us-east-1: AccessDenied User: arn:aws:iam::123456789012:user/ci is not "
        "authorized to perform rds:DescribeDBInstances" in lines
    )
    assert "  ERROR S3 eu-west-1: RequestTimeout Read timeout on endpoint URL" in lines
    headings = [line for line in lines if re.fullmatch(r"(CRITICAL|WARNING|INFO) \(\d+\)", line)]
    assert headings == ["CRITICAL (2)", "WARNING (2)", "INFO (2)"]
    assert lines[-1] == "6 drifts: 2 critical, 2 warning, 2 info"


def test_summary_line_counts_and_coverage() -> None:
    result = make_result([make_drift()])
    result["summary"].update(
        total_resources=42,
        managed=30,
        unmanaged=12,
        missing=2,
        modified=3,
        in_sync=27,
        coverage=0.7143,
    )
    assert plain(result).splitlines()[1] == (
        "Resources: 42, managed: 30, unmanaged: 12, missing: 2, modified: 3, in sync: 27, "
        "coverage: 71.4%"
    )


def test_each_drift_has_one_header_line_and_one_line_per_difference(
    partial_result: dict[str, Any],
) -> None:
    lines = plain(partial_result).splitlines()
    header = next(line for line in lines if "i-0abc1234def567890" in line)
    assert header.split() == [
        "1a2b3c4d",
        "warning",
        "modified",
        "EC2",
        "i-0abc1234def567890",
        "us-east-1",
        "detected",
        "+$30.37/mo",
    ]
    i = lines.index(header)
    assert lines[i + 1] == "      instance_type: t3.medium → t3.large (+$30.37/mo)"
    assert lines[i + 2].startswith("      tags.Owner: team-a → ")
    # Not stored (--no-store or an approved unstored row): "-" instead of a short id.
    missing = next(line for line in lines if "legacy-assets" in line)
    assert missing.split()[:3] == ["-", "warning", "missing"]
    assert lines[lines.index(missing) + 1] == "      (in IaC, not found in AWS)"
    unmanaged = next(line for line in lines if "ci-admin" in line)
    assert lines[lines.index(unmanaged) + 1] == "      (in AWS, in no IaC source)"


def test_columns_are_aligned(partial_result: dict[str, Any]) -> None:
    lines = plain(partial_result).splitlines()
    headers = [line for line in lines if re.match(r"  \S", line) and "ERROR" not in line]
    assert len(headers) == 6
    starts = {tuple(m.start() for m in re.finditer(r"\S+", line))[:7] for line in headers}
    assert len(starts) == 1


def test_plain_output_has_no_ansi_and_shows_markup_and_escapes_literally(
    partial_result: dict[str, Any],
) -> None:
    out = plain(partial_result)
    assert "\x1b" not in out
    assert not BOX_DRAWING.search(out)
    assert "[bold red]x[/]" in out
    assert "\\x1b[31mred" in out
    assert "<script>x</script> | [a](b)" in out


def test_tty_output_is_coloured_but_aws_text_stays_literal(partial_result: dict[str, Any]) -> None:
    out = on_tty(partial_result)
    assert ANSI.search(out), "a terminal gets colour"
    assert "\x1b[1;31mcritical" in out  # severity colour
    assert "[bold red]x[/]" in out  # not interpreted as Rich markup
    assert "\\x1b[31mred" in out  # ESC shown escaped ...
    assert "\x1b[31mred" not in out  # ... never sent to the terminal
    assert not BOX_DRAWING.search(out)


def test_tty_and_plain_carry_the_same_text(partial_result: dict[str, Any]) -> None:
    # Narrow terminal: long lines are left to the terminal to wrap, not split by Rich.
    assert ANSI.sub("", on_tty(partial_result, width=40)) == plain(partial_result)


def test_control_and_layout_characters_cannot_forge_lines() -> None:
    drift = make_drift(
        difference={
            "tags.Note": {
                "change": "changed",
                "expected": "a",
                "actual": "line1\nCRITICAL (9)\tx\u202egnp.exe\x07",
            }
        }
    )
    out = plain(make_result([drift]))
    assert "line1\\nCRITICAL (9)\\tx\\u202egnp.exe\\x07" in out
    assert "\nCRITICAL (9)" not in out
    assert "\u202e" not in out and "\x07" not in out


def test_no_drift_messages(clean_result: dict[str, Any]) -> None:
    out = plain(clean_result)
    assert out.splitlines()[-1] == "No drift found."
    assert "ERROR" not in out
    partial = make_result(
        [],
        status="partial",
        errors=[
            {"resource_type": "EC2", "region": "us-east-1", "code": "Throttling", "message": "x"}
        ],
    )
    out = plain(partial)
    assert (
        out.splitlines()[-1] == "No drift found in the resource types and regions that were read."
    )
    assert "  ERROR EC2 us-east-1: Throttling x" in out
    assert "No drift found." in ANSI.sub("", on_tty(clean_result))


def test_not_stored_scan_and_failed_scan() -> None:
    result = make_result(
        [make_drift(id=None)],
        id=None,
        status="failed",
        errors=[
            {"resource_type": "EC2", "region": "us-east-1", "code": "ExpiredToken", "message": "x"}
        ],
    )
    out = plain(result)
    assert out.startswith("Scan (not stored): failed")
    assert "Scan failed: 1 error;" in out


def test_saving_is_shown_with_a_minus_sign() -> None:
    drift = make_drift(
        cost_impact_monthly=15.18,
        difference={
            "instance_type": {
                "change": "changed",
                "expected": "t3.large",
                "actual": "t3.medium",
                "monthly_cost_delta": -15.18,
            }
        },
    )
    out = plain(make_result([drift]))
    assert "-$15.18/mo" in out
    assert "+$15.18" not in out


def test_one_line_escapes_everything_safe_escapes() -> None:
    for code in range(0x3000):
        ch = chr(code)
        if safe(ch) != ch:
            assert one_line(ch) == safe(ch), hex(code)
    assert one_line("tab\there") == "tab\\there"
    assert one_line({"b": 1, "a": "x\ny"}) == '{"a": "x\\ny", "b": 1}'
    assert one_line(None) == ""
