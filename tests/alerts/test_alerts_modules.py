"""The alerts service stays split by job, and no module in it names a channel."""

from __future__ import annotations

from pathlib import Path

import driftctl.services.alerts as package
from driftctl.notify import registry

ROOT = Path(package.__file__).parent


def test_each_alerts_module_stays_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in ROOT.glob("*.py")}
    assert {"raising.py", "listing.py", "delivery.py", "follow.py"} <= set(sizes)
    assert all(n <= 300 for n in sizes.values()), sizes


def test_the_engine_reads_capabilities_not_channel_names() -> None:
    for path in ROOT.glob("*.py"):
        code = path.read_text(encoding="utf-8")
        for name in registry.names():
            assert f'"{name}"' not in code, f"{path.name} names the {name} channel"
