"""Customer-managed IAM policies (``aws_iam_policy``): the shared GetAccountAuthorizationDetails
listing (``LocalManagedPolicy``), plus ListPolicyTags for the policies the IaC declares.

resource_id is the policy ARN (the provider's ``id``); the region is ``global``. Only the default
version's document counts: older versions kept beside it are not drift. The ~1,000 AWS-managed
policies (``arn:aws:iam::aws:policy/…``) are not even listed, so they are never unmanaged. The
listing carries no tags (AWS's ManagedPolicyDetail has none), hence one ListPolicyTags per
declared policy; an unmanaged policy needs none, its risk is in its document.

moto leaves ``PolicyName`` and ``PolicyId`` out of the listing's policies (AWS sends both): the
name is read from the ARN, which AWS and moto both send.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.diff.conditions import allows_admin, gained_admin
from driftctl.domain import GLOBAL_REGION
from driftctl.resources import ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.types import iam_details
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import scalar_fix, tags_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

RESOURCE_TYPE = "IAM_POLICY"

SCHEMA: dict[str, Attr] = {
    "policy": Attr(Kind.POLICY, doc="the default version's document"),
    "path": Attr(),
    "description": Attr(),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def default_document(detail: Mapping[str, Any]) -> dict[str, Any] | None:
    """The document of a policy's default version (the only one in force)."""
    default_id = detail.get("DefaultVersionId")
    for version in detail.get("PolicyVersionList") or []:
        if not isinstance(version, Mapping):
            continue
        if version.get("IsDefaultVersion") is True or (
            default_id and version.get("VersionId") == default_id
        ):
            return iam_details.document(version.get("Document"))
    return None


def to_resource(
    detail: Mapping[str, Any], tags: Mapping[str, str] | None, account_id: str | None
) -> ActualResource:
    """One ManagedPolicyDetail (and its tags, when read) in the canonical IAM_POLICY form."""
    attributes: dict[str, Any] = {
        "policy": default_document(detail),
        "path": str(detail.get("Path") or "/"),
        "description": detail.get("Description") or None,
    }
    if tags is not None:
        attributes["tags"] = tags
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(detail["Arn"]),
        region=GLOBAL_REGION,
        attributes=attributes,
        account_id=account_id,
    )


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every customer-managed policy of the account, under domain.GLOBAL_REGION."""
    listed = [
        p
        for p in iam_details.authorization_details(ctx).policies
        if isinstance(p.get("Arn"), str) and not _aws_managed(p["Arn"])
    ]
    declared = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    wanted = [str(p["Arn"]) for p in listed if p["Arn"] in declared]
    iam = iam_details.client(ctx)

    def tags_of_policy(arn: str) -> dict[str, str] | None:
        try:
            answer = iam.list_policy_tags(PolicyArn=arn, MaxItems=1000)
        except Exception as exc:
            if iam_details.is_not_found(exc):
                return None
            raise
        return mask_secret_values(normalize.tags(answer.get("Tags")))

    tags = dict(zip(wanted, iam_details.each(ctx, wanted, tags_of_policy), strict=True))
    found = []
    for detail in listed:
        arn = str(detail["Arn"])
        if arn in tags and tags[arn] is None:
            continue  # deleted since it was listed: the next scan sees it gone
        found.append(to_resource(detail, tags.get(arn), ctx.account_id))
    return Collected(resources=found)


def _aws_managed(arn: str) -> bool:
    return arn.startswith(iam_details.AWS_MANAGED_PREFIX)


def _risky(attributes: Mapping[str, Any]) -> bool:
    return allows_admin(attributes.get("policy"))


# -- remediation -------------------------------------------------------------------------------


def _new_default_version(query: FixQuery, expected: Any) -> Call:
    # A policy keeps at most five versions: with five, AWS refuses the call and the drift stays
    # open. Which version to delete first is not in the scanned state, so none is.
    return Call(
        iam_details.SERVICE,
        "CreatePolicyVersion",
        {
            "PolicyArn": query.resource_id,
            "PolicyDocument": iam_details.policy_text(expected),
            "SetAsDefault": True,
        },
    )


# -- building in an emulated account ---------------------------------------------------------


def reordered(text: str) -> str:
    """A JSON document with every object's keys in reverse order and indented: the same policy
    as AWS could hand it back, spelled differently."""

    def flip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: flip(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [flip(v) for v in value]
        return value

    return json.dumps(flip(json.loads(text)), indent=2)


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if attrs.get("description"):
        extra["Description"] = attrs["description"]
    ctx.client("iam").create_policy(
        PolicyName=attrs["name"],
        Path=attrs.get("path") or "/",
        PolicyDocument=reordered(attrs["policy"]),
        Tags=tag_list(tags_of(attrs)),
        **extra,
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="IAM policy",
    with_article="an IAM policy",
    sarif_name="IAMPolicy",
    terraform=(
        TerraformType(
            "aws_iam_policy",
            id=("arn", "id"),
            not_compared={
                "name_prefix": "Terraform-only",
                "policy_id": "computed by AWS",
                "attachment_count": "computed by AWS",
            },
        ),
    ),
    scope=Scope.GLOBAL,
    service=iam_details.SERVICE,
    collect=collect,
    api_calls=(
        iam_details.LISTING,
        ApiCall("iam:ListPolicyTags", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    id_doc="policy ARN",
    rules=(Rule("policy", gained_admin, doc="the policy allows * on *"),),
    risky=_risky,
    fixes=(
        scalar_fix(
            "policy",
            _new_default_version,
            doc="document, as a new default version (iam:CreatePolicyVersion; fails when the "
            "policy already has five versions)",
        ),
        tags_fix("iam", "TagPolicy", "UntagPolicy", lambda q: {"PolicyArn": q.resource_id}),
    ),
    builders={"aws_iam_policy": Builder(_build)},
)
