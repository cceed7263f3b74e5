"""spec_of finds a type's spec by importing only its module, and agrees with the registry.

The lookups run in a fresh interpreter: once the registry is loaded, spec_of asks it directly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from driftctl.types import registry, spec_of

NOT_TYPES = ["NOPE", "REGISTRY", "SPEC", "BUILD", "ec2", "../ec2", "", "A.B"]

# Look every name up before the registry is loaded, then compare with the registry.
LOOKUPS = """
import json, sys
from driftctl.types import spec_of
names, not_types = json.loads(sys.argv[1]), json.loads(sys.argv[2])
found = {name: spec_of(name) for name in names}
registry_loaded_by_types = "driftctl.types.registry" in sys.modules
missing = {name: spec_of(name) for name in not_types}
from driftctl.types import registry
print(json.dumps({
    "registry_loaded_by_types": registry_loaded_by_types,
    "differ": [n for n in names if found[n] is not registry.get(n)],
    "not_none": [n for n, spec in missing.items() if spec is not None or registry.get(n)],
}))
"""


def _fresh(code: str, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_spec_of_is_the_registered_spec_for_every_type() -> None:
    result = _fresh(LOOKUPS, json.dumps(registry.names()), json.dumps(NOT_TYPES))

    assert result == {"registry_loaded_by_types": False, "differ": [], "not_none": []}


def test_with_the_registry_loaded_it_answers() -> None:
    assert all(spec_of(name) is registry.get(name) for name in registry.names())
    assert [spec_of(name) for name in NOT_TYPES] == [None] * len(NOT_TYPES)


def test_one_type_is_found_without_importing_the_rest() -> None:
    code = (
        "import json, sys\n"
        "from driftctl.types import spec_of\n"
        "assert spec_of('SQS_QUEUE').resource_type == 'SQS_QUEUE'\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('driftctl.types.')]))\n"
    )
    loaded = _fresh(code)

    assert "driftctl.types.sqs" in loaded
    assert "driftctl.types.registry" not in loaded
    assert "driftctl.types.ec2" not in loaded
