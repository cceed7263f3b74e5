"""spec_of finds a type's spec by importing only its module, and agrees with the registry."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from driftctl.types import registry, spec_of


@pytest.mark.parametrize("name", registry.names())
def test_spec_of_is_the_registered_spec(name: str) -> None:
    assert spec_of(name) is registry.get(name)


@pytest.mark.parametrize("name", ["NOPE", "REGISTRY", "SPEC", "BUILD", "ec2", "../ec2", "", "A.B"])
def test_a_name_that_is_no_resource_type_has_no_spec(name: str) -> None:
    assert spec_of(name) is registry.get(name) is None


def test_one_type_is_found_without_importing_the_rest() -> None:
    code = (
        "import json, sys\n"
        "from driftctl.types import spec_of\n"
        "assert spec_of('SQS_QUEUE').resource_type == 'SQS_QUEUE'\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('driftctl.types.')]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = json.loads(done.stdout)

    assert "driftctl.types.sqs" in loaded
    assert "driftctl.types.registry" not in loaded
    assert "driftctl.types.ec2" not in loaded
