"""``scan -o markdown``: a GitHub-flavoured summary for ``$GITHUB_STEP_SUMMARY`` or a PR comment.

A heading with a status emoji, the counts, the scan's errors, then one table of drifts per
severity. Every string that comes from AWS or a state file is escaped (HTML entities for ``&<>``,
a backslash before Markdown punctuation, ``\\|`` for the table) so a tag value can neither inject
HTML nor break a table. GitHub refuses a step summary over 1 MiB, so the output stops before
that size with a note saying how many drifts were left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from driftctl.render.scan_table import (
    coverage_text,
    drift_difference_lines,
    format_cost,
    group_by_severity,
    one_line,
    short_id,
)

MAX_BYTES = 1024 * 1024
# Room kept for the truncation note, so the note itself never crosses the limit.
_RESERVE = 1024
_MAX_DIFFERENCES = 20
_MAX_LINE = 300
_MAX_ERRORS = 100

_SEVERITY_EMOJI = {"critical": "🔴", "warning": "🟠", "info": "🔵"}
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Punctuation that can open emphasis, code, links (and so images), strikethrough, math, mentions
# or issue references, plus the table separator. Characters that only matter at the start of a
# line (``-``, ``+``, ``.``) are left alone: escaped text never starts a line here.
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]#~|$@])")

_DRIFT_COLUMNS = ("ID", "Drift", "Resource", "Region", "Status", "Cost", "Differences")


def md_escape(value: Any) -> str:
    """AWS-originated text made inert for a GitHub Markdown table cell, on one line."""
    text = one_line(value)
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    return "".join(_HTML.get(ch, ch) for ch in text)


def render_markdown(result: Mapping[str, Any], *, max_bytes: int = MAX_BYTES) -> str:
    """The scan result (SPEC §6 JSON shape) as GitHub Markdown of at most ``max_bytes`` bytes."""
    scan: Mapping[str, Any] = result.get("scan") or {}
    summary: Mapping[str, Any] = result.get("summary") or {}
    drifts: Sequence[Mapping[str, Any]] = result.get("drifts") or []
    out = _Budget(max_bytes - _RESERVE)
    out.add(_heading(scan, drifts))
    out.add(_summary_table(summary))
    out.add(_scan_details(scan))
    out.add(_errors(scan))
    if not drifts:
        out.add("No drift found.\n" if scan.get("status") == "completed" else _no_drift_partial())
        return out.text()
    shown = 0
    truncated = False
    for severity, group in group_by_severity(drifts):
        title = f"### {_SEVERITY_EMOJI.get(severity, '⚪')} {md_escape(severity.capitalize())}"
        header = (
            f"{title} ({len(group)})\n\n"
            f"| {' | '.join(_DRIFT_COLUMNS)} |\n"
            f"|{'|'.join('---:' if c == 'Cost' else '---' for c in _DRIFT_COLUMNS)}|\n"
        )
        truncated = not out.add(header)
        for drift in [] if truncated else group:
            truncated = not out.add(_drift_row(drift))
            if truncated:
                break
            shown += 1
        if truncated:
            break
        out.add("\n")
    if truncated:
        limit = "1 MiB" if max_bytes == MAX_BYTES else f"{max_bytes:,} bytes"
        out.force(
            f"\n> [!WARNING]\n> Output truncated: {shown} of {len(drifts)} drifts shown "
            f"(a GitHub step summary is limited to {limit}). "
            "Run `driftctl scan -o json` or `driftctl list` for all of them.\n"
        )
    return out.text()


class _Budget:
    """Appends text while the UTF-8 size stays within a limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> bool:
        size = len(text.encode("utf-8"))
        if self.size + size > self.limit:
            return False
        self.parts.append(text)
        self.size += size
        return True

    def force(self, text: str) -> None:
        # Only the short truncation note, which the reserve was kept for.
        self.parts.append(text)
        self.size += len(text.encode("utf-8"))

    def text(self) -> str:
        return "".join(self.parts)


def _heading(scan: Mapping[str, Any], drifts: Sequence[Mapping[str, Any]]) -> str:
    status = scan.get("status")
    counts: dict[str, int] = {}
    for drift in drifts:
        key = str(drift.get("severity") or "unknown")
        counts[key] = counts.get(key, 0) + 1
    if status == "failed":
        emoji = "❌"
    elif drifts:
        worst = next((s for s in ("critical", "warning", "info") if counts.get(s)), "")
        emoji = _SEVERITY_EMOJI.get(worst, "⚪")
    else:
        emoji = "⚠️" if status == "partial" else "✅"
    n = len(drifts)
    if n:
        parts = ", ".join(
            f"{counts[s]} {s}" for s in ("critical", "warning", "info") if s in counts
        )
        what = f"{n} drift{'s' if n != 1 else ''}" + (f" ({parts})" if parts else "")
    else:
        what = "no drift"
    suffix = {"partial": " — partial scan", "failed": " — scan failed"}.get(str(status), "")
    heading = f"## {emoji} driftctl scan: {what}{suffix}\n\n"
    if status in ("partial", "failed"):
        heading += (
            "> [!WARNING]\n> Some resource types or regions could not be read (see Scan errors): "
            "drift there was not checked.\n\n"
        )
    return heading


def _summary_table(summary: Mapping[str, Any]) -> str:
    columns = (
        ("Resources", "total_resources"),
        ("Managed", "managed"),
        ("Unmanaged", "unmanaged"),
        ("Missing", "missing"),
        ("Modified", "modified"),
        ("In sync", "in_sync"),
    )
    values = [str(summary.get(k)) if isinstance(summary.get(k), int) else "-" for _, k in columns]
    names = [name for name, _ in columns] + ["Coverage"]
    return (
        f"| {' | '.join(names)} |\n"
        f"|{'|'.join('---:' for _ in names)}|\n"
        f"| {' | '.join([*values, md_escape(coverage_text(summary))])} |\n\n"
    )


def _scan_details(scan: Mapping[str, Any]) -> str:
    parts = []
    if scan.get("id"):
        parts.append(f"Scan `{_code(str(scan['id']))}`")
    else:
        parts.append("Scan (not stored)")
    parts.append(f"status {md_escape(scan.get('status') or '-')}")
    parts.append(f"source {md_escape(scan.get('source') or '-')}")
    for label, key in (("account", "account_ids"), ("region", "regions"), ("from", "iac_sources")):
        values = [md_escape(v) for v in scan.get(key) or []]
        if values:
            plural = "s" if len(values) > 1 and label != "from" else ""
            parts.append(f"{label}{plural} {', '.join(values)}")
    return " · ".join(parts) + "\n\n"


def _errors(scan: Mapping[str, Any]) -> str:
    errors: Sequence[Mapping[str, Any]] = scan.get("errors") or []
    if not errors:
        return ""
    lines = [
        f"### ⚠️ Scan errors ({len(errors)})\n",
        "| Resource type | Region | Code | Message |",
        "|---|---|---|---|",
    ]
    for error in errors[:_MAX_ERRORS]:
        cells = [
            md_escape(_clip(one_line(error.get(k) or ""))) or "-"
            for k in ("resource_type", "region", "code", "message")
        ]
        lines.append(f"| {' | '.join(cells)} |")
    if len(errors) > _MAX_ERRORS:
        lines.append(f"\n…and {len(errors) - _MAX_ERRORS} more errors.")
    return "\n".join(lines) + "\n\n"


def _no_drift_partial() -> str:
    return "No drift found in the resource types and regions that were read.\n"


def _drift_row(drift: Mapping[str, Any]) -> str:
    differences = drift_difference_lines(drift, max_len=_MAX_LINE)
    shown = [md_escape(line) for line in differences[:_MAX_DIFFERENCES]]
    if len(differences) > _MAX_DIFFERENCES:
        shown.append(f"…and {len(differences) - _MAX_DIFFERENCES} more")
    ident = short_id(drift)
    cells = [
        f"`{_code(ident)}`" if ident != "-" else "-",
        md_escape(drift.get("drift_type")),
        f"{md_escape(drift.get('resource_type'))} {md_escape(drift.get('resource_id'))}",
        md_escape(drift.get("region")),
        md_escape(drift.get("status")),
        md_escape(format_cost(drift)),
        "<br>".join(shown),
    ]
    return f"| {' | '.join(cells)} |\n"


def _code(text: str) -> str:
    # Inside a code span escapes do not work: keep only characters a drift or scan id can hold.
    return re.sub(r"[^A-Za-z0-9-]", "", text)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 1] + "…"
