"""Estates for the type benchmark: n copies of a fixture's resources of some Terraform types.

Each copy renames the names that make a resource unique (function, parameter, secret names,
certificate ids) as whole tokens, so the copies can live side by side in one account.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from driftctl.types.build import rewrite_ids
from tests.types.harness import FIXTURES


def copies(fixture: str, types: Iterable[str], names: Iterable[str], n: int) -> dict[str, Any]:
    """The fixture with its resources of ``types`` repeated ``n`` times (others kept once)."""
    doc: dict[str, Any] = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    wanted = set(types)
    kept = [r for r in doc["resources"] if r["type"] not in wanted]
    templates = [r for r in doc["resources"] if r["type"] in wanted]
    unique = list(names)
    repeated: list[dict[str, Any]] = []
    for i in range(n):
        renames = {name: f"{name}-{i}" for name in unique}
        for resource in templates:
            copy = json.loads(rewrite_ids(json.dumps(resource), renames))
            copy["name"] = f"{resource['name']}_{i}"
            repeated.append(copy)
    return {**doc, "resources": [*kept, *repeated]}
