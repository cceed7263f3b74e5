"""``driftctl gen-driftignore``: a ``.driftignore`` that covers the drifts of now.

From a scan's JSON (``driftctl scan -o json``, or the Go driftctl tool's ``scan -o json``) or
from the database's open drifts. As in the Go tool, unmanaged and missing resources become
``TYPE.ID`` lines under their own comment headings; a changed resource becomes one
``TYPE.ID.path`` line per differing attribute (the Go tool, which no longer compares
attributes, ignores the whole resource), so a new change on it is still reported. Ids are
escaped so that each line matches exactly its resource.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from driftctl.diff.ignore_glob import escape
from driftctl.errors import ValidationError
from driftctl.services.context import Context, timed
from driftctl.types import registry

_HEADINGS = {
    "unmanaged": "# Resources not covered by IaC",
    "missing": "# Missing resources",
    "modified": "# Changed resources",
}
OPEN_STATUSES = ("detected", "triaged", "approved", "rejected")


@dataclass(frozen=True)
class Entry:
    """One drift to cover: its kind, Terraform type, id and differing attribute paths."""

    drift_type: str
    terraform_type: str
    resource_id: str
    paths: tuple[str, ...] = ()


def entries_from_json(text: str) -> list[Entry]:
    """Drifts of a scan's JSON, ours or the Go tool's; ValidationError if it is neither."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValidationError(f"gen-driftignore: the input is not JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("drifts"), list):
        return [_ours(d) for d in data["drifts"] if isinstance(d, Mapping)]
    if isinstance(data, dict) and any(k in data for k in ("unmanaged", "missing", "differences")):
        return _go_tool(data)
    raise ValidationError(
        'gen-driftignore: expected the JSON of `driftctl scan -o json` (a "drifts" list) '
        "or of the Go driftctl tool"
    )


@timed
def entries_from_database(ctx: Context) -> list[Entry]:
    """The open drifts (any status but resolved) of the database."""
    from driftctl.db.repositories.drifts import DriftFilter
    from driftctl.services import drifts as drifts_svc

    out: list[Entry] = []
    filters = DriftFilter(statuses=list(OPEN_STATUSES))
    page = 1
    while True:
        result = drifts_svc.list_drifts(
            ctx, filters=filters, page=page, limit=drifts_svc.MAX_LIMIT, ascending=True
        )
        out.extend(_ours(item) for item in result.items)
        if not result.has_more:
            return out
        page += 1


def render(
    entries: Iterable[Entry],
    *,
    exclude_unmanaged: bool = False,
    exclude_missing: bool = False,
    exclude_changed: bool = False,
) -> str:
    """The ``.driftignore`` text, sections in the Go tool's order, lines sorted, no repeats."""
    excluded = {
        "unmanaged": exclude_unmanaged,
        "missing": exclude_missing,
        "modified": exclude_changed,
    }
    sections: dict[str, set[str]] = {kind: set() for kind in _HEADINGS}
    for entry in entries:
        if entry.drift_type not in sections or excluded[entry.drift_type]:
            continue
        resource = f"{escape(entry.terraform_type)}.{escape(entry.resource_id)}"
        if entry.drift_type == "modified" and entry.paths:
            sections["modified"].update(f"{resource}.{_path(p)}" for p in entry.paths)
        else:
            sections[entry.drift_type].add(resource)
    lines: list[str] = []
    for kind, heading in _HEADINGS.items():
        if sections[kind]:
            lines.append(heading)
            lines.extend(sorted(sections[kind]))
    return "".join(line + "\n" for line in lines)


def _path(path: str) -> str:
    # Dots in a path separate its parts and match themselves anyway; wildcards must not act.
    return "".join("\\" + ch if ch in "\\*?[]" else ch for ch in path)


def _terraform_type(resource_type: str) -> str:
    spec = registry.get(resource_type)
    return spec.main_terraform_type if spec is not None else resource_type


def _ours(drift: Mapping[str, Any]) -> Entry:
    difference = drift.get("difference") or {}
    return Entry(
        drift_type=str(drift.get("drift_type") or ""),
        terraform_type=_terraform_type(str(drift.get("resource_type") or "")),
        resource_id=str(drift.get("resource_id") or ""),
        paths=tuple(sorted(str(p) for p in difference)) if isinstance(difference, dict) else (),
    )


def _go_tool(data: Mapping[str, Any]) -> list[Entry]:
    out: list[Entry] = []
    for kind, key in (("unmanaged", "unmanaged"), ("missing", "missing")):
        for res in data.get(key) or []:
            if isinstance(res, Mapping):
                out.append(Entry(kind, str(res.get("type", "")), str(res.get("id", ""))))
    for diff in data.get("differences") or []:
        res = diff.get("res") if isinstance(diff, Mapping) else None
        if isinstance(res, Mapping):
            paths = tuple(
                ".".join(str(p) for p in change.get("path") or [])
                for change in diff.get("changelog") or []
                if isinstance(change, Mapping) and change.get("path")
            )
            out.append(Entry("modified", str(res.get("type", "")), str(res.get("id", "")), paths))
    return out
