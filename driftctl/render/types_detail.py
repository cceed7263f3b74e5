"""``driftctl types TYPE``: one resource type's Terraform types, attributes, calls and rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console

from driftctl.render.table import render_fields, render_heading, render_table


def render_type(console: Console, info: Mapping[str, Any], *, tty: bool) -> None:
    """Print what ``catalog.describe`` says about one type."""
    render_fields(
        console,
        [
            ("type", info["resource_type"]),
            ("name", info["display_name"]),
            ("resource id", info["resource_id"]),
            ("scope", info["scope"]),
            ("cost estimate", "yes" if info["cost"] else "no"),
        ],
        tty=tty,
    )
    render_heading(console, "Terraform types", tty=tty)
    render_table(
        console,
        ("terraform type", "role", "id from", "not compared"),
        [
            (
                t["name"],
                t["role"],
                ", ".join(t["id_from"]),
                "; ".join(f"{k} ({why})" for k, why in t["not_compared"].items()),
            )
            for t in info["terraform_types"]
        ],
        tty=tty,
    )
    render_heading(console, "Compared attributes", tty=tty)
    render_table(
        console,
        ("attribute", "compared as", "note"),
        [(name, _kind(a), a.get("doc", "")) for name, a in _flat(info["attributes"])],
        tty=tty,
    )
    render_heading(console, "AWS calls per scan", tty=tty)
    render_table(
        console,
        ("operation", "per", "page size", "when"),
        [
            (
                c["operation"],
                c["per"]
                + (f" ({c['parent']})" if c.get("parent") else "")
                + (" in the state" if c["managed_only"] else ""),
                c["page_size"] or "",
                c["when"] or "always",
            )
            for c in info["api_calls"]
        ],
        tty=tty,
    )
    if info["severity_rules"]:
        render_heading(console, "Default severity rules", tty=tty)
        render_table(
            console,
            ("path", "change", "severity", "when"),
            [(r["path"], r["change"], r["severity"], r["when"]) for r in info["severity_rules"]],
            tty=tty,
        )
    remediation = info["remediation"]
    render_heading(console, "What driftctl remediate reverts", tty=tty)
    if remediation["reverts"]:
        render_table(
            console,
            ("path", "how"),
            [(r["path"], r["how"]) for r in remediation["reverts"]],
            tty=tty,
        )
    else:
        console.print("nothing: every difference is left to terraform apply", markup=False)
    if remediation["deletes_unmanaged"]:
        console.print(
            "an unmanaged one is deleted with --delete-unmanaged and a typed confirmation",
            markup=False,
        )


def _flat(attributes: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    out: list[tuple[str, Mapping[str, Any]]] = []
    for name, attr in attributes.items():
        out.append((f"{prefix}{name}", attr))
        out.extend(_flat(attr.get("fields", {}), f"{prefix}{name}."))
    return out


def _kind(attr: Mapping[str, Any]) -> str:
    return str(attr["kind"]).replace("_", " ")
