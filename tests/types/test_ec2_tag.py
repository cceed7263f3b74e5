"""EC2 tags: ids, unmanaged tags that are not drift, secret-looking keys, the estate."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from unittest import mock

from driftctl.resources import SENSITIVE
from driftctl.types import ec2_tag
from tests.types.entries import ENTRIES
from tests.types.entries.ec2_tag import estate
from tests.types.harness import emulated_account, scan

RESOURCE_TYPE = "EC2_TAG"
COUNT = 7


def test_a_key_with_commas_keeps_them() -> None:
    assert ec2_tag.split_id("subnet-0a1,team,owner") == ("subnet-0a1", "team,owner")
    assert ec2_tag.split_id("subnet-0a1") is None
    assert ec2_tag.compose_id({"resource_id": "vpc-1", "key": "k"}) == "vpc-1,k"


def test_tags_only_aws_has_are_never_listed_and_nothing_is_called_without_declared_tags(
    tmp_path: Path,
) -> None:
    with emulated_account(ENTRIES["EC2_TAG"], tmp_path) as account:
        vpc = account.ids["module.network.aws_vpc.this"]
        account.client("ec2").create_tags(
            Resources=[vpc], Tags=[{"Key": "db_password", "Value": "never-print-Zk2"}]
        )
        result = scan(account, "EC2_TAG")
        assert result.findings("EC2_TAG") == []
        assert result.actual.api_calls.get("ec2:DescribeTags") == 1
        assert all("db_password" not in r.resource_id for r in result.actual.resources)
        empty = scan(account, "EC2_TAG", with_state=False)
        assert empty.actual.resources == []
        assert "ec2:DescribeTags" not in empty.actual.api_calls


def test_a_secret_looking_key_keeps_its_value_out() -> None:
    assert ec2_tag._masked("api_token", "abc") == SENSITIVE
    assert ec2_tag._masked("kubernetes.io/role/elb", "1") == "1"


def test_every_estate_copy_tags_its_own_resources() -> None:
    doc = estate(3)
    ids = [
        i["attributes"]["id"]
        for r in doc["resources"]
        if r["type"] == "aws_ec2_tag"
        for i in r["instances"]
    ]
    assert len(ids) == len(set(ids)) == 3 * 7


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
