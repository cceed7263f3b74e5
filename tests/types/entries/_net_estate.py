"""Estates for the type benchmark: a fixture whose resources of some Terraform types are copied
``n`` times, each copy with ids, addresses and Name tags of its own."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from driftctl.types.build import rewrite_ids
from tests.types.harness import FIXTURES

# Attributes holding a value that identifies an instance: each copy gets its own.
_OWN = (
    "id",
    "allocation_id",
    "association_id",
    "network_interface_id",
    "primary_network_interface_id",
    "network_interface",
    "private_ip",
    "public_ip",
)
_ADDRESSES = ("private_ip", "public_ip")


def _new_value(value: str, attribute: str, serial: int) -> str:
    if attribute in _ADDRESSES:
        # Inside the original's /24 (an instance's address must fall in its subnet): unique
        # for up to 250 addresses per subnet across all copies.
        return f"{value.rsplit('.', 1)[0]}.{serial % 250 + 4}"
    prefix, _, rest = value.partition("-")
    return f"{prefix}-{rest[:-6]}{serial:06x}" if len(rest) > 6 else f"{value}{serial}"


def copies(
    fixture: str,
    terraform_types: Iterable[str],
    *,
    drop: Iterable[str] = (),
    reset: Mapping[str, Any] | None = None,
) -> Callable[[int], dict[str, Any]]:
    """A function giving the fixture with ``n`` copies of every instance of ``terraform_types``
    (references between copied instances follow their copy; others are kept), without the
    resources of the ``drop`` types, and with ``reset`` attribute values in every copy but the first
    (what the copies cannot share: a subnet belongs to one network ACL)."""
    wanted = set(terraform_types)
    dropped = set(drop)
    fixed = dict(reset or {})

    def estate(n: int) -> dict[str, Any]:
        doc = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
        doc["resources"] = [r for r in doc["resources"] if r["type"] not in dropped]
        copied = [r for r in doc["resources"] if r["type"] in wanted]
        originals = {id(r): list(r["instances"]) for r in copied}
        for resource in copied:
            resource["instances"] = []
        for k in range(n):
            changes = _changes([i for r in copied for i in originals[id(r)]], k + 1)
            for resource in copied:
                for number, original in enumerate(originals[id(resource)]):
                    instance = _copy(
                        original, changes, k, k * len(originals[id(resource)]) + number
                    )
                    for name, value in fixed.items() if k else ():
                        if name in instance["attributes"]:
                            instance["attributes"][name] = copy.deepcopy(value)
                    resource["instances"].append(instance)
        return dict(doc)

    return estate


def _changes(instances: list[dict[str, Any]], k: int) -> dict[str, str]:
    """Old -> new values for copy ``k`` (1…): ids end in ``k``; the addresses of all copies are
    numbered one after another."""
    values = [
        (attribute, value)
        for instance in instances
        for attribute in _OWN
        if isinstance(value := instance["attributes"].get(attribute), str) and value
    ]
    addresses = list(dict.fromkeys(v for a, v in values if a in _ADDRESSES))
    changes: dict[str, str] = {}
    for attribute, value in values:
        if value not in changes:
            serial = (
                k if value not in addresses else (k - 1) * len(addresses) + addresses.index(value)
            )
            changes[value] = _new_value(value, attribute, serial)
    return changes


def _copy(original: dict[str, Any], changes: dict[str, str], k: int, index: int) -> Any:
    instance = copy.deepcopy(original)
    attrs = json.loads(rewrite_ids(json.dumps(instance["attributes"]), changes))
    for key in ("tags", "tags_all"):
        if isinstance(attrs.get(key), dict) and "Name" in attrs[key]:
            attrs[key]["Name"] = f"{attrs[key]['Name']}-{k}"
    instance["attributes"] = attrs
    instance["index_key"] = index
    return instance
