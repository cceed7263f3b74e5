"""Conformance entry of ECS_CLUSTER (fixture: ecs_cluster.tfstate)."""

from __future__ import annotations

from tests.types.entries._common import tag_mutation
from tests.types.entries._estate_copies import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "ECS_CLUSTER"
FIXTURE = "ecs_cluster.tfstate"

PLATFORM = "aws_ecs_cluster.platform"
BATCH = "aws_ecs_cluster.batch_jobs"


def _tag(account: Account, arn: str, key: str, value: str) -> None:
    account.client("ecs").tag_resource(resourceArn=arn, tags=[{"key": key, "value": value}])


def _insights_off(account: Account) -> None:
    # moto lacks UpdateClusterSettings; UpdateCluster(settings=...) is the same change on AWS.
    account.client("ecs").update_cluster(
        cluster=account.ids[PLATFORM], settings=[{"name": "containerInsights", "value": "disabled"}]
    )


def _exec_logging_on(account: Account) -> None:
    account.client("ecs").update_cluster(
        cluster=account.ids[BATCH],
        configuration={"executeCommandConfiguration": {"logging": "NONE"}},
    )


def _delete(account: Account) -> None:
    account.client("ecs").delete_cluster(cluster=account.ids[BATCH])


def _console_cluster(account: Account) -> str:
    cluster = account.client("ecs").create_cluster(clusterName="console-made")["cluster"]
    return str(cluster["clusterArn"])


def _aws_default(account: Account) -> list[str]:
    # What RunTask and the console's first-run wizard create: a cluster named "default".
    cluster = account.client("ecs").create_cluster()["cluster"]
    return [str(cluster["clusterArn"])]


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, PLATFORM),
        Mutation(
            "container insights off",
            _insights_off,
            PLATFORM,
            "settings.containerInsights",
            "warning",
        ),
        Mutation(
            "execute-command logging set by hand",
            _exec_logging_on,
            BATCH,
            "configuration",
            "warning",
        ),
        Mutation("created in the console", _console_cluster, None, "", "info", "unmanaged"),
        Mutation("deleted", _delete, BATCH, "", "warning", "missing"),
    ),
    aws_owned=_aws_default,
    estate=lambda n: copies(FIXTURE, ("aws_ecs_cluster",), n),
)
