"""What every listing shares: one page of results, its bounds, and ``--since``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from driftctl.db.types import utcnow
from driftctl.errors import ValidationError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# SQLite and PostgreSQL take OFFSET as a signed 64-bit integer.
MAX_OFFSET = 2**63 - 1
_AGE_RE = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    @property
    def has_more(self) -> bool:
        return self.page < self.total_pages

    def pagination(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "total_pages": self.total_pages,
            "has_more": self.has_more,
        }


def check_page(page: int, limit: int, *, max_limit: int = MAX_LIMIT) -> int:
    """The row offset of ``page``; ValidationError for a limit or page out of range."""
    if not 1 <= limit <= max_limit:
        raise ValidationError(f"--limit must be between 1 and {max_limit}, got {limit}")
    if page < 1:
        raise ValidationError(f"--page must be 1 or more, got {page}")
    offset = (page - 1) * limit
    if offset > MAX_OFFSET:
        raise ValidationError(
            f"--page {page} is too large: at --limit {limit} the last possible page is "
            f"{MAX_OFFSET // limit + 1}"
        )
    return offset


def parse_age(text: str) -> timedelta | None:
    """An age or duration such as 90m, 12h, 7d, 2w; None when ``text`` is not one.

    Raises OverflowError when it is too large for any date.
    """
    match = _AGE_RE.fullmatch(text.strip().lower())
    if match is None:
        return None
    digits, unit = match.groups()
    if len(digits) > 12:
        raise OverflowError(text)
    return timedelta(**{_UNITS[unit]: int(digits)})


def parse_since(text: str | None) -> datetime | None:
    """``--since``: an ISO date/time, or a relative age like 30m, 24h, 7d, 2w.

    Raises ValidationError for anything else, including an age reaching back before year 1.
    """
    if not text:
        return None
    cleaned = text.strip()
    try:
        age = parse_age(cleaned)
        if age is not None:
            return utcnow() - age
    except OverflowError:
        raise ValidationError(
            f"--since {cleaned[:40]} reaches back before year 1: give a smaller age or an "
            "ISO date (2026-11-01)"
        ) from None
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValidationError(
            f"invalid --since {text[:60]!r}: use an ISO date (2026-11-01) or an age (24h, 7d)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
