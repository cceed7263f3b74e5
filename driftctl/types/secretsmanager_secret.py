"""Secrets Manager secrets (``aws_secretsmanager_secret`` + ``_policy``, ``_rotation``).

One paginated ListSecrets per region gives each secret's description, key, rotation and tags;
GetResourcePolicy is read for every listed secret (a policy open to anyone makes an unmanaged
secret critical, so the risk check needs it), DescribeSecret for the declared ones (their
replicas: ListSecrets does not report them). resource_id is the secret's ARN (the state's
``id``). The secret value is never read: GetSecretValue is never called.

The default key (``aws/secretsmanager``) shows as no key at all: the provider writes ``""``,
AWS omits ``KmsKeyId`` or names the alias; all mean the same. A customer key that is gone is
critical (the secret fell back to the default key). A policy that grants ``Principal: *``
without a condition is critical, changed or unmanaged. A secret without a rotation resource in
the IaC must not rotate. ``recovery_window_in_days`` and ``force_overwrite_replica_secret``
are Terraform-only. Secrets that another service owns (``OwningService``: RDS master user
passwords…) are AWS-created: never unmanaged. A secret scheduled for deletion is not listed
(missing).

A secret's versions (``aws_secretsmanager_secret_version``) compare by their stages only: the
version the state names must still carry the stages the state records (``AWSCURRENT``), read
from ListSecrets' ``SecretVersionsToStages`` at no extra cost. A value put behind Terraform's
back moves AWSCURRENT to another version: drift of ``versions.<id>``. The value itself
(``secret_string``, ``secret_binary``) is never compared, read or stored. Where the IaC declares
several versions of one secret, the first one read is compared. A secret that rotates moves its
stages too: ``.driftignore`` takes ``SECRETSMANAGER_SECRET.*.versions`` for those.

moto refuses to rotate a secret without an existing rotation function and answers
GetResourcePolicy without ``ResourcePolicy`` when there is none (as AWS does).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.diff.conditions import (
    became_public_unconditionally,
    grants_public_unconditionally,
    removed,
)
from driftctl.iac.instance import StateInstance, boolean, integer, policy, put, text
from driftctl.resources import SENSITIVE, ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
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
    arn_tail,
)

if TYPE_CHECKING:
    pass

RESOURCE_TYPE = "SECRETSMANAGER_SECRET"
SERVICE = "secretsmanager"
DEFAULT_KEYS = frozenset({"", "alias/aws/secretsmanager"})
_NOT_FOUND = "ResourceNotFoundException"
# The stage of the version a secret's readers get.
CURRENT = "AWSCURRENT"
# ListSecrets accepts 1..100 per page.
_PAGE = (1, 100)


def default_key(value: Any) -> str | None:
    """A KMS key id, with the default key (and no key) as None."""
    if value is None:
        return None
    return None if str(value) in DEFAULT_KEYS else str(value)


# -- reading the state -------------------------------------------------------------------------


def _inline_policy(inst: StateInstance) -> Any:
    value = inst.get("policy")
    # "" is "no policy": one added in AWS is drift.
    return "" if value in (None, "") else policy(value)


def _rotation_rules(inst: StateInstance, *path: str | int) -> Any:
    block = inst.get(*path, "rotation_rules", 0)
    if block == SENSITIVE or not isinstance(block, Mapping):
        return block if block == SENSITIVE else None
    out: dict[str, Any] = {}
    days = block.get("automatically_after_days")
    put(out, "automatically_after_days", integer(days) if days not in (None, "", 0) else None)
    put(out, "duration", text(block.get("duration"), empty_is_unset=True))
    put(out, "schedule_expression", text(block.get("schedule_expression"), empty_is_unset=True))
    return out or None


def _inline_rotation(inst: StateInstance) -> Any:
    # Provider 4 kept rotation on the secret; provider 5 only in the rotation resource, which
    # overrides this. Without either, the secret must not rotate.
    enabled = boolean(inst.get("rotation_enabled"))
    return False if enabled is None else enabled


def _state_key(inst: StateInstance) -> Any:
    value = inst.get("kms_key_id")
    # "" (not None) for the default key: a customer key set in AWS is drift.
    return value if value is None or value == SENSITIVE else default_key(value) or ""


def _same_key(expected: Any, actual: Any) -> bool:
    # A key id, its ARN and (for the same key) what AWS echoes back name one key.
    return bool(expected) and bool(actual) and arn_tail(str(expected)) == arn_tail(str(actual))


def _policy_resource(inst: StateInstance) -> dict[str, Any]:
    return {"policy": policy(inst.get("policy"))}


def _rotation_resource(inst: StateInstance) -> dict[str, Any]:
    out: dict[str, Any] = {"rotation_enabled": True}
    put(out, "rotation_lambda_arn", text(inst.get("rotation_lambda_arn"), empty_is_unset=True))
    put(out, "rotation_rules", _rotation_rules(inst))
    return out


def _replicas(inst: StateInstance) -> Any:
    blocks = inst.get("replica")
    if blocks == SENSITIVE:
        return SENSITIVE
    if not isinstance(blocks, list):
        return None
    return sorted({str(b["region"]) for b in blocks if isinstance(b, Mapping) and b.get("region")})


def _version(inst: StateInstance) -> dict[str, Any] | None:
    version = inst.get("version_id")
    if version == SENSITIVE:
        return {"versions": SENSITIVE}
    if not isinstance(version, str) or not version:
        # Older states keep it only in the id, ``<secret arn>|<version id>``.
        ident = inst.ident("id") or ""
        version = ident.rsplit("|", 1)[1] if "|" in ident else None
    if not version:
        return None
    stages = inst.get("version_stages")
    if stages == SENSITIVE:
        return {"versions": {version: SENSITIVE}}
    wanted = sorted({str(s) for s in stages or [] if s}) or [CURRENT]
    return {"versions": {version: wanted}}


SCHEMA: dict[str, Attr] = {
    "description": Attr(),
    "kms_key_id": Attr(read=_state_key, same=_same_key, doc="empty: the default key"),
    "policy": Attr(Kind.POLICY, read=_inline_policy),
    "rotation_enabled": Attr(type=bool, read=_inline_rotation),
    "rotation_lambda_arn": Attr(
        read=lambda inst: text(inst.get("rotation_lambda_arn"), empty_is_unset=True)
    ),
    "rotation_rules": Attr(
        Kind.OBJECT,
        read=_rotation_rules,
        fields={
            "automatically_after_days": Attr(type=int),
            "duration": Attr(),
            "schedule_expression": Attr(),
        },
    ),
    "replica": Attr(Kind.SET, read=_replicas, doc="replica regions"),
    "tags": Attr(Kind.TAGS),
    "versions": Attr(
        Kind.OBJECT,
        read=lambda _inst: None,
        doc="version id -> its stages, for the versions the IaC declares (child resource)",
    ),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every secret of ``region`` with its policy; replicas of declared ones. The value of a
    secret is never read. Listing errors propagate; a failed detail read spoils its region."""
    client = ctx.aws.client(SERVICE, region)
    pages = client.get_paginator("list_secrets").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    listed = [s for page in pages for s in page.get("SecretList", []) if s.get("ARN")]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(entry: Mapping[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        arn = str(entry["ARN"])
        try:
            answer = client.get_resource_policy(SecretId=arn)
            document = normalize.policy(answer.get("ResourcePolicy"))
            replicas = None
            if arn in managed:
                described = client.describe_secret(SecretId=arn)
                replicas = [r for r in described.get("ReplicationStatus") or [] if "Region" in r]
        except (BotoCoreError, ClientError) as exc:
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == (
                _NOT_FOUND
            ):
                return Detail()
            return failed((region,), f"secret {entry.get('Name', arn)}", exc)
        except ValueError:
            message = f"secret {entry.get('Name', arn)}: resource policy is not valid JSON"
            return Detail(failed_regions=(region,), code="InvalidPolicy", message=message)
        return Detail(resource=to_resource(entry, region, ctx.account_id, document, replicas))

    return read_each(ctx, RESOURCE_TYPE, listed, read, noun="secrets")


def to_resource(
    entry: Mapping[str, Any],
    region: str,
    account_id: str | None,
    document: Any,
    replicas: list[Any] | None = None,
) -> ActualResource:
    """One ListSecrets item (its policy, and replicas when read) in the canonical form."""
    rules = entry.get("RotationRules") or {}
    enabled = bool(entry.get("RotationEnabled"))
    attributes: dict[str, Any] = {
        "description": entry.get("Description") or "",
        "kms_key_id": default_key(entry.get("KmsKeyId")),
        "policy": document,
        "rotation_enabled": enabled,
        "rotation_lambda_arn": entry.get("RotationLambdaARN") if enabled else None,
        "rotation_rules": {
            "automatically_after_days": rules.get("AutomaticallyAfterDays"),
            "duration": rules.get("Duration"),
            "schedule_expression": rules.get("ScheduleExpression"),
        }
        if enabled
        else None,
        "tags": mask_secret_values(normalize.tags(entry.get("Tags"))),
        "owning_service": entry.get("OwningService"),
        "versions": _stages(entry.get("SecretVersionsToStages")),
    }
    if replicas is not None:
        attributes["replica"] = sorted({str(r["Region"]) for r in replicas})
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(entry["ARN"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
        is_default=bool(entry.get("OwningService")),
    )


def _stages(value: Any) -> dict[str, list[str]]:
    # Untrusted: only string ids with lists of string stages are kept.
    if not isinstance(value, Mapping):
        return {}
    return {
        str(version): sorted({str(s) for s in stages if isinstance(s, str)})
        for version, stages in value.items()
        if isinstance(stages, list)
    }


def _is_default(attributes: Mapping[str, Any]) -> bool:
    return bool(attributes.get("owning_service"))


def _risky(attributes: Mapping[str, Any]) -> bool:
    return grants_public_unconditionally(attributes.get("policy"))


# -- remediation -------------------------------------------------------------------------------


def _policy(query: FixQuery, expected: Any) -> Call:
    if not expected:
        return Call(SERVICE, "DeleteResourcePolicy", {"SecretId": query.resource_id})
    document = json.dumps(expected, separators=(",", ":"))
    params = {"SecretId": query.resource_id, "ResourcePolicy": document}
    return Call(SERVICE, "PutResourcePolicy", params)


# Never the value (versions): it is not read, so it cannot be put back. The key, rotation and
# replicas are left to Terraform: each re-encrypts, rotates or copies the value. The
# description too: UpdateSecret clears it with "", which moto ignores, so it is not tested.
_FIXES = (
    scalar_fix(
        "policy",
        _policy,
        doc="resource policy (secretsmanager:PutResourcePolicy / DeleteResourcePolicy)",
    ),
    tags_fix(SERVICE, "TagResource", "UntagResource", lambda q: {"SecretId": q.resource_id}),
)


# -- building in an emulated account ---------------------------------------------------------


def _build_secret(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    import secrets

    extra: dict[str, Any] = {}
    if attrs.get("kms_key_id"):
        extra["KmsKeyId"] = attrs["kms_key_id"]
    replicas = [
        {"Region": r["region"], **({"KmsKeyId": r["kms_key_id"]} if r.get("kms_key_id") else {})}
        for r in attrs.get("replica") or []
        if isinstance(r, Mapping) and r.get("region")
    ]
    if replicas:
        extra["AddReplicaRegions"] = replicas
    tags = tags_of(attrs)
    if tags:
        extra["Tags"] = tag_list(tags)
    client = ctx.client(SERVICE)
    answer = client.create_secret(
        Name=attrs["name"],
        Description=attrs.get("description") or "",
        # A secret's value lives in aws_secretsmanager_secret_version: the emulator gets a
        # throwaway one unless the state has a version resource.
        SecretString=secrets.token_urlsafe(12),
        **extra,
    )
    ctx.remember(attrs.get("arn"), answer["ARN"])
    if attrs.get("policy"):
        client.put_resource_policy(SecretId=answer["ARN"], ResourcePolicy=attrs["policy"])


def _build_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client(SERVICE).put_resource_policy(
        SecretId=ctx.id(attrs["secret_arn"]), ResourcePolicy=attrs["policy"]
    )


def _build_version(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    # Only the emulated account gets the state's value (a scan never reads it).
    value = attrs.get("secret_string")
    if value:
        # The state's version id as the token: AWS makes it the new version's id.
        token = {"ClientRequestToken": attrs["version_id"]} if attrs.get("version_id") else {}
        ctx.client(SERVICE).put_secret_value(
            SecretId=ctx.id(attrs["secret_id"]), SecretString=value, **token
        )


def _build_rotation(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    rules = (attrs.get("rotation_rules") or [{}])[0]
    wanted: dict[str, Any] = {}
    if rules.get("automatically_after_days"):
        wanted["AutomaticallyAfterDays"] = int(rules["automatically_after_days"])
    if rules.get("duration"):
        wanted["Duration"] = rules["duration"]
    if rules.get("schedule_expression"):
        wanted["ScheduleExpression"] = rules["schedule_expression"]
    ctx.client(SERVICE).rotate_secret(
        SecretId=ctx.id(attrs["secret_id"]),
        RotationLambdaARN=attrs["rotation_lambda_arn"],
        RotationRules=wanted,
        RotateImmediately=False,
    )


_AFTER_SECRET = ("aws_secretsmanager_secret",)
_VALUE = "the secret value: never read (GetSecretValue is never called) nor stored"

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Secrets Manager secret",
    with_article="a Secrets Manager secret",
    sarif_name="SecretsManagerSecret",
    terraform=(
        TerraformType(
            "aws_secretsmanager_secret",
            id=("arn", "id"),
            not_compared={
                "recovery_window_in_days": "Terraform-only",
                "force_overwrite_replica_secret": "Terraform-only",
                "name_prefix": "Terraform-only",
            },
        ),
        TerraformType(
            "aws_secretsmanager_secret_policy",
            id=("secret_arn", "id"),
            read=_policy_resource,
            parent=True,
            overrides=True,
            not_compared={"block_public_policy": "Terraform-only (checked when applied)"},
        ),
        TerraformType(
            "aws_secretsmanager_secret_rotation",
            id=("secret_id", "id"),
            read=_rotation_resource,
            parent=True,
            overrides=True,
            not_compared={"rotate_immediately": "Terraform-only"},
        ),
        TerraformType(
            "aws_secretsmanager_secret_version",
            id=("secret_id",),
            read=_version,
            parent=True,
            not_compared={
                "secret_string": _VALUE,
                "secret_binary": _VALUE,
                "secret_string_wo": _VALUE,
                "secret_string_wo_version": "Terraform-only (write-only value's trigger)",
                "has_secret_string_wo": "Terraform-only",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(
        ApiCall("secrets-manager:ListSecrets", per="region", page_size=100),
        ApiCall("secrets-manager:GetResourcePolicy", per="resource"),
        ApiCall("secrets-manager:DescribeSecret", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    id_doc="secret ARN",
    is_default=_is_default,
    rules=(
        Rule(
            "policy",
            became_public_unconditionally,
            doc="the policy grants Principal: * without a condition",
        ),
        Rule("kms_key_id", removed, doc="the customer key was removed (default key)"),
    ),
    risky=_risky,
    builders={
        "aws_secretsmanager_secret": Builder(_build_secret, after=("aws_kms_key",)),
        "aws_secretsmanager_secret_policy": Builder(_build_policy, after=_AFTER_SECRET),
        "aws_secretsmanager_secret_version": Builder(_build_version, after=_AFTER_SECRET),
        "aws_secretsmanager_secret_rotation": Builder(
            _build_rotation, after=(*_AFTER_SECRET, "aws_lambda_function")
        ),
    },
    fixes=_FIXES,
)
