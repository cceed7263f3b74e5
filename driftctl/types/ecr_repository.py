"""ECR repositories (``aws_ecr_repository`` + ``aws_ecr_repository_policy`` and
``aws_ecr_lifecycle_policy``): one paginated DescribeRepositories per region (1,000 a page),
then GetLifecyclePolicy and ListTagsForResource for each repository the IaC declares (ECR has
no batch form of them), and GetRepositoryPolicy for every repository: an unmanaged repository
whose policy lets anyone in is critical on its own, so the risk check needs it.

resource_id is the repository name; both policy resources are keyed by their ``repository``.
The repository policy compares as a policy (statement order, key order, one-element lists), the
lifecycle policy as a JSON document; a policy only AWS has is compared only when the IaC
declares one. "No policy" answers (RepositoryPolicyNotFoundException,
LifecyclePolicyNotFoundException) read as none. An unset KMS key means the AWS-managed key.
``force_delete`` is Terraform-only. Critical: the repository policy granting ``Principal: *``
without a condition, and an unmanaged repository whose policy does. moto ignores
DescribeRepositories' maxResults (it answers in one page); AWS pages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.diff.conditions import (
    became_public_unconditionally,
    grants_public_unconditionally,
)
from driftctl.iac.instance import StateInstance, boolean, document, policy
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import resource_arn, scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    Fix,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

if TYPE_CHECKING:
    pass

RESOURCE_TYPE = "ECR_REPOSITORY"
SERVICE = "ecr"
# DescribeRepositories accepts 1..1000 per page.
_PAGE = (1, 1000)
_NO_POLICY = "RepositoryPolicyNotFoundException"
_NO_LIFECYCLE = "LifecyclePolicyNotFoundException"
_GONE = "RepositoryNotFoundException"


def canonical_id(value: str) -> str:
    """The repository name, from a name or a repository ARN (names may hold ``/``)."""
    if value.startswith("arn:") and ":repository/" in value:
        return value.split(":repository/", 1)[1]
    return value


# -- the risk: a policy open to anyone -------------------------------------------------------


# -- reading the state -------------------------------------------------------------------------


def _repository_policy(inst: StateInstance) -> dict[str, Any]:
    return {"policy": policy(inst.get("policy"))}


def _lifecycle_policy(inst: StateInstance) -> dict[str, Any]:
    return {"lifecycle_policy": document(inst.get("policy"))}


SCHEMA: dict[str, Attr] = {
    "image_tag_mutability": Attr(default="MUTABLE"),
    "scan_on_push": Attr(type=bool, tf=("image_scanning_configuration.0.scan_on_push",)),
    "encryption": Attr(
        Kind.OBJECT,
        tf=("encryption_configuration",),
        fields={
            "encryption_type": Attr(default="AES256"),
            "kms_key": Attr(empty_is_unset=True),
        },
    ),
    "policy": Attr(Kind.POLICY, read=lambda _inst: None, doc="aws_ecr_repository_policy"),
    "lifecycle_policy": Attr(
        Kind.DOCUMENT, read=lambda _inst: None, doc="aws_ecr_lifecycle_policy"
    ),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every repository of ``region``; policies and tags of the declared ones. Listing errors
    propagate; a failed detail read leaves the region partial."""
    ecr = ctx.aws.client(SERVICE, region)
    pages = ecr.get_paginator("describe_repositories").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    repos = [r for page in pages for r in page.get("repositories", []) if r.get("repositoryName")]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def optional(call: Any, missing: str, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        try:
            return call(**kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == missing:
                return None
            raise

    def read(repo: Mapping[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        name = str(repo["repositoryName"])
        try:
            found = optional(ecr.get_repository_policy, _NO_POLICY, repositoryName=name)
            details: dict[str, Any] = {
                "policy": normalize.policy(found.get("policyText")) if found else None
            }
            if name in managed:
                lifecycle = optional(ecr.get_lifecycle_policy, _NO_LIFECYCLE, repositoryName=name)
                tags = ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"]).get("tags")
                text = lifecycle.get("lifecyclePolicyText") if lifecycle else None
                details["lifecycle_policy"] = json.loads(text) if text else None
                details["tags"] = normalize.tags(tags)
        except (BotoCoreError, ClientError) as exc:
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == _GONE:
                return Detail()
            return failed((region,), f"repository {name}", exc)
        except ValueError as exc:
            message = f"repository {name}: a policy is not valid JSON: {exc}"
            return Detail(failed_regions=(region,), code="InvalidPolicy", message=message)
        return Detail(resource=to_resource(repo, region, ctx.account_id, details))

    return read_each(ctx, RESOURCE_TYPE, repos, read, noun="repositories")


def to_resource(
    repo: Mapping[str, Any],
    region: str,
    account_id: str | None,
    details: Mapping[str, Any] | None = None,
) -> ActualResource:
    """One DescribeRepositories item (+ its policies and tags) in the canonical form."""
    encryption = repo.get("encryptionConfiguration") or {}
    attributes: dict[str, Any] = {
        "image_tag_mutability": repo.get("imageTagMutability"),
        "scan_on_push": bool((repo.get("imageScanningConfiguration") or {}).get("scanOnPush")),
        "encryption": {
            "encryption_type": encryption.get("encryptionType"),
            "kms_key": encryption.get("kmsKey"),
        },
    }
    attributes.update(details or {})
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(repo["repositoryName"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------


def _repository(query: FixQuery) -> dict[str, str]:
    return {"repositoryName": query.resource_id}


def _mutability_call(query: FixQuery, expected: Any) -> Call:
    return Call(
        SERVICE,
        "PutImageTagMutability",
        {**_repository(query), "imageTagMutability": str(expected or "MUTABLE")},
    )


def _scan_on_push_call(query: FixQuery, expected: Any) -> Call:
    conf = {"scanOnPush": boolean(expected) is True}
    return Call(
        SERVICE,
        "PutImageScanningConfiguration",
        {**_repository(query), "imageScanningConfiguration": conf},
    )


def _policy_plan(query: FixQuery) -> list[Call]:
    entry = query.entries["policy"]
    if entry.get("expected") is None:
        return [Call(SERVICE, "DeleteRepositoryPolicy", _repository(query))]
    text = json.dumps(entry["expected"], separators=(",", ":"))
    return [Call(SERVICE, "SetRepositoryPolicy", {**_repository(query), "policyText": text})]


def _lifecycle_plan(query: FixQuery) -> list[Call]:
    entry = query.entries["lifecycle_policy"]
    if entry.get("expected") is None:
        return [Call(SERVICE, "DeleteLifecyclePolicy", _repository(query))]
    text = json.dumps(entry["expected"], separators=(",", ":"))
    return [
        Call(SERVICE, "PutLifecyclePolicy", {**_repository(query), "lifecyclePolicyText": text})
    ]


FIXES = (
    scalar_fix(
        "image_tag_mutability",
        _mutability_call,
        doc="image tag mutability (ecr:PutImageTagMutability)",
    ),
    scalar_fix(
        "scan_on_push", _scan_on_push_call, doc="scan on push (ecr:PutImageScanningConfiguration)"
    ),
    Fix(
        "policy",
        _policy_plan,
        doc="repository policy (ecr:SetRepositoryPolicy / DeleteRepositoryPolicy)",
    ),
    Fix(
        "lifecycle_policy",
        _lifecycle_plan,
        doc="lifecycle policy (ecr:PutLifecyclePolicy / DeleteLifecyclePolicy)",
    ),
    tags_fix(
        SERVICE,
        "TagResource",
        "UntagResource",
        lambda q: {"resourceArn": resource_arn(q, SERVICE, f"repository/{q.resource_id}")},
        tags_param="tags",
        keys_param="tagKeys",
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _reordered(text: str) -> str:
    # AWS gives a document back in its own key order and spacing.
    return json.dumps(json.loads(text), sort_keys=True, indent=2)


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    encryption = (attrs.get("encryption_configuration") or [{}])[0]
    if encryption.get("encryption_type"):
        conf: dict[str, Any] = {"encryptionType": encryption["encryption_type"]}
        if encryption.get("kms_key"):
            conf["kmsKey"] = ctx.id(encryption["kms_key"])
        extra["encryptionConfiguration"] = conf
    tags = tags_of(attrs)
    if tags:
        extra["tags"] = tag_list(tags)
    scanning = (attrs.get("image_scanning_configuration") or [{}])[0]
    ctx.client(SERVICE).create_repository(
        repositoryName=attrs["name"],
        imageTagMutability=attrs.get("image_tag_mutability") or "MUTABLE",
        imageScanningConfiguration={"scanOnPush": bool(scanning.get("scan_on_push"))},
        **extra,
    )


def _build_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client(SERVICE).set_repository_policy(
        repositoryName=attrs["repository"], policyText=_reordered(attrs["policy"])
    )


def _build_lifecycle(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client(SERVICE).put_lifecycle_policy(
        repositoryName=attrs["repository"], lifecyclePolicyText=_reordered(attrs["policy"])
    )


_AFTER = ("aws_ecr_repository",)

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="ECR repository",
    with_article="an ECR repository",
    sarif_name="ECRRepository",
    terraform=(
        TerraformType(
            "aws_ecr_repository",
            id=("name", "id"),
            not_compared={
                "force_delete": "Terraform-only",
                "timeouts": "Terraform-only",
                "image_tag_mutability_exclusion_filter": "not compared yet",
            },
        ),
        TerraformType(
            "aws_ecr_repository_policy",
            id=("repository", "id"),
            read=_repository_policy,
            parent=True,
            overrides=True,
        ),
        TerraformType(
            "aws_ecr_lifecycle_policy",
            id=("repository", "id"),
            read=_lifecycle_policy,
            parent=True,
            overrides=True,
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(
        ApiCall("ecr:DescribeRepositories", per="region", page_size=1000),
        ApiCall("ecr:GetRepositoryPolicy", per="resource"),
        ApiCall("ecr:GetLifecyclePolicy", per="resource", managed_only=True),
        ApiCall("ecr:ListTagsForResource", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=canonical_id,
    id_doc="repository name",
    rules=(
        Rule(
            "policy",
            became_public_unconditionally,
            doc="the repository policy grants Principal: * unconditionally",
        ),
    ),
    risky=lambda attributes: grants_public_unconditionally(attributes.get("policy")),
    fixes=FIXES,
    builders={
        "aws_ecr_repository": Builder(_build, after=("aws_kms_key",)),
        "aws_ecr_repository_policy": Builder(_build_policy, after=_AFTER),
        "aws_ecr_lifecycle_policy": Builder(_build_lifecycle, after=_AFTER),
    },
)
