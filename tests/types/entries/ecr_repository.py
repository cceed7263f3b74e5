"""Conformance entry of ECR_REPOSITORY (fixture: ecr_repository.tfstate)."""

from __future__ import annotations

import json
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._copies import copies, replace_all
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "ECR_REPOSITORY"
FIXTURE = "ecr_repository.tfstate"

API = "aws_ecr_repository.api"
WORKER = "aws_ecr_repository.worker"
OPEN_PULL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AnyonePulls",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}


def _tag(account: Account, name: str, key: str, value: str) -> None:
    client = account.client("ecr")
    arn = client.describe_repositories(repositoryNames=[name])["repositories"][0]["repositoryArn"]
    client.tag_resource(resourceArn=arn, tags=[{"Key": key, "Value": value}])


def _mutable(account: Account) -> None:
    account.client("ecr").put_image_tag_mutability(
        repositoryName="webapp/api", imageTagMutability="MUTABLE"
    )


def _open_policy(account: Account) -> None:
    account.client("ecr").set_repository_policy(
        repositoryName="webapp/api", policyText=json.dumps(OPEN_PULL)
    )


def _scan_off(account: Account) -> None:
    account.client("ecr").put_image_scanning_configuration(
        repositoryName="webapp/api", imageScanningConfiguration={"scanOnPush": False}
    )


def _policy_dropped(account: Account) -> None:
    account.client("ecr").delete_repository_policy(repositoryName="webapp/api")


def _lifecycle_dropped(account: Account) -> None:
    account.client("ecr").delete_lifecycle_policy(repositoryName="webapp/api")


def _delete_worker(account: Account) -> None:
    account.client("ecr").delete_repository(repositoryName="webapp-worker", force=True)


def _console_repository(account: Account) -> str:
    account.client("ecr").create_repository(repositoryName="scratch/tools")
    return "scratch/tools"


def _console_public_repository(account: Account) -> str:
    client = account.client("ecr")
    client.create_repository(repositoryName="scratch/public")
    client.set_repository_policy(repositoryName="scratch/public", policyText=json.dumps(OPEN_PULL))
    return "scratch/public"


def _rename(number: int, attrs: dict[str, Any]) -> dict[str, Any]:
    name = str(attrs.get("name") or attrs["repository"])
    return replace_all(attrs, [(name, f"{name}-{number}")])


def estate(n: int) -> dict[str, Any]:
    """``n`` copies of the fixture's repositories, each with its policies."""
    types = ["aws_ecr_repository", "aws_ecr_repository_policy", "aws_ecr_lifecycle_policy"]
    return copies(FIXTURE, types, n, _rename)


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        tag_mutation(_tag, API),
        tag_mutation(_tag, API, key="CostCenter"),
        Mutation("scan on push off", _scan_off, API, "scan_on_push", "warning"),
        Mutation("policy deleted", _policy_dropped, API, "policy", "warning"),
        Mutation("tags made mutable", _mutable, API, "image_tag_mutability", "warning"),
        Mutation(
            "lifecycle policy deleted", _lifecycle_dropped, API, "lifecycle_policy", "warning"
        ),
        Mutation("policy opened to anyone", _open_policy, API, "policy", "critical"),
        Mutation("created in the console", _console_repository, None, "", "info", "unmanaged"),
        Mutation(
            "created in the console, open to anyone",
            _console_public_repository,
            None,
            "",
            "critical",
            "unmanaged",
        ),
        Mutation("deleted", _delete_worker, WORKER, "", "warning", "missing"),
    ),
    estate=estate,
)
