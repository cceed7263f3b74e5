"""What the IAM identity types (``iam_policy``, ``iam_user``, ``iam_group``,
``iam_instance_profile``) share: one paginated GetAccountAuthorizationDetails listing per scan,
and the readers of the policies attached to users and groups.

The listing asks for users, groups, customer-managed policies (``LocalManagedPolicy``) and roles
(the instance profiles are listed inside each role's detail): never for AWS-managed policies
(``AWSManagedPolicy``, ~1,000 documents, none of them ever unmanaged). Its pages are counted once
per scan, whichever of the four types asks first. IAM_ROLE still makes its own listing. A page
holds up to 1,000 entities of every kind asked for, so in AWS the listing's pages follow the
account's users, groups, policies and roles together; each type's declared minimum counts its
own. moto never truncates this listing (one page whatever ``MaxItems``).

Policy documents arrive URL-encoded in AWS's answer (botocore and moto hand them over decoded or
as objects; ``normalize.policy`` takes all three). Values from AWS are untrusted: only the
documented fields are read, and only documents that parse are compared.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from driftctl import normalize
from driftctl.diff.conditions import admin_policy, allows_admin, gained_admin, is_admin_policy_arn
from driftctl.iac.instance import StateInstance, policy, strings
from driftctl.resources import SENSITIVE
from driftctl.scanner.base import ScanContext
from driftctl.types.fixes import ADDED, map_key, set_members
from driftctl.types.spec import ApiCall, Call, Fix, FixQuery, Rule

T = TypeVar("T")
R = TypeVar("R")

SERVICE = "iam"
FILTER = ["User", "Group", "LocalManagedPolicy", "Role"]
# GetAccountAuthorizationDetails accepts 1..1000 items per page.
_PAGE = (1, 1000)
# The ARNs of AWS-managed policies: never listed, never unmanaged.
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
# Roles AWS creates and owns (service-linked, IAM Identity Center).
AWS_OWNED_ROLE_PATHS = ("/aws-service-role/", "/aws-reserved/")

# The call every type of the four declares: the shared listing.
LISTING = ApiCall("iam:GetAccountAuthorizationDetails", per="account", page_size=1000)


@dataclass
class Details:
    """One scan's authorization details, as AWS sent them (each list in the listing's order)."""

    users: list[Mapping[str, Any]] = field(default_factory=list)
    groups: list[Mapping[str, Any]] = field(default_factory=list)
    policies: list[Mapping[str, Any]] = field(default_factory=list)
    roles: list[Mapping[str, Any]] = field(default_factory=list)


def client(ctx: ScanContext) -> Any:
    """The IAM client (IAM is global: one endpoint)."""
    return ctx.aws.client(SERVICE)


def authorization_details(ctx: ScanContext) -> Details:
    """Users, groups, customer-managed policies and roles, listed once per scan for every type
    that needs them. AWS errors propagate (the asking type records them)."""

    def load() -> Details:
        out = Details()
        pages = (
            client(ctx)
            .get_paginator("get_account_authorization_details")
            .paginate(Filter=FILTER, PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)})
        )
        for page in pages:
            out.users.extend(_mappings(page.get("UserDetailList")))
            out.groups.extend(_mappings(page.get("GroupDetailList")))
            out.policies.extend(_mappings(page.get("Policies")))
            out.roles.extend(_mappings(page.get("RoleDetailList")))
        return out

    return ctx.shared("iam:authorization-details", load)


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value or [] if isinstance(v, Mapping)]


def document(value: Any) -> dict[str, Any] | None:
    """A policy document from AWS (text, URL-encoded text or object), normalised; None when it
    is absent or does not parse (untrusted input)."""
    if value is None or value == "":
        return None
    try:
        return normalize.policy(value if isinstance(value, str) else dict(value))
    except (ValueError, TypeError, AttributeError, RecursionError):
        return None


def attached_arns(detail: Mapping[str, Any]) -> list[str]:
    """The managed policy ARNs of a user's or group's ``AttachedManagedPolicies``."""
    return sorted(
        {
            str(p["PolicyArn"])
            for p in detail.get("AttachedManagedPolicies") or []
            if isinstance(p, Mapping) and p.get("PolicyArn")
        }
    )


def inline_policies(items: Any) -> dict[str, Any]:
    """Inline policy name -> normalised document, from a ``UserPolicyList`` or
    ``GroupPolicyList``."""
    return {
        str(p["PolicyName"]): document(p.get("PolicyDocument"))
        for p in items or []
        if isinstance(p, Mapping) and p.get("PolicyName")
    }


# -- reading the state: the child resources of users and groups -------------------------------


def attachment(inst: StateInstance) -> dict[str, Any]:
    """``aws_iam_user_policy_attachment`` / ``aws_iam_group_policy_attachment``."""
    arn = inst.get("policy_arn")
    return {"managed_policy_arns": SENSITIVE if arn == SENSITIVE else strings([arn])}


def inline_policy(owner: str) -> Any:
    """The reader of ``aws_iam_<owner>_policy``: one inline policy of its user or group."""

    def read(inst: StateInstance) -> dict[str, Any] | None:
        name = inst.get("name")
        if not isinstance(name, str) or not name:
            owner_and_name = inst.ident("id") or ""
            name = owner_and_name.split(":", 1)[1] if ":" in owner_and_name else None
        if name is None:
            return None
        if name == SENSITIVE:
            return {"inline_policies": SENSITIVE}
        return {"inline_policies": {name: policy(inst.get("policy"))}}

    read.__doc__ = f"One inline policy of an IAM {owner}."
    return read


def no_policies(_inst: StateInstance) -> list[str]:
    """A user or group declares its attachments as separate resources: none unless they say."""
    return []


def no_inline_policies(_inst: StateInstance) -> dict[str, Any]:
    """A user or group declares its inline policies as separate resources: none unless they say."""
    return {}


def grants_admin(attributes: Mapping[str, Any]) -> bool:
    """An identity with AdministratorAccess attached, or an inline policy allowing * on *."""
    arns = attributes.get("managed_policy_arns") or []
    inline = attributes.get("inline_policies") or {}
    return any(is_admin_policy_arn(a) for a in arns) or (
        isinstance(inline, Mapping) and any(allows_admin(p) for p in inline.values())
    )


# Critical for users and groups: they gain admin-level access.
ADMIN_RULES = (
    Rule("managed_policy_arns[*", admin_policy, change="added", doc="AdministratorAccess attached"),
    Rule("inline_policies.*", gained_admin, doc="an inline policy allows * on *"),
)


# -- remediation: what roles, users and groups share ------------------------------------------


def policy_text(document: Any) -> str:
    """A normalised policy document (a difference entry's expected value) as IAM takes it."""
    return json.dumps(document, separators=(",", ":"))


def managed_policies_fix(owner: str) -> Fix:
    """``managed_policy_arns[ARN]`` of a role, user or group (``owner``, as the API spells it:
    ``Role``): detach what AWS has beyond the IaC, attach what the IaC has and AWS lacks."""

    def plan(query: FixQuery) -> list[Call]:
        added, removed = set_members(query.entries)
        target = {f"{owner}Name": query.resource_id}
        return [
            Call(
                SERVICE,
                f"{verb}{owner}Policy",
                {**target, "PolicyArn": arn},
                fixes=(f"managed_policy_arns[{arn}]",),
            )
            for verb, arns in (("Detach", added), ("Attach", removed))
            for arn in arns
        ]

    return Fix(
        "managed_policy_arns[*",
        plan,
        doc=f"attached policies (iam:Detach{owner}Policy / Attach{owner}Policy)",
    )


def inline_policies_fix(owner: str) -> Fix:
    """``inline_policies.NAME`` of a role, user or group: delete an inline policy only AWS has,
    put back the IaC's document of one that is missing or changed."""

    def plan(query: FixQuery) -> list[Call]:
        target = {f"{owner}Name": query.resource_id}
        calls: list[Call] = []
        for path, entry in sorted(query.entries.items()):
            named = {**target, "PolicyName": map_key(path)}
            if entry.get("change") == ADDED:
                calls.append(Call(SERVICE, f"Delete{owner}Policy", named, fixes=(path,)))
            else:
                document = {"PolicyDocument": policy_text(entry.get("expected"))}
                calls.append(
                    Call(SERVICE, f"Put{owner}Policy", {**named, **document}, fixes=(path,))
                )
        return calls

    return Fix(
        "inline_policies.*",
        plan,
        doc=f"inline policies (iam:Delete{owner}Policy / Put{owner}Policy)",
    )


def is_not_found(exc: BaseException) -> bool:
    """Whether an AWS error says the object is gone (deleted since it was listed)."""
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == (
        "NoSuchEntity"
    )


def each(ctx: ScanContext, items: Sequence[T], read: Callable[[T], R]) -> list[R]:
    """``read`` over ``items`` on the detail threads, in order; the first AWS error propagates."""
    if not items:
        return []
    workers = min(ctx.detail_workers, len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="driftctl-iam") as pool:
        return list(pool.map(read, items))
