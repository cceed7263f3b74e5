"""IAM access keys: the secret in the state never reaches the expected state."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from unittest import mock

from driftctl.iac.sources import load_expected
from tests.types.entries import ENTRIES
from tests.types.entries.iam_access_key import estate
from tests.types.harness import FIXTURES, emulated_account, scan

RESOURCE_TYPE = "IAM_ACCESS_KEY"
COUNT = 3


def test_the_secret_and_smtp_password_are_never_read() -> None:
    expected = load_expected([str(FIXTURES / "iam_access_key.tfstate")])
    keys = [r for r in expected.resources if r.resource_type == "IAM_ACCESS_KEY"]
    assert {r.resource_id for r in keys} == {
        "AKIA4QWJ7ZKXAAAA0001",
        "AKIA4QWJ7ZKXAAAA0002",
        "AKIA4QWJ7ZKXAAAA0003",
    }
    assert all(set(r.attributes) <= {"user", "status"} for r in keys)
    assert "never-print" not in repr(expected.resources)


def test_estate_copies_get_keys_of_their_own() -> None:
    doc = estate(3)
    ids = [
        i["attributes"]["id"]
        for r in doc["resources"]
        if r["type"] == "aws_iam_access_key"
        for i in r["instances"]
    ]
    assert len(ids) == len(set(ids)) == 9


def test_an_estate_of_copies_builds_and_scans_clean(tmp_path: Path) -> None:
    entry = ENTRIES[RESOURCE_TYPE]
    assert entry.estate is not None
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "estate.tfstate").write_text(json.dumps(entry.estate(3)))
    copied = dataclasses.replace(entry, fixture="estate.tfstate")
    with (
        mock.patch("tests.types.harness.FIXTURES", tmp_path / "fixtures"),
        emulated_account(copied, tmp_path) as account,
    ):
        result = scan(account, RESOURCE_TYPE)
        declared = [r for r in result.expected.resources if r.resource_type == RESOURCE_TYPE]
        assert len(declared) == 3 * COUNT
        assert result.findings(RESOURCE_TYPE) == []
