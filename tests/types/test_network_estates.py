"""The benchmark estates of the network types: n copies, each with ids of its own."""

from __future__ import annotations

import pytest

from driftctl.types import registry
from driftctl.types.build import instances
from tests.types.entries import ENTRIES

NETWORK = ("NAT_GATEWAY", "EIP", "NETWORK_ACL", "VPC_ENDPOINT")


@pytest.mark.parametrize("name", NETWORK)
def test_an_estate_holds_n_copies_with_their_own_ids(name: str) -> None:
    estate, spec = ENTRIES[name].estate, registry.get(name)
    assert estate is not None and spec is not None

    def ids(n: int) -> list[str]:
        main = spec.main_terraform_type
        return [attrs["id"] for rtype, _, attrs in instances(estate(n)) if rtype == main]

    one, three = ids(1), ids(3)
    assert one and len(set(three)) == len(three) == 3 * len(one)
