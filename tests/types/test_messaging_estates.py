"""The benchmark estates of the SQS, SNS and CloudWatch Logs types: n unique copies."""

from __future__ import annotations

import json

import pytest

from driftctl.types.build import resource_ids
from tests.types.entries import ENTRIES
from tests.types.harness import FIXTURES

TYPES = ["SQS_QUEUE", "SNS_TOPIC", "SNS_TOPIC_SUBSCRIPTION", "CLOUDWATCH_LOG_GROUP"]


@pytest.mark.parametrize("resource_type", TYPES)
def test_an_estate_holds_n_copies_under_unique_ids(resource_type: str) -> None:
    entry = ENTRIES[resource_type]
    assert entry.estate is not None
    fixture = json.loads((FIXTURES / entry.fixture).read_text(encoding="utf-8"))
    once = len(resource_ids(fixture))
    estate = entry.estate(3)
    ids = resource_ids(estate)
    assert len(ids) == 3 * once
    assert len(set(ids.values())) == len(ids)
    assert len({(r["type"], r["name"]) for r in estate["resources"]}) == len(estate["resources"])
