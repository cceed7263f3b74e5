"""Estates for the type benchmark: a fixture's resources of some types copied ``n`` times."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

from tests.types.harness import FIXTURES

# (copy number, one instance's attributes) -> the same attributes with unique names and ids.
Renamer = Callable[[int, dict[str, Any]], dict[str, Any]]


def replace_all(attrs: dict[str, Any], pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``attrs`` with each ``old`` text replaced by ``new`` everywhere (inside ids and ARNs)."""
    text = json.dumps(attrs)
    for old, new in pairs:
        text = text.replace(old, new)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def copies(fixture: str, types: Iterable[str], n: int, rename: Renamer) -> dict[str, Any]:
    """The fixture state with its resources of ``types`` copied ``n`` times (renamed by
    ``rename``); its other resources (what those depend on) appear once."""
    doc = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    wanted = set(types)
    kept = [r for r in doc["resources"] if r["type"] not in wanted]
    copied: list[dict[str, Any]] = []
    for number in range(n):
        for resource in doc["resources"]:
            if resource["type"] not in wanted:
                continue
            item = copy.deepcopy(resource)
            item["name"] = f"{resource['name']}_{number}"
            for instance in item["instances"]:
                instance["attributes"] = rename(number, instance["attributes"])
            copied.append(item)
    doc["resources"] = [*kept, *copied]
    return dict(doc)
