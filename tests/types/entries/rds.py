"""Conformance entry of RDS (fixture: rds.tfstate)."""

from __future__ import annotations

from collections.abc import Callable

from tests.types.entries._common import tag_mutation
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "RDS"

DB = "aws_db_instance.main"


def _modify_db(**changes: object) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("rds").modify_db_instance(
            DBInstanceIdentifier=account.ids[DB], ApplyImmediately=True, **changes
        )

    return apply


def _console_db(account: Account) -> str:
    account.client("rds").create_db_instance(
        DBInstanceIdentifier="conformance-scratch",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="scratch",
        MasterUserPassword="not-a-real-password-1",
        AllocatedStorage=20,
    )
    return "conformance-scratch"


ENTRY = Entry(
    fixture="rds.tfstate",
    mutations=(
        Mutation(
            "made public",
            _modify_db(PubliclyAccessible=True),
            DB,
            "publicly_accessible",
            "critical",
        ),
        Mutation(
            "deletion protection off",
            _modify_db(DeletionProtection=False),
            DB,
            "deletion_protection",
            "critical",
        ),
        Mutation(
            "resized", _modify_db(DBInstanceClass="db.t3.large"), DB, "instance_class", "warning"
        ),
        Mutation(
            "backups shortened",
            _modify_db(BackupRetentionPeriod=1),
            DB,
            "backup_retention_period",
            "warning",
        ),
        Mutation("standby added", _modify_db(MultiAZ=True), DB, "multi_az", "warning"),
        tag_mutation("rds", DB),
        tag_mutation("rds", DB, key="CostCenter"),
        Mutation("created in the console", _console_db, None, "", "info", "unmanaged"),
    ),
)
