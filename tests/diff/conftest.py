"""Fixtures for the comparer, severity and driftignore tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from diff_factories import actual, expected, run


@pytest.fixture
def diff_of() -> Callable[..., dict[str, Any]]:
    """The difference of one resource whose actual side has ``changes`` (empty when in sync)."""

    def _diff(resource_type: str, **changes: Any) -> dict[str, Any]:
        result = run([expected(resource_type)], [actual(resource_type, **changes)])
        assert len(result.findings) <= 1
        return result.findings[0].difference if result.findings else {}

    return _diff
