"""IAM roles: two paginated account-wide listings, never one call per role.

GetAccountAuthorizationDetails(Filter=["Role"]) returns each role's trust policy, attached
managed policies, inline policies with their documents and tags, but not its description or
maximum session duration; ListRoles returns those two. Both are joined on RoleId.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.domain import GLOBAL_REGION, ResourceType
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext, Scope, TypeInfo

if TYPE_CHECKING:
    from mypy_boto3_iam.type_defs import RoleDetailTypeDef, RoleTypeDef

# Roles AWS creates and owns: service-linked roles and IAM Identity Center permission-set roles.
_AWS_OWNED_PATHS = ("/aws-service-role/", "/aws-reserved/")


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every IAM role of the account, under domain.GLOBAL_REGION; AWS errors propagate."""
    client = ctx.aws.client("iam")
    page_size = ctx.page_size_for(1, 1000)
    summaries: dict[str, RoleTypeDef] = {}
    for page in client.get_paginator("list_roles").paginate(
        PaginationConfig={"PageSize": page_size}
    ):
        for role in page.get("Roles", []):
            summaries[role["RoleId"]] = role
    found: list[ActualResource] = []
    for details_page in client.get_paginator("get_account_authorization_details").paginate(
        Filter=["Role"], PaginationConfig={"PageSize": page_size}
    ):
        for detail in details_page.get("RoleDetailList", []):
            summary = summaries.get(detail.get("RoleId", ""))
            # A role in only one listing was created or deleted between the two calls; the next
            # scan sees it whole.
            if summary is not None:
                found.append(to_resource(detail, summary, ctx.account_id))
    return Collected(resources=found)


def to_resource(
    detail: RoleDetailTypeDef, summary: RoleTypeDef, account_id: str | None
) -> ActualResource:
    """One role (authorization details + ListRoles summary) in the canonical IAM_ROLE form."""
    path = detail.get("Path", "/")
    attributes: dict[str, Any] = {
        # botocore already decodes IAM policy documents; normalize.policy also takes the
        # URL-encoded text some endpoints return.
        "assume_role_policy": normalize.policy(_document(detail.get("AssumeRolePolicyDocument"))),
        "managed_policy_arns": sorted(
            p["PolicyArn"] for p in detail.get("AttachedManagedPolicies", []) if "PolicyArn" in p
        ),
        "inline_policies": {
            p["PolicyName"]: normalize.policy(_document(p.get("PolicyDocument")))
            for p in detail.get("RolePolicyList", [])
            if "PolicyName" in p
        },
        "max_session_duration": int(summary.get("MaxSessionDuration", 3600)),
        "path": path,
        "description": summary.get("Description"),
        "tags": normalize.tags(detail.get("Tags")),
    }
    return ActualResource(
        resource_type=ResourceType.IAM_ROLE.value,
        resource_id=detail.get("RoleName") or summary["RoleName"],
        region=GLOBAL_REGION,
        attributes=attributes,
        account_id=account_id,
        is_default=path.startswith(_AWS_OWNED_PATHS),
    )


def _document(value: Any) -> str | dict[str, Any] | None:
    if value is None or isinstance(value, str):
        return value
    return dict(value)


TYPE_INFO = TypeInfo(
    resource_type=ResourceType.IAM_ROLE,
    service="iam",
    scope=Scope.GLOBAL,
    list_operations=("iam:ListRoles", "iam:GetAccountAuthorizationDetails"),
    id_field="RoleName",
    collect=collect,
)
