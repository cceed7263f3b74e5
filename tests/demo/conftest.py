"""Fixtures for the demo estate: one build, scan and comparison per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.demo.demo_helpers import DemoRun, run_demo


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """The demo as users see it: the estate with every injected drift."""
    yield run_demo(tmp_path_factory.mktemp("demo-drifted"), inject=True)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """The estate right after it was built from the state, before any drift."""
    yield run_demo(tmp_path_factory.mktemp("demo-clean"), inject=False)
