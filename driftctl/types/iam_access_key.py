"""IAM access keys (``aws_iam_access_key``): the users from the shared
GetAccountAuthorizationDetails listing, then one ListAccessKeys per user.

resource_id is the access key id (``AKIA…``, what the provider writes as ``id``); the region is
``global``. Compared: the user a key belongs to and its status (Active or Inactive; a change is a
warning). The secret, its SES SMTP password and their PGP-encrypted forms are never read: AWS
shows a secret only when the key is created, and driftctl never stores one.

Why every user and not only the users the state names: a key created outside Terraform is a
credential nobody reviews, so unmanaged keys matter. That costs one ListAccessKeys per IAM user
of the account (a user holds at most two keys: one page each); the user listing is the one the
other IAM identity types share, so a full scan pays for it once. An unmanaged key that is Active
is a warning (``unguarded``: a working credential outside the IaC); an Inactive one is info.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl.domain import GLOBAL_REGION
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext, ScanError
from driftctl.types import iam_details
from driftctl.types.build import BuildContext, Builder
from driftctl.types.fixes import scalar_fix
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    ResourceSpec,
    Scope,
    TerraformType,
    arn_tail,
)

RESOURCE_TYPE = "IAM_ACCESS_KEY"
ACTIVE = "Active"

SCHEMA: dict[str, Attr] = {
    "user": Attr(doc="user name"),
    "status": Attr(default=ACTIVE, doc="Active or Inactive"),
}

_SECRET = "a secret: AWS shows it only at creation, driftctl never reads or stores it"


# -- reading AWS -------------------------------------------------------------------------------


def _keys(ctx: ScanContext, user: str) -> list[ActualResource]:
    """The access keys of one user (none when the user was deleted since it was listed)."""
    out: list[ActualResource] = []
    pages = iam_details.client(ctx).get_paginator("list_access_keys").paginate(UserName=user)
    for page in pages:
        for key in page.get("AccessKeyMetadata") or []:
            if not isinstance(key, Mapping) or not key.get("AccessKeyId"):
                continue
            out.append(
                ActualResource(
                    resource_type=RESOURCE_TYPE,
                    resource_id=str(key["AccessKeyId"]),
                    region=GLOBAL_REGION,
                    attributes={
                        "user": str(key.get("UserName") or user),
                        "status": str(key.get("Status") or ACTIVE),
                    },
                    account_id=ctx.account_id,
                )
            )
    return out


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every access key of every IAM user; a failed user listing propagates, a failed
    ListAccessKeys leaves the type partial (one error, with a count of the other users)."""
    from botocore.exceptions import BotoCoreError, ClientError

    listed = iam_details.authorization_details(ctx).users
    users = [str(u["UserName"]) for u in listed if u.get("UserName")]

    def read(user: str) -> tuple[list[ActualResource], BaseException | None]:
        try:
            return _keys(ctx, user), None
        except (BotoCoreError, ClientError) as exc:
            return [], None if iam_details.is_not_found(exc) else exc

    collected = Collected()
    errors: list[tuple[str, BaseException]] = []
    for user, (keys, exc) in zip(users, iam_details.each(ctx, users, read), strict=True):
        collected.resources.extend(keys)
        if exc is not None:
            errors.append((user, exc))
    if errors:
        from driftctl.scanner.session import error_details

        user, first = errors[0]
        code, message = error_details(first)
        more = f" (and {len(errors) - 1} more users)" if len(errors) > 1 else ""
        collected.failures.append(
            ScanError(RESOURCE_TYPE, GLOBAL_REGION, code, f"access keys of {user}: {message}{more}")
        )
    return collected


def _unguarded(attributes: Mapping[str, Any]) -> bool:
    # A working credential nobody declared: not exposed by itself, but worth a look.
    return str(attributes.get("status") or ACTIVE) == ACTIVE


# -- remediation -------------------------------------------------------------------------------


def _status(query: FixQuery, expected: Any) -> Call:
    # The key stays with the user AWS has it under (a key never moves between users).
    return Call(
        iam_details.SERVICE,
        "UpdateAccessKey",
        {
            "UserName": str(query.actual.get("user") or query.expected.get("user")),
            "AccessKeyId": query.resource_id,
            "Status": str(expected or ACTIVE),
        },
    )


# -- building in an emulated account ---------------------------------------------------------


def _build_key(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    iam = ctx.client("iam")
    user = arn_tail(attrs["user"])
    key = iam.create_access_key(UserName=user)["AccessKey"]
    ctx.remember(attrs.get("id"), key["AccessKeyId"])
    if attrs.get("status") and attrs["status"] != ACTIVE:
        iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status=attrs["status"])


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="IAM access key",
    with_article="an IAM access key",
    sarif_name="IAMAccessKey",
    terraform=(
        TerraformType(
            "aws_iam_access_key",
            account_from_arn=False,
            not_compared={
                "secret": _SECRET,
                "ses_smtp_password_v4": _SECRET,
                "encrypted_secret": _SECRET,
                "encrypted_ses_smtp_password_v4": _SECRET,
                "pgp_key": "Terraform-only (encrypts the secret at creation)",
                "key_fingerprint": "Terraform-only (of the PGP key)",
            },
        ),
    ),
    scope=Scope.GLOBAL,
    service=iam_details.SERVICE,
    collect=collect,
    api_calls=(
        iam_details.LISTING,
        ApiCall("iam:ListAccessKeys", per="parent", parent="user"),
    ),
    schema=SCHEMA,
    id_doc="access key id",
    unguarded=_unguarded,
    fixes=(scalar_fix("status", _status, doc="status (iam:UpdateAccessKey)"),),
    builders={"aws_iam_access_key": Builder(_build_key, after=("aws_iam_user",))},
    doc="Unmanaged Active keys are warnings: a credential created outside the IaC.",
)
