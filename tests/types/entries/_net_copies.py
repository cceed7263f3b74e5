"""Estates for the type benchmark: a fixture's resources copied n times with ids of their own."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tests.types.harness import FIXTURES

# Ids of the VPC network (vpc-0a1b…, rtbassoc-…, vpc-cidr-assoc-…) as the fixtures spell them.
_ID = re.compile(
    r"(?<![\w-])((?:vpc-cidr-assoc|rtbassoc|subnet|igw|rtb|vpc|acl|sg)-)([0-9a-f]{8,17})"
)


def copies(fixture: str, *, once: tuple[str, ...] = ()) -> Callable[[int], dict[str, Any]]:
    """A function making a state of ``n`` copies of ``fixture`` (the type's resources and what
    they need), each copy with ids and names of its own. Terraform types in ``once`` (the
    ``aws_default_*`` ones: a region has one default VPC) appear in the first copy only."""

    def estate(n: int) -> dict[str, Any]:
        text = (FIXTURES / fixture).read_text(encoding="utf-8")
        doc = json.loads(text)
        kept = doc["resources"]
        resources: list[dict[str, Any]] = []
        for i in range(n):
            for resource in kept:
                if i and resource["type"] in once:
                    continue
                raw = json.dumps(resource)
                if i:
                    raw = _ID.sub(lambda m, i=i: m.group(1) + _renumber(m.group(2), i), raw)
                copy = json.loads(raw)
                copy["name"] = f"{copy['name']}_{i}"
                resources.append(copy)
        return {**doc, "resources": resources}

    return estate


def _renumber(digits: str, i: int) -> str:
    # The copy number replaces the id's last five digits: up to 1,048,575 copies.
    return digits[:-5] + f"{i:05x}"
