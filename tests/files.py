"""File permission helpers for the tests that check modes."""

from __future__ import annotations

import stat
from pathlib import Path


def file_mode(path: Path) -> int:
    """The permission bits of ``path`` (0o600 and so on)."""
    return stat.S_IMODE(path.stat().st_mode)
