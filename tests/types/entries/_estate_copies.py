"""Estates for the type benchmark: a fixture with its resources of one type copied n times."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from tests.types.harness import FIXTURES


def copies(
    fixture: str, terraform_types: Iterable[str], n: int, names: tuple[str, ...] = ("name",)
) -> dict[str, Any]:
    """The fixture's state with each resource of ``terraform_types`` present ``n`` times.

    Copy ``i`` has every whole-token occurrence of its ``names`` attributes (and so its id and
    ARN) suffixed ``-i``; every other resource (what the copies depend on) stays once.
    """
    doc: dict[str, Any] = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    wanted = set(terraform_types)
    out: list[dict[str, Any]] = []
    for resource in doc["resources"]:
        if resource.get("mode") != "managed" or resource["type"] not in wanted:
            out.append(resource)
            continue
        tokens = sorted(
            {
                str(inst["attributes"][key])
                for inst in resource["instances"]
                for key in names
                if inst["attributes"].get(key)
            },
            key=len,
            reverse=True,
        )
        pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(t) for t in tokens)})(?![\w-])")
        text = json.dumps(resource)
        for i in range(n):
            copy = json.loads(pattern.sub(lambda m, i=i: f"{m.group(0)}-{i}", text))
            copy["name"] = f"{resource['name']}_{i}"
            out.append(copy)
    doc["resources"] = out
    return doc
