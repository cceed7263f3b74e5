"""The conformance entry of every registered resource type, one module per type.

A new resource type adds ``entries/<name>.py`` defining ``RESOURCE_TYPE`` and ``ENTRY`` (see
``harness.Entry``) and its fixture under ``fixtures/``; ``test_conformance.py`` then checks it
like every other type.
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.types.harness import Entry


def _load() -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[module.RESOURCE_TYPE] = module.ENTRY
    return found


ENTRIES: dict[str, Entry] = _load()
