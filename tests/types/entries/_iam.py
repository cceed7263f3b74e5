"""What the conformance entries of the IAM identity types share: taggers and estates."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

from driftctl.types.build import rewrite_ids
from tests.types.harness import FIXTURES

ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def estate(fixture: str, terraform_types: Iterable[str]) -> Callable[[int], dict[str, Any]]:
    """A function giving a state with ``n`` copies of the fixture's resources of
    ``terraform_types``: every IAM name they declare gets the copy's number (``alice-7``)."""
    wanted = set(terraform_types)

    def build(n: int) -> dict[str, Any]:
        doc = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
        picked = [r for r in doc["resources"] if r["type"] in wanted]
        names = {
            str(i["attributes"]["name"])
            for r in picked
            for i in r["instances"]
            if i["attributes"].get("name")
        }
        text = json.dumps(picked)
        resources: list[dict[str, Any]] = []
        for copy_no in range(n):
            renamed = json.loads(rewrite_ids(text, {name: f"{name}-{copy_no}" for name in names}))
            for resource in renamed:
                resource["name"] = f"{resource['name']}_{copy_no}"
            resources.extend(renamed)
        out = copy.deepcopy({k: v for k, v in doc.items() if k != "resources"})
        out["resources"] = resources
        return out

    return build
