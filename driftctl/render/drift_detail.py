"""``driftctl show``: one drift, its difference, cost history, alerts and audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl.render.table import difference_lines, render_fields, render_heading, render_table

if TYPE_CHECKING:
    from rich.console import Console

_FIELDS = (
    "id",
    "resource_type",
    "resource_id",
    "region",
    "account_id",
    "drift_type",
    "severity",
    "status",
    "cost_impact_monthly",
    "iac_source",
    "detected_at",
    "detected_by",
    "last_seen_at",
    "approved_at",
    "approval_reason",
    "rejected_at",
    "rejection_reason",
    "resolved_at",
    "resolved_how",
)


def render_detail(console: Console, drift: dict[str, Any], *, tty: bool) -> None:
    pairs = [(f, drift.get(f)) for f in _FIELDS if drift.get(f) not in (None, "")]
    render_fields(console, pairs, tty=tty)
    render_heading(console, "Difference (expected → actual)", tty=tty)
    lines = difference_lines(drift.get("difference") or {}) or [
        f"(whole resource {drift.get('drift_type')})"
    ]
    for line in lines:
        _line(console, f"  {line}", tty=tty)
    if drift.get("drift_type") == "unmanaged" and drift.get("actual_state"):
        render_heading(console, "Actual state (in AWS)", tty=tty)
        for line in _state_lines(drift["actual_state"]):
            _line(console, f"  {line}", tty=tty)
    reasons = drift.get("severity_reasons") or []
    if reasons:
        render_heading(console, "Why this severity", tty=tty)
        for reason in reasons:
            where = reason["path"] or "(whole resource)"
            _line(console, f"  {reason['severity']:<8}  {where}: {reason['why']}", tty=tty)
    history = drift.get("cost_history") or []
    if history:
        from driftctl.render.summary import render_cost_history

        render_heading(console, "Cost history (USD/month, per scan)", tty=tty)
        render_cost_history(console, history, tty=tty)
    alerts = drift.get("alerts") or []
    if alerts:
        render_heading(console, "Alerts", tty=tty)
        render_table(
            console,
            ("created_at", "type", "severity", "read", "title"),
            [
                (
                    a["created_at"][:16].replace("T", " "),
                    a["type"],
                    a["severity"],
                    a["is_read"],
                    a["title"],
                )
                for a in alerts
            ],
            tty=tty,
        )
    trail = drift.get("audit_trail") or []
    if trail:
        render_heading(console, "Audit trail", tty=tty)
        render_table(
            console,
            ("created_at", "action", "actor", "change", "details"),
            [
                (
                    a["created_at"][:19].replace("T", " "),
                    a["action"],
                    a.get("actor_email") or "",
                    _change(a),
                    a.get("details") or "",
                )
                for a in trail
            ],
            tty=tty,
        )


def _line(console: Console, text: str, *, tty: bool) -> None:
    # Values come from AWS: on a terminal they are Text, never markup.
    console.file.write(f"{text}\n") if not tty else console.print(_text(text))


def _state_lines(state: dict[str, Any]) -> list[str]:
    """``key: value`` per top-level attribute, values as compact JSON (sorted keys)."""
    import json

    from driftctl.render.table import safe

    return [
        f"{key}: {safe(json.dumps(value, sort_keys=True, default=str))}"
        for key, value in sorted(state.items())
        if value not in (None, "", [], {})
    ]


def _change(row: dict[str, Any]) -> str:
    old = (row.get("old_value") or {}).get("status")
    new = (row.get("new_value") or {}).get("status")
    return f"{old} → {new}" if old and new else (new or "")


def _text(value: str) -> Any:
    from rich.text import Text

    return Text(value)
