"""Conformance entry of DB_SUBNET_GROUP (fixture: db_subnet_group.tfstate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._estate_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "DB_SUBNET_GROUP"
FIXTURE = "db_subnet_group.tfstate"

MAIN = "aws_db_subnet_group.main"
REPORTING = "aws_db_subnet_group.reporting"


def _tag(account: Account, name: str, key: str, value: str) -> None:
    rds = account.client("rds")
    group = rds.describe_db_subnet_groups(DBSubnetGroupName=name)["DBSubnetGroups"][0]
    rds.add_tags_to_resource(
        ResourceName=group["DBSubnetGroupArn"], Tags=[{"Key": key, "Value": value}]
    )


def _recreate(**changes: Any) -> Callable[[Account], None]:
    # moto's ModifyDBSubnetGroup deletes the group; AWS changes it in place. Recreating it with
    # the same name and tags is the same change as far as a scan can tell.
    def apply(account: Account) -> None:
        rds = account.client("rds")
        name = account.ids[MAIN]
        group = rds.describe_db_subnet_groups(DBSubnetGroupName=name)["DBSubnetGroups"][0]
        tags = rds.list_tags_for_resource(ResourceName=group["DBSubnetGroupArn"])["TagList"]
        rds.delete_db_subnet_group(DBSubnetGroupName=name)
        settings: dict[str, Any] = {
            "DBSubnetGroupDescription": group["DBSubnetGroupDescription"],
            "SubnetIds": [s["SubnetIdentifier"] for s in group["Subnets"]],
            **changes,
        }
        rds.create_db_subnet_group(DBSubnetGroupName=name, Tags=tags, **settings)

    return apply


def _one_subnet(account: Account) -> None:
    subnets = sorted(account.attributes(MAIN)["subnet_ids"])
    _recreate(SubnetIds=subnets[:1])(account)


def _delete(account: Account) -> None:
    account.client("rds").delete_db_subnet_group(DBSubnetGroupName=account.ids[REPORTING])


def _console_group(account: Account) -> str:
    account.client("rds").create_db_subnet_group(
        DBSubnetGroupName="console-made",
        DBSubnetGroupDescription="made by hand",
        SubnetIds=account.attributes(MAIN)["subnet_ids"],
    )
    return "console-made"


def _aws_default(account: Account) -> list[str]:
    ec2 = account.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    account.client("rds").create_db_subnet_group(
        DBSubnetGroupName="default",
        DBSubnetGroupDescription="default",
        SubnetIds=[s["SubnetId"] for s in subnets["Subnets"]],
    )
    return ["default"]


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, MAIN),
        tag_mutation(_tag, MAIN, key="CostCenter"),
        Mutation(
            "description changed",
            _recreate(DBSubnetGroupDescription="changed by hand"),
            MAIN,
            "description",
            "warning",
        ),
        Mutation("subnet removed", _one_subnet, MAIN, "subnet_ids[subnet-*", "warning"),
        Mutation("deleted", _delete, REPORTING, "", "warning", "missing"),
        Mutation("created in the console", _console_group, None, "", "info", "unmanaged"),
    ),
    aws_owned=_aws_default,
    estate=lambda n: copies(FIXTURE, ("aws_db_subnet_group",), n),
)
