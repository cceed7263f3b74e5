"""``-o json``: stable, indented JSON with the database's snake_case keys."""

from __future__ import annotations

import json
from typing import Any

from driftctl.domain import jsonable


def dumps(data: Any) -> str:
    return json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n"


def dumps_line(data: Any) -> str:
    """One compact JSON object on one line (streams, errors)."""
    return json.dumps(jsonable(data), separators=(",", ":"), ensure_ascii=False) + "\n"
