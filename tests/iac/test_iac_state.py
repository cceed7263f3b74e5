"""Parsing Terraform v4 state files into canonical expected resources."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from driftctl.errors import ValidationError
from driftctl.iac.instance import looks_secret
from driftctl.iac.terraform_state import (
    SUPPORTED_TYPES,
    ParsedState,
    assemble,
    parse_state,
    read_state_file,
)
from driftctl.resources import SENSITIVE, ExpectedResource

if TYPE_CHECKING:
    from conftest import StateFactory

WritePath = Callable[..., Path]


def by_id(parsed: ParsedState) -> dict[str, ExpectedResource]:
    return {r.resource_id: r for r in parsed.resources}


def parse(states: type[StateFactory], *resources: dict[str, Any]) -> list[ExpectedResource]:
    return parse_state(json.dumps(states.doc(*resources)).encode(), "test.tfstate").resources


# -- the shared fixture files ----------------------------------------------------------------


def test_every_fixture_parses(data_dir: Path) -> None:
    files = sorted(data_dir.glob("*.tfstate"))
    assert len(files) >= 11
    for file in files:
        parsed = read_state_file(file)
        assert parsed.resources, file.name
        for resource in parsed.resources:
            assert resource.sources and all(s.startswith(f"{file}#") for s in resource.sources)


def test_ec2_instance(data_dir: Path) -> None:
    [res] = read_state_file(data_dir / "aws_ec2_instance.tfstate").resources
    assert (res.resource_type, res.resource_id) == ("EC2", "i-0d3650a23f4e45dc0")
    assert res.attributes == {
        "instance_type": "t3.nano",
        "ami": "ami-0697b068b80d79421",
        "subnet_id": "subnet-fdfdda86",
        "vpc_security_group_ids": ["sg-9e0204ff"],
        "monitoring": False,
        "ebs_optimized": False,
        "metadata_options": {"http_tokens": "optional"},
    }  # tags null and iam_instance_profile "" are left out: not managed
    assert (res.region, res.account_id) == ("eu-west-3", "047081014315")
    assert res.sources == [f"{data_dir}/aws_ec2_instance.tfstate#aws_instance.test"]


def test_security_groups_with_inline_rules(data_dir: Path) -> None:
    groups = by_id(read_state_file(data_dir / "aws_vpc_security_group.tfstate"))
    default = groups["sg-9e0204ff"]
    assert default.resource_type == "SECURITY_GROUP"
    assert default.attributes["ingress"] == ["all:all:sg-9e0204ff"]  # self = true
    assert default.attributes["egress"] == ["all:all:0.0.0.0/0"]
    assert default.attributes["name"] == "default"
    assert default.attributes["tags"] == {"Name": "DEFAULT"}
    foo = groups["sg-0254c038e32f25530"]
    assert foo.attributes == {
        "name": "foo",
        "description": "Managed by Terraform",
        "vpc_id": "vpc-618f6e09",
        "ingress": ["all:all:0.0.0.0/0"],
        "egress": ["all:all:0.0.0.0/0"],
        "tags": {"Name": "Foo SG"},
    }
    assert foo.region == "eu-west-3"


def test_security_group_rule_resources(data_dir: Path) -> None:
    parsed = read_state_file(data_dir / "aws_vpc_security_group_rule.tfstate")
    groups = by_id(parsed)
    assert set(groups) == {
        "sg-0254c038e32f25530",
        "sg-06910b842af0d3a8f",
        "sg-0cc8b3c3c2851705a",
        "sg-0d290f68e48de546b",
    }
    main = groups["sg-0254c038e32f25530"]
    assert main.attributes == {
        "ingress": [
            "all:all:0.0.0.0/0",
            "all:all:1.2.0.0/16",  # one rule with two CIDRs gives two keys
            "all:all:5.6.7.0/24",
            "icmp:0:sg-0254c038e32f25530",  # self
            "tcp:0:pl-abb451c2",  # prefix list
            "tcp:all:sg-0254c038e32f25530",  # self and source group: one key
        ],
        "egress": ["all:all:0.0.0.0/0", "all:all:::/0"],
    }
    assert len(main.sources) == 6
    assert groups["sg-0cc8b3c3c2851705a"].attributes == {
        "egress": ["5:10-55:0.0.0.0/0", "all:all:0.0.0.0/0", "all:all:::/0"]  # protocol 5
    }
    assert groups["sg-0d290f68e48de546b"].attributes == {
        "ingress": ["all:all:::/0"],
        "egress": ["tcp:0:0.0.0.0/0"],
    }
    assert "ingress" not in groups["sg-06910b842af0d3a8f"].attributes  # not managed here


def test_s3_inline_buckets_with_policy_resources(data_dir: Path) -> None:
    parsed = read_state_file(data_dir / "aws_s3_full.tfstate")
    buckets = by_id(parsed)
    assert sorted(buckets) == [
        "bucket-martin-test-drift",
        "bucket-martin-test-drift2",
        "bucket-martin-test-drift3",
    ]
    bucket = buckets["bucket-martin-test-drift2"]
    assert bucket.attributes["versioning"] == "Disabled"
    assert bucket.attributes["tags"] == {}
    assert "server_side_encryption" not in bucket.attributes  # [] in a provider-3 state
    assert bucket.attributes["policy"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadGetObject",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::bucket-martin-test-drift2/*"],
            }
        ],
    }
    assert bucket.region == "eu-west-3"  # from the region attribute: S3 ARNs carry none
    assert bucket.sources == [f"{data_dir}/aws_s3_full.tfstate#aws_s3_bucket.bucket2"]
    # Its analytics, inventory, metrics and notification resources merge into their buckets.
    assert parsed.skipped_types == {}
    assert sorted(buckets["bucket-martin-test-drift"].attributes["metric_configurations"]) == [
        "Metrics2_Bucket1",
        "Metrics_Bucket1",
    ]


def test_db_instance_never_copies_the_password(data_dir: Path) -> None:
    [db] = read_state_file(data_dir / "aws_db_instance.tfstate").resources
    assert (db.resource_type, db.resource_id) == ("RDS", "terraform-20201015115018309600000001")
    assert db.attributes == {
        "instance_class": "db.t2.micro",
        "engine": "mysql",
        "engine_version": "5.7.26",
        "allocated_storage": 20,
        "multi_az": False,
        "publicly_accessible": False,
        "storage_encrypted": False,
        "deletion_protection": False,
        "backup_retention_period": 0,
    }
    assert (db.region, db.account_id) == ("eu-west-3", "929327065333")
    assert "foobarbaz" not in repr(db)


def test_iam_roles_with_count(data_dir: Path) -> None:
    roles = by_id(read_state_file(data_dir / "aws_iam_role_multiple.tfstate"))
    assert sorted(roles) == ["test_role_0", "test_role_1", "test_role_2"]
    role = roles["test_role_1"]
    assert role.region == "global"
    assert role.account_id == "929327065333"
    assert role.sources[0].endswith("#aws_iam_role.test_role[1]")
    assert role.attributes == {
        "assume_role_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["ec2.amazonaws.com"]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        },
        "max_session_duration": 3600,
        "path": "/test/",
        "tags": {"foo": "bar1"},
    }


def test_iam_policy_attachments_without_their_roles(data_dir: Path) -> None:
    roles = by_id(read_state_file(data_dir / "aws_iam_role_policy_attachment.tfstate"))
    assert sorted(roles) == ["test-role", "test-role2"]
    for role in roles.values():
        assert role.attributes == {
            "managed_policy_arns": [
                "arn:aws:iam::526954929923:policy/test-policy",
                "arn:aws:iam::526954929923:policy/test-policy2",
            ]
        }
        assert role.region == "global"
        assert len(role.sources) == 2


def test_provider5_split_s3_resources_win(data_dir: Path) -> None:
    parsed = read_state_file(data_dir / "tf1x_s3_split.tfstate")
    buckets = by_id(parsed)
    logs = buckets["acme-prod-logs"]
    assert logs.attributes["versioning"] == "Enabled"  # inline said enabled = false
    assert logs.attributes["server_side_encryption"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": (
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ),
    }
    assert logs.attributes["public_access_block"] == {
        "block_public_acls": True,
        "block_public_policy": True,
        "ignore_public_acls": True,
        "restrict_public_buckets": True,
    }
    assert logs.attributes["policy"]["Statement"][0]["Effect"] == "Deny"
    # tags_all carries the provider's default_tags, which AWS has too
    assert logs.attributes["tags"] == {
        "Name": "acme-prod-logs",
        "Environment": "prod",
        "ManagedBy": "terraform",
    }
    assert logs.region == "us-east-1"
    assert logs.sources == [f"{data_dir}/tf1x_s3_split.tfstate#aws_s3_bucket.logs"]
    artifacts = buckets["acme-prod-artifacts"]
    assert artifacts.attributes["versioning"] == "Suspended"
    assert artifacts.attributes["server_side_encryption"] == {
        "sse_algorithm": "AES256",
        "kms_master_key_id": None,
    }
    assert artifacts.attributes["tags"] == {"Environment": "prod", "ManagedBy": "terraform"}
    assert "policy" not in artifacts.attributes  # "" means not set
    # the lifecycle configuration merges into its bucket too
    assert logs.attributes["lifecycle_rules"] == {
        "expire-90d": '{"expiration_days":90,"status":"Enabled"}'
    }
    # the data source is neither a resource nor a skipped type
    assert parsed.skipped_types == {}


def test_modules_count_for_each_and_provider_alias(data_dir: Path) -> None:
    file = data_dir / "tf1x_modules_count_for_each.tfstate"
    parsed = read_state_file(file)
    res = by_id(parsed)
    assert res["i-0abc1234def567890"].sources == [f"{file}#module.web.aws_instance.app[0]"]
    assert res["i-0abc1234def567891"].sources == [f"{file}#module.web.aws_instance.app[1]"]
    blue = res["i-0def4567abc890123"]
    assert blue.sources == [f'{file}#module.workers["west"].aws_instance.worker["blue"]']
    assert blue.region == "us-west-2"
    assert blue.attributes["instance_type"] == "c6i.large"
    assert res["i-0def4567abc890124"].attributes["metadata_options"] == {"http_tokens": "optional"}
    # an instance profile given as an ARN compares as its name, as AWS reports it
    assert res["i-0abc1234def567891"].attributes["iam_instance_profile"] == "web-app-profile"
    assert res["sg-0bb22cc33dd44ee55"].sources == [f'{file}#aws_security_group.tiers["db"]']
    assert res["sg-0bb22cc33dd44ee55"].attributes["ingress"] == ["tcp:5432:sg-0aa11bb22cc33dd44"]
    assert res["sg-0aa11bb22cc33dd44"].attributes["ingress"] == [
        "all:all:sg-0aa11bb22cc33dd44",
        "tcp:443:0.0.0.0/0",
        "tcp:8080:sg-0ff99ee88dd77cc66",
    ]
    assert res["sg-0ff99ee88dd77cc66"].attributes["ingress"] == [
        "tcp:443:0.0.0.0/0",
        "tcp:443:::/0",
        "tcp:80:0.0.0.0/0",
        "tcp:80:::/0",
    ]
    assert "ami-0c02fb55956c7d316" not in res  # the data source is skipped
    assert parsed.skipped_types == {"random_id": 1}


def test_sensitive_values_never_copied(data_dir: Path) -> None:
    parsed = read_state_file(data_dir / "tf1x_sensitive_iam_opentofu.tfstate")
    db = by_id(parsed)["acme-prod-db"]
    # "Secret" is marked on tags only; tags_all (which is used) must be masked as well
    assert db.attributes["tags"] == {
        "Name": "acme-prod-db",
        "Environment": "prod",
        "Secret": SENSITIVE,
        "api_token": SENSITIVE,  # the name looks secret
    }
    assert db.attributes["engine_version"] == "15.5"  # the running version, as AWS reports
    assert db.resource_id == "acme-prod-db"  # identifier, not the provider-5 id
    everything = repr(parsed)
    for secret in ("S3cr3t-Pa55w0rd!", "tag-value-from-sensitive-var", "tok_live_51Hc9a"):
        assert secret not in everything


def test_iam_role_with_inline_policies_and_attachments(data_dir: Path) -> None:
    roles = by_id(read_state_file(data_dir / "tf1x_sensitive_iam_opentofu.tfstate"))
    role = roles["ingest-lambda"]
    assert role.attributes["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    ]
    assert sorted(role.attributes["inline_policies"]) == ["read-artifacts", "write-logs"]
    assert role.attributes["inline_policies"]["write-logs"]["Statement"][0]["Action"] == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    assert role.attributes["path"] == "/service/"
    assert role.attributes["description"] == "Runs the ingest Lambda"
    assert (role.region, role.account_id) == ("global", "123456789012")
    assert role.sources[0].endswith("#aws_iam_role.ingest")  # the role, not its children
    # an inline policy for a role this state does not declare still gives an expected role
    ops = roles["ops-automation"]
    assert list(ops.attributes) == ["inline_policies"]
    assert ops.sources[0].endswith("#aws_iam_role_policy.ssm")


def test_vpc_security_group_rule_resources(data_dir: Path) -> None:
    [group] = read_state_file(data_dir / "tf1x_vpc_security_group_rules.tfstate").resources
    assert group.resource_id == "sg-0cc33dd44ee55ff66"
    assert group.attributes["ingress"] == [
        "icmp:-1:sg-0cc33dd44ee55ff66",
        "tcp:443:10.0.0.0/16",
        "tcp:443:2600:1f18:abc:de00::/56",
        "tcp:443:pl-63a5400a",
        "tcp:8000-8099:sg-0ff99ee88dd77cc66",
    ]
    assert group.attributes["egress"] == ["all:all:0.0.0.0/0"]
    assert group.attributes["description"] == "API servers"
    assert group.sources[0].endswith("#aws_security_group.api")


# -- provider addresses, regions, tags -------------------------------------------------------


@pytest.mark.parametrize(
    "provider",
    [
        "provider.aws",
        "provider.aws.west",
        "module.web.provider.aws",
        'provider["registry.terraform.io/hashicorp/aws"]',
        'provider["registry.terraform.io/hashicorp/aws"].west',
        'module.web.provider["registry.terraform.io/hashicorp/aws"]',
        'provider["registry.opentofu.org/hashicorp/aws"]',
    ],
)
def test_provider_addresses(states: type[StateFactory], provider: str) -> None:
    [res] = parse(states, states.instance(provider=provider))
    assert res.resource_id == "i-0abc1234def567890"


@pytest.mark.parametrize(
    ("attributes", "region"),
    [
        ({}, "us-east-1"),
        ({"arn": None, "region": "eu-central-1"}, "eu-central-1"),
        ({"arn": None, "availability_zone": "ap-southeast-2b"}, "ap-southeast-2"),
        ({"arn": None, "availability_zone": "us-gov-west-1a"}, "us-gov-west-1"),
        ({"arn": None, "availability_zone": None}, None),
    ],
)
def test_region_sources(
    states: type[StateFactory], attributes: dict[str, Any], region: str | None
) -> None:
    [res] = parse(states, states.instance(attributes=attributes))
    assert res.region == region


def test_tags_fall_back_to_tags_when_tags_all_is_empty(states: type[StateFactory]) -> None:
    [res] = parse(states, states.instance(attributes={"tags": {"Team": "a"}, "tags_all": {}}))
    assert res.attributes["tags"] == {"Team": "a"}


def test_null_tags_are_not_managed(states: type[StateFactory]) -> None:
    [res] = parse(states, states.instance(attributes={"tags": None, "tags_all": None}))
    assert "tags" not in res.attributes


def test_whole_sensitive_tags_and_unreadable_paths(states: type[StateFactory]) -> None:
    whole = states.instance(sensitive=[[{"type": "get_attr", "value": "tags"}]])
    [res] = parse(states, whole)
    assert res.attributes["tags"] == SENSITIVE
    # A path we cannot read masks everything rather than risk a leak.
    odd = states.instance(sensitive=[[{"type": "mystery"}]])
    [res] = parse(states, odd)
    assert set(res.attributes.values()) == {SENSITIVE}


def test_sensitive_rule_peers_are_masked(states: type[StateFactory]) -> None:
    rule = states.resource(
        "aws_security_group_rule",
        "admin",
        {
            "type": "ingress",
            "security_group_id": "sg-0aa11bb22cc33dd44",
            "protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "cidr_blocks": ["203.0.113.7/32"],
        },
        sensitive=[[{"type": "get_attr", "value": "cidr_blocks"}]],
    )
    [group] = parse(states, rule)
    assert group.attributes == {"ingress": SENSITIVE}
    assert "203.0.113.7" not in repr(group)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("ClientSecret", True),
        ("api_token", True),
        ("ssh_private_key", True),
        ("AWS_ACCESS_KEY", True),
        ("GoogleCredentials", True),
        ("Name", False),
        ("Environment", False),
    ],
)
def test_secret_like_names(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


def test_metadata_http_tokens_is_not_mistaken_for_a_secret(states: type[StateFactory]) -> None:
    instance = states.instance(attributes={"metadata_options": [{"http_tokens": "required"}]})
    [res] = parse(states, instance)
    assert res.attributes["metadata_options"] == {"http_tokens": "required"}


def test_supported_types() -> None:
    assert {"aws_instance", "aws_vpc_security_group_egress_rule", "aws_iam_role_policy"} <= (
        SUPPORTED_TYPES
    )


# -- bad input -------------------------------------------------------------------------------


def _refused(path: Path, **kwargs: Any) -> str:
    with pytest.raises(ValidationError) as info:
        read_state_file(path, **kwargs)
    message = info.value.message
    assert "\n" not in message
    assert str(path) in message
    return message


def test_show_json_output_is_refused(write_state: WritePath) -> None:
    path = write_state(
        "show.json",
        {"format_version": "1.0", "terraform_version": "1.7.5", "values": {"root_module": {}}},
    )
    assert "terraform show -json" in _refused(path)


@pytest.mark.parametrize(("version", "hint"), [(3, "version 3"), (5, "version 5")])
def test_other_state_versions_are_refused(
    write_state: WritePath, states: type[StateFactory], version: int, hint: str
) -> None:
    doc = states.doc(states.instance())
    doc["version"] = version
    assert hint in _refused(write_state("old.tfstate", doc))


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (b'{"version": 4, "resources": [{"mode": "managed", "type": "aws_ins', "truncated"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b'{"version": "4", "resources": []}', "'version'"),
        (b'{"resources": []}', "no 'version'"),
        (b'{"version": 4, "resources": {}}', "not a list"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b'{"version": 4, "resources": [{"mode": "managed"}]}', "lacks a type"),
        (b'{"serial": 3, "encrypted_data": "c2VjcmV0", "encryption_version": "v0"}', "encrypted"),
    ],
)
def test_malformed_files_are_refused(write_state: WritePath, content: bytes, hint: str) -> None:
    assert hint in _refused(write_state("bad.tfstate", content))


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert "no such file" in _refused(tmp_path / "nope.tfstate")


def test_a_policy_that_is_not_json_is_refused(states: type[StateFactory]) -> None:
    bucket = states.resource(
        "aws_s3_bucket_policy", "p", {"bucket": "acme-prod-logs", "policy": "{not json"}
    )
    with pytest.raises(ValidationError, match=r"aws_s3_bucket_policy\.p: a policy"):
        parse(states, bucket)


def test_huge_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.tfstate"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: 2 GiB that take no disk space

    def never_opened(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", never_opened)
    message = _refused(path)
    assert "2048.0 MiB" in message and "256.0 MiB limit" in message


def test_size_limit_is_a_parameter(write_state: WritePath, states: type[StateFactory]) -> None:
    path = write_state("small.tfstate", states.doc(states.instance()))
    assert "limit" in _refused(path, max_bytes=100)
    assert read_state_file(path, max_bytes=10_000).resources


def test_a_state_with_no_resources_is_empty_not_refused(write_state: WritePath) -> None:
    path = write_state("fresh.tfstate", {"version": 4, "serial": 1, "resources": []})
    assert read_state_file(path).resources == []


def test_utf8_bom_is_accepted(write_state: WritePath, states: type[StateFactory]) -> None:
    path = write_state("bom.tfstate", b"\xef\xbb\xbf" + json.dumps(states.doc()).encode())
    assert read_state_file(path).resources == []


# -- merging ---------------------------------------------------------------------------------


def test_split_resources_win_even_from_another_state(states: type[StateFactory]) -> None:
    bucket = states.resource(
        "aws_s3_bucket",
        "logs",
        {
            "bucket": "acme-prod-logs",
            "arn": "arn:aws:s3:::acme-prod-logs",
            "region": "us-east-1",
            "versioning": [{"enabled": True, "mfa_delete": False}],
        },
    )
    versioning = states.resource(
        "aws_s3_bucket_versioning",
        "logs",
        {"bucket": "acme-prod-logs", "versioning_configuration": [{"status": "Suspended"}]},
    )
    first = parse_state(json.dumps(states.doc(versioning)), "a.tfstate")
    second = parse_state(json.dumps(states.doc(bucket)), "b.tfstate")
    [merged] = assemble([*first.fragments, *second.fragments])
    assert merged.attributes["versioning"] == "Suspended"
    assert merged.region == "us-east-1"
    assert merged.sources == ["b.tfstate#aws_s3_bucket.logs"]


def test_a_resource_in_two_states_is_one_with_both_sources(states: type[StateFactory]) -> None:
    one = parse_state(json.dumps(states.doc(states.instance(name="app"))), "a.tfstate")
    two = parse_state(json.dumps(states.doc(states.instance(name="legacy"))), "b.tfstate")
    [merged] = assemble([*one.fragments, *two.fragments])
    assert merged.sources == ["a.tfstate#aws_instance.app", "b.tfstate#aws_instance.legacy"]
    assert merged.attributes["tags"] == {"Name": "app"}  # the first state wins
