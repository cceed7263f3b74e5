"""Helpers the conformance entries share."""

from __future__ import annotations

from tests.types.harness import Account, Mutation

WORLD = "0.0.0.0/0"


def tag_mutation(
    service: str, address: str, key: str = "Owner", value: str = "someone-else"
) -> Mutation:
    def apply(account: Account) -> None:
        rid = account.ids[address]
        client = account.client(service)
        if service == "ec2":
            client.create_tags(Resources=[rid], Tags=[{"Key": key, "Value": value}])
        elif service == "s3":
            tags = client.get_bucket_tagging(Bucket=rid)["TagSet"]
            tags = [t for t in tags if t["Key"] != key] + [{"Key": key, "Value": value}]
            client.put_bucket_tagging(Bucket=rid, Tagging={"TagSet": tags})
        elif service == "rds":
            arn = client.describe_db_instances(DBInstanceIdentifier=rid)["DBInstances"][0][
                "DBInstanceArn"
            ]
            client.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": key, "Value": value}])
        elif service == "iam":
            client.tag_role(RoleName=rid, Tags=[{"Key": key, "Value": value}])
        elif service == "elbv2":
            client.add_tags(ResourceArns=[rid], Tags=[{"Key": key, "Value": value}])

    return Mutation(f"tag {key} changed", apply, address, f"tags.{key}", "info")
