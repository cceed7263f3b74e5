"""`driftctl types` and the Terraform spellings of --type."""

from __future__ import annotations

from typing import Any

from driftctl.types import registry
from driftctl.types.catalog import markdown_table
from tests.cli.probe import DbProbe


def test_types_lists_every_registered_type(cli: Any) -> None:
    result = cli(["types", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    items = result.json()["items"]
    assert [i["resource_type"] for i in items] == list(registry.names())
    s3 = next(i for i in items if i["resource_type"] == "S3")
    assert [t["name"] for t in s3["terraform_types"]][:2] == [
        "aws_s3_bucket",
        "aws_s3_bucket_versioning",
    ]
    assert s3["attributes"]["policy"]["kind"] == "policy"

    table = cli(["types"])
    assert table.exit_code == 0
    for name in registry.names():
        assert name in table.stdout


def test_types_shows_one_type_by_its_terraform_name(cli: Any) -> None:
    result = cli(["types", "aws_iam_role_policy", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    info = result.json()
    assert info["resource_type"] == "IAM_ROLE"
    assert info["scope"] == "global"
    assert {r["path"] for r in info["severity_rules"]} >= {"assume_role_policy"}
    assert [c["operation"] for c in info["api_calls"]] == [
        "iam:ListRoles",
        "iam:GetAccountAuthorizationDetails",
    ]

    text = cli(["types", "s3"])
    assert text.exit_code == 0
    assert "public_access_block.block_public_acls" in text.stdout
    assert "s3:GetBucketPolicy" in text.stdout


def test_types_markdown_is_the_readme_table(cli: Any) -> None:
    result = cli(["types", "--markdown"])
    assert result.exit_code == 0
    assert result.stdout == markdown_table()


def test_an_unknown_type_is_one_line_and_exit_2(cli: Any) -> None:
    result = cli(["types", "aws_lambda_functoin"])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: unknown resource type 'aws_lambda_functoin'")


def test_list_accepts_terraform_types(cli: Any, db: DbProbe) -> None:
    ec2 = db.add(resource_type="EC2")
    db.add(resource_type="S3", resource_id="some-bucket")
    by_terraform = cli(["--db", db.url, "list", "--type", "aws_instance", "-o", "json"])
    by_name = cli(["--db", db.url, "list", "--type", "ec2", "-o", "json"])
    assert by_terraform.exit_code == 0, by_terraform.stderr
    assert [i["id"] for i in by_terraform.json()["items"]] == [ec2]
    assert by_name.json()["items"] == by_terraform.json()["items"]
