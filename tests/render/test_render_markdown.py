"""``scan -o markdown``: a step summary that AWS strings cannot break or inject into."""

from __future__ import annotations

import re
from typing import Any

from driftctl.render.markdown import MAX_BYTES, md_escape, render_markdown
from tests.render.conftest import make_drift, make_result

# A cell separator is a "|" that no backslash escapes.
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def test_hostile_tag_value_is_escaped_and_keeps_the_table(partial_result: dict[str, Any]) -> None:
    drift = make_drift(
        difference={
            "tags.Name": {
                "change": "changed",
                "expected": "web",
                "actual": "<script>x</script> | [a](b)",
            }
        },
        resource_id="i-<img src=x onerror=alert(1)>|x",
    )
    text = render_markdown(make_result([drift]))
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;x&lt;/script&gt; \\| \\[a\\](b)" in text
    rows = table_rows(text.split("### ")[-1])
    assert len(rows) == 3  # header, separator, the drift
    assert {len(CELL_SEPARATOR.findall(row)) for row in rows} == {8}  # 7 columns


def test_every_table_keeps_its_column_count(partial_result: dict[str, Any]) -> None:
    text = render_markdown(partial_result)
    for section in text.split("\n\n"):
        rows = table_rows(section)
        if rows:
            assert len({len(CELL_SEPARATOR.findall(row)) for row in rows}) == 1, section
    # The only raw HTML is our own line breaks between differences.
    assert set(re.findall(r"<[^>]*>", text)) <= {"<br>"}


def test_layout_of_a_partial_scan(partial_result: dict[str, Any]) -> None:
    text = render_markdown(partial_result)
    lines = text.splitlines()
    assert lines[0] == (
        "## 🔴 driftctl scan: 6 drifts (2 critical, 2 warning, 2 info) — partial scan"
    )
    assert "| Resources | Managed | Unmanaged | Missing | Modified | In sync | Coverage |" in lines
    assert "| 12 | 11 | 1 | 1 | 4 | 7 | 91.7% |" in lines
    assert "### ⚠️ Scan errors (2)" in lines
    assert "| RequestTimeout |" in text and "| S3 | eu-west-1 |" in text
    headings = [line for line in lines if line.startswith("### ") and "Scan errors" not in line]
    assert headings == ["### 🔴 Critical (2)", "### 🟠 Warning (2)", "### 🔵 Info (2)"]
    ec2 = next(line for line in lines if "i-0abc1234def567890" in line)
    cells = [c.strip() for c in CELL_SEPARATOR.split(ec2)[1:-1]]
    assert cells[:6] == [
        "`1a2b3c4d`",
        "modified",
        "EC2 i-0abc1234def567890",
        "us-east-1",
        "detected",
        "+\\$30.37/mo",
    ]
    assert cells[6].split("<br>")[0] == "instance\\_type: t3.medium → t3.large (+\\$30.37/mo)"
    unstored = next(line for line in lines if "legacy-assets" in line)
    assert CELL_SEPARATOR.split(unstored)[1].strip() == "-"


def test_heading_emoji_follows_the_outcome(clean_result: dict[str, Any]) -> None:
    assert render_markdown(clean_result).startswith("## ✅ driftctl scan: no drift\n")
    assert "No drift found." in render_markdown(clean_result)
    partial = make_result([], status="partial")
    assert render_markdown(partial).startswith("## ⚠️ driftctl scan: no drift — partial scan")
    failed = make_result([make_drift(severity="critical")], status="failed")
    assert render_markdown(failed).startswith("## ❌ driftctl scan: 1 drift (1 critical)")
    info = make_result([make_drift(severity="info")])
    assert render_markdown(info).startswith("## 🔵 driftctl scan: 1 drift (1 info)")


def test_md_escape_neutralises_markdown_and_html() -> None:
    assert md_escape("*bold* _it_ `code` ~~s~~ $x$ @org/team #12") == (
        "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\$x\\$ \\@org/team \\#12"
    )
    assert md_escape("a & b <i> \\ |") == "a &amp; b &lt;i&gt; \\\\ \\|"
    assert md_escape("&lt;") == "&amp;lt;"
    assert md_escape("two\nlines\x1b") == "two\\\\nlines\\\\x1b"


def test_newline_in_a_value_does_not_end_the_row() -> None:
    drift = make_drift(
        difference={"tags.X": {"change": "changed", "expected": "a", "actual": "b\n| fake | row |"}}
    )
    rows = table_rows(render_markdown(make_result([drift])).split("### ")[-1])
    assert len(rows) == 3


def test_output_is_capped_with_a_truncation_note() -> None:
    long_value = "v" * 250
    drifts = [
        make_drift(
            resource_id=f"i-{i:017x}",
            difference={
                f"tags.K{j}": {"change": "changed", "expected": "a", "actual": long_value}
                for j in range(5)
            },
        )
        for i in range(1200)
    ]
    text = render_markdown(make_result(drifts))
    assert len(text.encode("utf-8")) <= MAX_BYTES
    shown = sum(1 for line in text.splitlines() if line.startswith("| `"))
    assert 0 < shown < len(drifts)
    assert f"Output truncated: {shown} of {len(drifts)} drifts shown" in text
    assert "1 MiB" in text


def test_small_limit_and_untruncated_output() -> None:
    drifts = [make_drift(resource_id=f"i-{i:017x}") for i in range(50)]
    text = render_markdown(make_result(drifts), max_bytes=6000)
    assert len(text.encode("utf-8")) <= 6000
    assert "Output truncated" in text
    assert "Output truncated" not in render_markdown(make_result(drifts))
