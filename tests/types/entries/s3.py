"""Conformance entry of S3 (fixture: s3.tfstate)."""

from __future__ import annotations

import json

from driftctl.types.s3 import SPEC as S3_SPEC
from tests.types.entries._common import tag_mutation
from tests.types.entries._estate_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "S3"

ASSETS = "aws_s3_bucket.assets"
LOGS = "aws_s3_bucket.access_logs"


def _suspend(account: Account) -> None:
    account.client("s3").put_bucket_versioning(
        Bucket=account.ids[ASSETS], VersioningConfiguration={"Status": "Suspended"}
    )


def _unblock(account: Account) -> None:
    account.client("s3").delete_public_access_block(Bucket=account.ids[ASSETS])


def _public_policy(account: Account) -> None:
    bucket = account.ids[ASSETS]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    account.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def _policy_gone(account: Account) -> None:
    account.client("s3").delete_bucket_policy(Bucket=account.ids[ASSETS])


def _sse_s3(account: Account) -> None:
    account.client("s3").put_bucket_encryption(
        Bucket=account.ids[ASSETS],
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def _shorter_lifecycle(account: Account) -> None:
    client = account.client("s3")
    bucket = account.ids[ASSETS]
    rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    for rule in rules:
        if rule["ID"] == "archive-old-versions":
            rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": 7}
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": rules}
    )


def _acls_back(account: Account) -> None:
    account.client("s3").put_bucket_ownership_controls(
        Bucket=account.ids[LOGS],
        OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
    )


def _logging_off(account: Account) -> None:
    account.client("s3").put_bucket_logging(Bucket=account.ids[ASSETS], BucketLoggingStatus={})


def _daily_inventory(account: Account) -> None:
    client = account.client("s3")
    bucket = account.ids[ASSETS]
    [conf] = client.list_bucket_inventory_configurations(Bucket=bucket)[
        "InventoryConfigurationList"
    ]
    conf["Schedule"] = {"Frequency": "Daily"}
    client.put_bucket_inventory_configuration(
        Bucket=bucket, Id=conf["Id"], InventoryConfiguration=conf
    )


def _queue_notification_gone(account: Account) -> None:
    client = account.client("s3")
    bucket = account.ids[ASSETS]
    answer = client.get_bucket_notification_configuration(Bucket=bucket)
    answer.pop("ResponseMetadata", None)
    answer.pop("QueueConfigurations", None)
    client.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=answer)


def _delete_logs(account: Account) -> None:
    client = account.client("s3")
    # The assets bucket delivered its access logs here: a bucket is emptied before deletion.
    for item in client.list_objects_v2(Bucket=account.ids[LOGS]).get("Contents", []):
        client.delete_object(Bucket=account.ids[LOGS], Key=item["Key"])
    client.delete_bucket(Bucket=account.ids[LOGS])


def _shadow_bucket(account: Account) -> str:
    account.client("s3").create_bucket(Bucket="conformance-shadow-copy")
    return "conformance-shadow-copy"


def _public_shadow_bucket(account: Account) -> str:
    name = "conformance-public-copy"
    client = account.client("s3")
    client.create_bucket(Bucket=name)
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return name


def _estate(n: int) -> dict[str, object]:
    # Each bucket's split resources follow their copy, the logging target too.
    types = [t.name for t in S3_SPEC.terraform]
    return copies("s3.tfstate", types, n, names=("bucket", "target_bucket"))


ENTRY = Entry(
    fixture="s3.tfstate",
    mutations=(
        Mutation("versioning suspended", _suspend, ASSETS, "versioning", "critical"),
        Mutation(
            "public access block removed",
            _unblock,
            ASSETS,
            "public_access_block.block_public_policy",
            "critical",
        ),
        Mutation("policy made public", _public_policy, ASSETS, "policy", "critical"),
        Mutation("policy deleted", _policy_gone, ASSETS, "policy", "warning"),
        Mutation(
            "KMS encryption replaced by SSE-S3",
            _sse_s3,
            ASSETS,
            "server_side_encryption.sse_algorithm",
            "warning",
        ),
        tag_mutation("s3", ASSETS),
        # A key only AWS has: its revert writes the set back without it.
        tag_mutation("s3", ASSETS, key="CostCenter"),
        Mutation(
            "old versions expire sooner",
            _shorter_lifecycle,
            ASSETS,
            "lifecycle_rules.archive-old-versions",
            "warning",
        ),
        Mutation("ACLs enabled again", _acls_back, LOGS, "object_ownership", "warning"),
        Mutation("access logging off", _logging_off, ASSETS, "logging.target_bucket", "warning"),
        Mutation(
            "inventory made daily",
            _daily_inventory,
            ASSETS,
            "inventory_configurations.assets-weekly",
            "warning",
        ),
        Mutation(
            "queue notification removed",
            _queue_notification_gone,
            ASSETS,
            "notifications.tf-s3-queue-20240312091428113600000003",
            "warning",
        ),
        Mutation("deleted", _delete_logs, LOGS, "", "warning", "missing"),
        # Not exposed on its own, but nothing guards it: a warning.
        Mutation("unblocked bucket", _shadow_bucket, None, "", "warning", "unmanaged"),
        Mutation("public bucket", _public_shadow_bucket, None, "", "critical", "unmanaged"),
    ),
    estate=_estate,
)
