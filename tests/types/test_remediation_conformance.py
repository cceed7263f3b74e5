"""What the reverts of the resource types say about themselves.

Each revert is run against moto by the conformance test (``test_conformance.py``): after every
mutation is found, its own difference keys are planned, the plan runs, and a rescan must no
longer show them; every fix a type declares must be exercised there, and a type that declares
``delete`` must delete its unmanaged mutation.
"""

from __future__ import annotations

from driftctl.types import registry


def test_every_fix_says_what_it_does() -> None:
    # `driftctl types TYPE` and README's table print these.
    undocumented = [
        f"{s.resource_type}:{f.path}" for s in registry.SPECS for f in s.fixes if not f.doc
    ]
    assert undocumented == []
