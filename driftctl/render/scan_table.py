"""``driftctl scan`` on a terminal: a summary, the scan's errors, then drifts by severity.

The same lines are built once and printed two ways: on a TTY as ``rich.text.Text`` with a colour
per severity (never markup, so a tag value ``[bold]x[/]`` prints literally), and otherwise as
plain, stable text without ANSI codes or box drawing, for grep and CI logs.

The small helpers here (ordering, short ids, cost, one-line text) are shared by the other scan
renderers (SARIF, JUnit, Markdown) so every format shows a drift the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from driftctl.render.table import SEVERITY_STYLE, STATUS_STYLE, difference_lines, safe

if TYPE_CHECKING:
    from rich.console import Console

SEVERITY_ORDER: tuple[str, ...] = ("critical", "warning", "info")
COST_KEY = "monthly_cost_delta"
_STATUS_COLOUR = {"completed": "green", "partial": "bold yellow", "failed": "bold red"}

# Characters that ``safe`` leaves alone but that would break a one-line layout (newline, tab) or
# make text read differently from what it is (Unicode line separators, bidi overrides).
_ONE_LINE_TABLE = {
    0x09: "\\t",
    0x0A: "\\n",
    **{c: f"\\u{c:04x}" for c in (0x2028, 0x2029, 0x200E, 0x200F)},
    **{c: f"\\u{c:04x}" for c in range(0x202A, 0x202F)},
    **{c: f"\\u{c:04x}" for c in range(0x2066, 0x206A)},
}

# Every character that ``safe`` or ``_ONE_LINE_TABLE`` rewrites.
_NEEDS_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")

_WHOLE_RESOURCE = {
    "missing": "(in IaC, not found in AWS)",
    "unmanaged": "(in AWS, in no IaC source)",
}

# (text, Rich style) pieces of one output line.
_Segment = tuple[str, str]


def one_line(value: Any) -> str:
    """``safe(value)`` that also keeps the text on one line and shows bidi controls escaped."""
    # Fast path: most strings hold nothing to escape, and a scan can render many thousands.
    if isinstance(value, str) and not _NEEDS_ESCAPE.search(value):
        return value
    return safe(value).translate(_ONE_LINE_TABLE)


def severity_rank(severity: Any) -> int:
    """Position of a severity in critical, warning, info (unknown values sort last)."""
    try:
        return SEVERITY_ORDER.index(str(severity))
    except ValueError:
        return len(SEVERITY_ORDER)


def sorted_drifts(drifts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Drifts ordered by severity, then type, resource, region, kind: stable across runs."""
    return sorted(
        drifts,
        key=lambda d: (
            severity_rank(d.get("severity")),
            str(d.get("resource_type") or ""),
            str(d.get("resource_id") or ""),
            str(d.get("region") or ""),
            str(d.get("account_id") or ""),
            str(d.get("drift_type") or ""),
        ),
    )


def short_id(drift: Mapping[str, Any]) -> str:
    """First 8 characters of the drift id, or ``-`` when it was not stored (``--no-store``)."""
    value = drift.get("id")
    return str(value)[:8] if value else "-"


def signed_cost(drift: Mapping[str, Any]) -> float | None:
    """The signed monthly delta kept in the difference, or None when none is recorded."""
    deltas = [
        float(entry[COST_KEY])
        for entry in (drift.get("difference") or {}).values()
        if isinstance(entry, Mapping) and isinstance(entry.get(COST_KEY), int | float)
    ]
    return sum(deltas) if deltas else None


def format_cost(drift: Mapping[str, Any]) -> str:
    """``+$30.37/mo`` (extra cost), ``-$12.00/mo`` (saving), ``$5.00/mo``; empty when zero."""
    try:
        amount = abs(float(drift.get("cost_impact_monthly") or 0))
    except (TypeError, ValueError):
        return ""
    if amount < 0.005:
        return ""
    signed = signed_cost(drift)
    sign = "" if signed is None else ("-" if signed < 0 else "+")
    return f"{sign}${amount:,.2f}/mo"


def drift_difference_lines(drift: Mapping[str, Any], *, max_len: int | None = None) -> list[str]:
    """One ``path: expected → actual`` line per difference (sorted), on one line each."""
    difference = drift.get("difference") or {}
    lines: list[str] = []
    if isinstance(difference, Mapping):
        for path in sorted(difference, key=str):
            entry = difference[path]
            line = difference_lines({str(path): entry})[0]
            if isinstance(entry, Mapping) and isinstance(entry.get(COST_KEY), int | float):
                delta = float(entry[COST_KEY])
                line += f" ({'-' if delta < 0 else '+'}${abs(delta):,.2f}/mo)"
            lines.append(_clip(one_line(line), max_len))
    if not lines:
        kind = str(drift.get("drift_type") or "")
        lines.append(_WHOLE_RESOURCE.get(kind, f"(whole resource {one_line(kind)})"))
    return lines


def group_by_severity(
    drifts: Iterable[Mapping[str, Any]],
) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """(severity, drifts) pairs in critical, warning, info order; empty groups left out."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for drift in sorted_drifts(drifts):
        groups.setdefault(str(drift.get("severity") or "unknown"), []).append(drift)
    return sorted(groups.items(), key=lambda item: (severity_rank(item[0]), item[0]))


def coverage_text(summary: Mapping[str, Any]) -> str:
    """Coverage (0..1) as a percentage with one decimal, ``-`` when unknown."""
    try:
        return f"{float(summary['coverage']) * 100:.1f}%"
    except (KeyError, TypeError, ValueError):
        return "-"


def render_scan(console: Console, result: Mapping[str, Any], *, tty: bool) -> None:
    """Print a scan result (SPEC §6 ``scan -o json`` shape) as text; raises nothing itself."""
    lines = _lines(result)
    if not tty:
        console.file.write("".join("".join(text for text, _ in line) + "\n" for line in lines))
        return
    from rich.text import Text

    for line in lines:
        text = Text()
        for piece, style in line:
            text.append(piece, style=style or None)
        # soft_wrap: long ARNs and ids stay on one line for copy and paste.
        console.print(text, soft_wrap=True)


def _lines(result: Mapping[str, Any]) -> list[list[_Segment]]:
    scan: Mapping[str, Any] = result.get("scan") or {}
    summary: Mapping[str, Any] = result.get("summary") or {}
    drifts: Sequence[Mapping[str, Any]] = result.get("drifts") or []
    lines = [_scan_line(scan), _summary_line(summary)]
    lines.extend(_error_lines(scan))
    lines.append([])
    if not drifts:
        partial = scan.get("status") in ("partial", "failed")
        message = (
            "No drift found in the resource types and regions that were read."
            if partial
            else "No drift found."
        )
        lines.append([(message, "yellow" if partial else "bold green")])
        return lines
    lines.extend(_drift_lines(drifts))
    lines.append([])
    lines.append(_count_line(drifts))
    return lines


def _scan_line(scan: Mapping[str, Any]) -> list[_Segment]:
    status = str(scan.get("status") or "unknown")
    scan_id = scan.get("id")
    line: list[_Segment] = [
        ("Scan ", "bold"),
        (str(scan_id)[:8] if scan_id else "(not stored)", "bold"),
        (": ", ""),
        (one_line(status), _STATUS_COLOUR.get(status, "")),
    ]
    details = [f"source {one_line(scan.get('source') or '-')}"]
    for label, key in (("account", "account_ids"), ("region", "regions"), ("from", "iac_sources")):
        values = [one_line(v) for v in scan.get(key) or []]
        if values:
            plural = "s" if len(values) > 1 and label != "from" else ""
            details.append(f"{label}{plural} {', '.join(values)}")
    line.append((f" ({'; '.join(details)})", "dim"))
    return line


def _summary_line(summary: Mapping[str, Any]) -> list[_Segment]:
    parts = [
        ("Resources", "total_resources"),
        ("managed", "managed"),
        ("unmanaged", "unmanaged"),
        ("missing", "missing"),
        ("modified", "modified"),
        ("in sync", "in_sync"),
    ]
    text = ", ".join(f"{label}: {_count(summary.get(key))}" for label, key in parts)
    return [(f"{text}, coverage: {coverage_text(summary)}", "")]


def _error_lines(scan: Mapping[str, Any]) -> list[list[_Segment]]:
    errors: Sequence[Mapping[str, Any]] = scan.get("errors") or []
    if not errors:
        return []
    status = scan.get("status")
    what = "Scan failed" if status == "failed" else "Scan incomplete"
    n = len(errors)
    lines: list[list[_Segment]] = [
        [],
        [
            (
                f"{what}: {n} error{'s' if n != 1 else ''}; drift in these resource types and "
                "regions was not checked:",
                "bold red" if status == "failed" else "bold yellow",
            )
        ],
    ]
    for error in errors:
        lines.append(
            [
                ("  ERROR ", "bold red"),
                (error_text(error), ""),
            ]
        )
    return lines


def error_text(error: Mapping[str, Any]) -> str:
    """``resource_type region: code message`` of one scan error, on one line."""
    where = " ".join(
        one_line(error.get(k))
        for k in ("resource_type", "region")
        if error.get(k) not in (None, "")
    )
    what = " ".join(
        one_line(error.get(k)) for k in ("code", "message") if error.get(k) not in (None, "")
    )
    return f"{where}: {what}" if where else what


def _drift_lines(drifts: Sequence[Mapping[str, Any]]) -> list[list[_Segment]]:
    rows = {id(d): _header_cells(d) for d in drifts}
    # The last column (status) is padded too only when a cost follows it.
    widths = [max(len(c[i]) for c, _ in rows.values()) for i in range(_HEADER_COLUMNS)]
    lines: list[list[_Segment]] = []
    for severity, group in group_by_severity(drifts):
        style = SEVERITY_STYLE.get(severity, "bold")
        if lines:
            lines.append([])
        lines.append([(f"{one_line(severity).upper()} ({len(group)})", f"{style} underline")])
        for drift in group:
            cells, cost = rows[id(drift)]
            styles = ("dim", style, "", "", "bold", "", STATUS_STYLE.get(cells[-1], ""))
            line: list[_Segment] = [("  ", "")]
            for i, (cell, cell_style) in enumerate(zip(cells, styles, strict=True)):
                last = i == len(cells) - 1
                line.append((cell if last and not cost else cell.ljust(widths[i]), cell_style))
                if not last:
                    line.append(("  ", ""))
            if cost:
                line.extend([("  ", ""), (cost, "magenta")])
            lines.append(line)
            lines.extend([[("      ", ""), (d, "")] for d in drift_difference_lines(drift)])
    return lines


_HEADER_COLUMNS = 7


def _header_cells(drift: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    """(id, severity, drift_type, resource_type, resource_id, region, status), cost."""
    cells = (
        short_id(drift),
        one_line(drift.get("severity")),
        one_line(drift.get("drift_type")),
        one_line(drift.get("resource_type")),
        one_line(drift.get("resource_id")),
        one_line(drift.get("region")),
        one_line(drift.get("status")),
    )
    return cells, format_cost(drift)


def _count_line(drifts: Sequence[Mapping[str, Any]]) -> list[_Segment]:
    counts: dict[str, int] = {}
    for drift in drifts:
        key = str(drift.get("severity") or "unknown")
        counts[key] = counts.get(key, 0) + 1
    parts = [
        f"{n} {one_line(sev)}"
        for sev, n in sorted(counts.items(), key=lambda kv: (severity_rank(kv[0]), kv[0]))
    ]
    n = len(drifts)
    return [(f"{n} drift{'s' if n != 1 else ''}: {', '.join(parts)}", "bold")]


def _count(value: Any) -> str:
    return str(value) if isinstance(value, int) else "-"


def _clip(text: str, max_len: int | None) -> str:
    if max_len is None or len(text) <= max_len:
        return text
    return text[: max_len - 1] + "…"
