"""Helpers the conformance entries share."""

from __future__ import annotations

from collections.abc import Callable

from tests.types.harness import Account, Mutation

WORLD = "0.0.0.0/0"

# Sets one tag on a resource: (account, resource id, key, value). A new type whose service is
# not below passes its own to ``tag_mutation`` instead of adding a branch here.
Tagger = Callable[[Account, str, str, str], None]


def _ec2(account: Account, rid: str, key: str, value: str) -> None:
    account.client("ec2").create_tags(Resources=[rid], Tags=[{"Key": key, "Value": value}])


def _s3(account: Account, rid: str, key: str, value: str) -> None:
    client = account.client("s3")
    tags = client.get_bucket_tagging(Bucket=rid)["TagSet"]
    tags = [t for t in tags if t["Key"] != key] + [{"Key": key, "Value": value}]
    client.put_bucket_tagging(Bucket=rid, Tagging={"TagSet": tags})


def _rds(account: Account, rid: str, key: str, value: str) -> None:
    client = account.client("rds")
    arn = client.describe_db_instances(DBInstanceIdentifier=rid)["DBInstances"][0]["DBInstanceArn"]
    client.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": key, "Value": value}])


def _iam_role(account: Account, rid: str, key: str, value: str) -> None:
    account.client("iam").tag_role(RoleName=rid, Tags=[{"Key": key, "Value": value}])


def _elbv2(account: Account, rid: str, key: str, value: str) -> None:
    account.client("elbv2").add_tags(ResourceArns=[rid], Tags=[{"Key": key, "Value": value}])


TAGGERS: dict[str, Tagger] = {
    "ec2": _ec2,
    "s3": _s3,
    "rds": _rds,
    "iam": _iam_role,
    "elbv2": _elbv2,
}


def tag_mutation(
    service: str | Tagger, address: str, key: str = "Owner", value: str = "someone-else"
) -> Mutation:
    """A tag changed behind Terraform's back: found as ``tags.<key>`` at info.

    ``service`` names one of ``TAGGERS`` or is a tagger of the entry's own.
    """
    tagger = TAGGERS[service] if isinstance(service, str) else service

    def apply(account: Account) -> None:
        tagger(account, account.ids[address], key, value)

    return Mutation(f"tag {key} changed", apply, address, f"tags.{key}", "info")
