"""``-o json``: stable, indented JSON with the database's snake_case keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from driftctl.domain import jsonable


def dumps(data: Any) -> str:
    """Indented JSON text of ``data`` (UUIDs, datetimes and decimals made JSON-native)."""
    return json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n"


def write(data: Any, out: Callable[[str], Any], *, chunk: int = 1 << 16) -> None:
    """``dumps(data)`` written piece by piece to ``out``: a scan of 150,000 drifts never holds
    its whole JSON text (hundreds of MB as the indenting encoder builds it) in memory."""
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    pending: list[str] = []
    size = 0
    for piece in encoder.iterencode(data):
        pending.append(piece)
        size += len(piece)
        if size >= chunk:
            out("".join(pending))
            pending, size = [], 0
    pending.append("\n")
    out("".join(pending))


def dumps_line(data: Any) -> str:
    """One compact JSON object on one line (streams, errors)."""
    return json.dumps(jsonable(data), separators=(",", ":"), ensure_ascii=False) + "\n"
