"""Estates for the type benchmark: a fixture's resources copied n times under unique names."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from tests.types.harness import FIXTURES

# The random part of an ARN the emulator makes up (SNS subscriptions): unique per copy too.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _renamed(name: str, index: int) -> str:
    # A FIFO queue or topic keeps its ".fifo" ending.
    if name.endswith(".fifo"):
        return f"{name[: -len('.fifo')]}-{index:04d}.fifo"
    return f"{name}-{index:04d}"


def copies(
    fixture: str, names: Callable[[dict[str, Any]], list[str]]
) -> Callable[[int], dict[str, Any]]:
    """A function giving a state with ``n`` copies of every resource of ``fixture``.

    ``names`` returns the AWS names a resource instance's attributes hold (a queue's name...):
    each copy renames them, wherever they appear (ARNs, URLs, policies), and its uuids.
    """

    def estate(n: int) -> dict[str, Any]:
        doc = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
        originals = doc["resources"]
        found = sorted(
            {
                name
                for resource in originals
                for instance in resource["instances"]
                for name in names(instance["attributes"])
                if name
            },
            key=len,
            reverse=True,
        )
        pattern = re.compile("|".join(rf"(?<![\w.-]){re.escape(name)}(?![\w-])" for name in found))
        text = json.dumps(originals)
        resources: list[dict[str, Any]] = []
        for index in range(n):
            suffix = f"{index:012x}"
            renamed = pattern.sub(lambda m, i=index: _renamed(m.group(0), i), text)
            renamed = _UUID.sub(lambda m, s=suffix: m.group(0)[:-12] + s, renamed)
            for resource in json.loads(renamed):
                resource["name"] = f"{resource['name']}_{index:04d}"
                resources.append(resource)
        out = copy.deepcopy(doc)
        out["resources"] = resources
        return out

    return estate
