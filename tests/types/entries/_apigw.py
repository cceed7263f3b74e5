"""Estates of the API Gateway resource and method entries: the fixture's path tree copied."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.types.entries._copies import copies, replace_all

# The fixtures' resource ids (6 characters, as AWS makes them).
RESOURCE_IDS = ("q7w8e9", "z5x4c3")


def _rename(number: int, attrs: dict[str, Any]) -> dict[str, Any]:
    pairs = [(rid, f"{rid[:3]}{number:03d}") for rid in RESOURCE_IDS]
    pairs += [('"orders"', f'"orders{number}"'), ("/orders", f"/orders{number}")]
    return replace_all(attrs, pairs)


def tree_copies(fixture: str, types: Iterable[str], n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's ``/orders`` tree of ``types``, under the same REST API."""
    return copies(fixture, types, n, _rename)
