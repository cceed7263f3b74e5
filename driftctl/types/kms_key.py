"""KMS keys (``aws_kms_key`` + ``aws_kms_key_policy``): one paginated ListKeys per region, then
per key DescribeKey and GetKeyPolicy (AWS has no batch call for either), and for the keys the
IaC declares GetKeyRotationStatus and ListResourceTags.

resource_id is the key id (a key ARN names the same key). DescribeKey tells customer managed
keys from AWS managed ones (``KeyManager=AWS``, the keys behind ``alias/aws/*``): those belong to
AWS, are never unmanaged and cost no further call. The policy of every customer managed key is
read, because an unmanaged key whose policy grants ``Principal: *`` without a condition is
critical on its own. A policy compares semantically; the ``key-default-*`` Id AWS writes into
the default key policy it creates when IaC sets none is not compared, and a state without a
policy does not manage it. ``deletion_window_in_days`` cannot be read back from AWS. A key
scheduled for deletion reports ``pending_deletion`` (and is disabled); AWS removes it only after
the waiting period, then it is missing. An undeclared key waiting for deletion is not
unmanaged: ``terraform destroy`` leaves every key it destroys so for up to 30 days. Replicas of
multi-Region keys share their primary's id and are another Terraform type
(``aws_kms_replica_key``, not compared yet): they are skipped. Keys that cannot rotate
(asymmetric, HMAC, imported material) answer GetKeyRotationStatus with an error that reads as
rotation off.

AWS reports the rotation period (RotationPeriodInDays) of a key whose rotation is on; moto
reports none and ignores the period it is given: an enabled rotation without a period reads as
AWS's default, 365 days. moto creates the keys behind ``alias/aws/*`` only when first used, and
with ``KeyManager=CUSTOMER`` (AWS says ``AWS``); this module follows AWS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.diff.conditions import (
    became_public_unconditionally,
    grants_public_unconditionally,
    turned_off,
    turned_on,
)
from driftctl.iac.instance import StateInstance, boolean, integer, policy
from driftctl.resources import SENSITIVE, ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tags_of
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

RESOURCE_TYPE = "KMS_KEY"
SERVICE = "kms"
# The only key policy name AWS has.
POLICY_NAME = "default"
# AWS's rotation period when rotation is enabled without one.
DEFAULT_ROTATION_DAYS = 365
# What KMS answers for a key deleted between the listing and the read.
_GONE = frozenset({"NotFoundException"})
# What GetKeyRotationStatus answers for a key whose material cannot rotate.
_CANNOT_ROTATE = frozenset({"UnsupportedOperationException", "KMSInvalidStateException"})
_LIST_PAGE = (1, 1000)
_TAGS_PAGE = (1, 50)
_DEFAULT_POLICY_ID = "key-default-"


# -- policies ----------------------------------------------------------------------------------


def key_policy(document: Any) -> Any:
    """A key policy in normalised form, without the ``key-default-*`` Id AWS gives the default
    policy; None, SENSITIVE and non-policies pass through as ``iac.instance.policy`` reads them.
    Raises BadValue on text that is not JSON."""
    doc = policy(document)
    if isinstance(doc, dict) and str(doc.get("Id", "")).startswith(_DEFAULT_POLICY_ID):
        doc = {k: v for k, v in doc.items() if k != "Id"}
    return doc


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def aws_style(text: str) -> str:
    """A policy as AWS hands it back: indented, keys in another order than Terraform's."""

    def reorder(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reorder(value[k]) for k in sorted(value, reverse=True)}
        if isinstance(value, list):
            return [reorder(v) for v in value]
        return value

    return json.dumps(reorder(json.loads(text)), indent=2)


def is_default_policy(document: Any) -> bool:
    """Whether a policy is the one AWS writes when none is given: kms:* for the account root."""
    doc = policy(document)
    if not isinstance(doc, dict):
        return False
    statements = doc.get("Statement") or []
    return len(statements) == 1 and (
        statements[0].get("Action") == ["kms:*"]
        and statements[0].get("Effect") == "Allow"
        and all(
            str(p).endswith(":root")
            for p in _as_list((statements[0].get("Principal") or {}).get("AWS"))
        )
        and not statements[0].get("Condition")
    )


# -- reading the state -------------------------------------------------------------------------


def _state_policy(inst: StateInstance) -> Any:
    return key_policy(inst.get("policy"))


def _rotation_period(inst: StateInstance) -> Any:
    # The provider records 0 for a key without rotation: there is no period to manage.
    enabled = boolean(inst.get("enable_key_rotation"))
    days = integer(inst.get("rotation_period_in_days"))
    if enabled == SENSITIVE or days == SENSITIVE:
        return SENSITIVE
    return days if enabled and days else None


def _key_policy_resource(inst: StateInstance) -> dict[str, Any] | None:
    found = _state_policy(inst)
    return None if found is None else {"policy": found}


SCHEMA: dict[str, Attr] = {
    "description": Attr(),
    "key_usage": Attr(empty_is_unset=True, default="ENCRYPT_DECRYPT"),
    "customer_master_key_spec": Attr(
        tf=("customer_master_key_spec", "key_spec"),
        empty_is_unset=True,
        default="SYMMETRIC_DEFAULT",
    ),
    "policy": Attr(Kind.POLICY, read=_state_policy, doc="the key policy (aws_kms_key_policy)"),
    "enable_key_rotation": Attr(type=bool, default=False),
    "rotation_period_in_days": Attr(
        type=int, read=_rotation_period, doc="days, where rotation is on"
    ),
    "multi_region": Attr(type=bool, default=False),
    "is_enabled": Attr(type=bool, default=True),
    "pending_deletion": Attr(
        type=bool,
        default=False,
        read=lambda _inst: False,
        doc="scheduled for deletion (never in IaC)",
    ),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def _code(exc: BaseException) -> str:
    from botocore.exceptions import ClientError

    return (
        str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, ClientError) else ""
    )


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every KMS key of ``region``; policies of customer managed keys, rotation and tags of the
    declared ones. The listing's errors propagate; a failed key read spoils its region only."""
    kms = ctx.aws.client(SERVICE, region)
    pages = kms.get_paginator("list_keys").paginate(
        PaginationConfig={"PageSize": ctx.page_size_for(*_LIST_PAGE)}
    )
    keys = [str(k["KeyId"]) for page in pages for k in page.get("Keys", []) if k.get("KeyId")]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(key_id: str) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
            if meta.get("KeyManager") == "AWS":
                return Detail(resource=to_resource(meta, region, ctx.account_id))
            if _skipped(meta, key_id in managed):
                return Detail()
            text = kms.get_key_policy(KeyId=key_id, PolicyName=POLICY_NAME).get("Policy")
            if key_id not in managed:
                return Detail(resource=to_resource(meta, region, ctx.account_id, text))
            rotation = _rotation(kms, key_id)
            tags: list[Any] = []
            for page in kms.get_paginator("list_resource_tags").paginate(
                KeyId=key_id, PaginationConfig={"PageSize": ctx.page_size_for(*_TAGS_PAGE)}
            ):
                tags.extend(page.get("Tags", []))
            resource = to_resource(meta, region, ctx.account_id, text, rotation, tags)
        except (BotoCoreError, ClientError) as exc:
            if _code(exc) in _GONE:
                return Detail()
            return failed((region,), f"KMS key {key_id}", exc)
        except ValueError:
            message = f"KMS key {key_id}: the key policy is not valid JSON"
            return Detail(failed_regions=(region,), code="InvalidPolicy", message=message)
        return Detail(resource=resource)

    return read_each(ctx, RESOURCE_TYPE, keys, read, noun="keys")


def _skipped(meta: Mapping[str, Any], declared: bool) -> bool:
    """Keys not compared: replicas of multi-Region keys (their primary's id, another
    Terraform type), and undeclared keys waiting for deletion (``terraform destroy`` leaves
    them so for up to 30 days)."""
    replica = (meta.get("MultiRegionConfiguration") or {}).get("MultiRegionKeyType") == "REPLICA"
    return replica or (not declared and meta.get("KeyState") == "PendingDeletion")


def _rotation(kms: Any, key_id: str) -> Mapping[str, Any]:
    """GetKeyRotationStatus; keys that cannot rotate (asymmetric, HMAC, imported material,
    custom key stores) answer UnsupportedOperationException: rotation off."""
    from botocore.exceptions import ClientError

    try:
        answer: Mapping[str, Any] = kms.get_key_rotation_status(KeyId=key_id)
    except ClientError as exc:
        if _code(exc) not in _CANNOT_ROTATE:
            raise
        return {"KeyRotationEnabled": False}
    return answer


def to_resource(
    meta: Mapping[str, Any],
    region: str,
    account_id: str | None,
    policy_text: str | None = None,
    rotation: Mapping[str, Any] | None = None,
    tags: list[Any] | None = None,
) -> ActualResource:
    """One DescribeKey answer (with what else was read) in the canonical KMS_KEY form.

    Raises ValueError on a policy that is not JSON."""
    attributes: dict[str, Any] = {
        "description": meta.get("Description") or "",
        "key_usage": meta.get("KeyUsage"),
        "customer_master_key_spec": meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"),
        "multi_region": bool(meta.get("MultiRegion", False)),
        "is_enabled": bool(meta.get("Enabled", False)),
        "pending_deletion": meta.get("KeyState") == "PendingDeletion",
        "key_manager": meta.get("KeyManager"),
    }
    if policy_text is not None:
        attributes["policy"] = key_policy(normalize.policy(policy_text))
    if rotation is not None:
        enabled = bool(rotation.get("KeyRotationEnabled", False))
        attributes["enable_key_rotation"] = enabled
        period = rotation.get("RotationPeriodInDays")
        attributes["rotation_period_in_days"] = (
            (int(period) if period else DEFAULT_ROTATION_DAYS) if enabled else None
        )
    if tags is not None:
        attributes["tags"] = mask_secret_values(
            normalize.tags(
                [{"Key": t.get("TagKey", ""), "Value": t.get("TagValue", "")} for t in tags]
            )
        )
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(meta["KeyId"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


def _is_default(attributes: Mapping[str, Any]) -> bool:
    return attributes.get("key_manager") == "AWS"


def _risky(attributes: Mapping[str, Any]) -> bool:
    return grants_public_unconditionally(attributes.get("policy"))


# -- remediation -------------------------------------------------------------------------------


def _key(query: FixQuery) -> dict[str, str]:
    return {"KeyId": query.resource_id}


def _description_call(query: FixQuery, expected: Any) -> Call:
    description = "" if expected is None else str(expected)
    return Call(SERVICE, "UpdateKeyDescription", {**_key(query), "Description": description})


def _rotation_call(query: FixQuery, expected: Any) -> Call:
    if boolean(expected) is not True:
        return Call(SERVICE, "DisableKeyRotation", _key(query))
    # The IaC's period goes with it (moto ignores it; AWS keeps it).
    period = integer(query.expected.get("rotation_period_in_days"))
    extra = {"RotationPeriodInDays": period} if isinstance(period, int) and period > 0 else {}
    return Call(SERVICE, "EnableKeyRotation", {**_key(query), **extra})


def _enabled_call(query: FixQuery, expected: Any) -> Call:
    return Call(
        SERVICE, "EnableKey" if boolean(expected) is not False else "DisableKey", _key(query)
    )


def _cancel_deletion(query: FixQuery, expected: Any) -> list[Call]:
    # A key whose deletion is cancelled stays disabled: enable it again where the IaC has it on.
    if boolean(expected) is True:
        return []
    calls = [Call(SERVICE, "CancelKeyDeletion", _key(query))]
    if boolean(query.expected.get("is_enabled")) is not False:
        calls.append(Call(SERVICE, "EnableKey", _key(query), fixes=("pending_deletion",)))
    return calls


def _policy_call(query: FixQuery, expected: Any) -> Call:
    document = json.dumps(expected, separators=(",", ":"))
    return Call(
        SERVICE, "PutKeyPolicy", {**_key(query), "PolicyName": POLICY_NAME, "Policy": document}
    )


# A key waiting for deletion takes no other change: its cancellation comes first.
FIXES = (
    scalar_fix(
        "pending_deletion",
        _cancel_deletion,
        doc="scheduled deletion cancelled, key enabled again (kms:CancelKeyDeletion, EnableKey)",
    ),
    scalar_fix("description", _description_call, doc="description (kms:UpdateKeyDescription)"),
    scalar_fix(
        "enable_key_rotation",
        _rotation_call,
        doc="key rotation, with the IaC's period (kms:EnableKeyRotation / DisableKeyRotation)",
    ),
    scalar_fix("is_enabled", _enabled_call, doc="enabled or disabled (kms:EnableKey / DisableKey)"),
    scalar_fix("policy", _policy_call, doc="key policy (kms:PutKeyPolicy)"),
    tags_fix(
        SERVICE,
        "TagResource",
        "UntagResource",
        _key,
        key_field="TagKey",
        value_field="TagValue",
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def remember_key(ctx: BuildContext, state_id: str | None, emulated_id: str) -> None:
    """Record a key id the emulator gave (key ids are UUIDs: no prefix to check)."""
    if state_id:
        ctx.ids[arn_tail(state_id)] = emulated_id


def _build_key(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    kms = ctx.client(SERVICE)
    extra: dict[str, Any] = {}
    text = attrs.get("policy")
    # A state without a policy of its own holds the default AWS wrote: AWS writes it again.
    if text and not is_default_policy(text):
        extra["Policy"] = aws_style(text)
    tags = tags_of(attrs)
    if tags:
        extra["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in sorted(tags.items())]
    key = kms.create_key(
        Description=attrs.get("description") or "",
        KeyUsage=attrs.get("key_usage") or "ENCRYPT_DECRYPT",
        KeySpec=attrs.get("customer_master_key_spec") or "SYMMETRIC_DEFAULT",
        MultiRegion=bool(attrs.get("multi_region")),
        **extra,
    )["KeyMetadata"]
    key_id = key["KeyId"]
    remember_key(ctx, attrs.get("key_id") or attrs.get("id"), key_id)
    if attrs.get("enable_key_rotation"):
        period = int(attrs.get("rotation_period_in_days") or DEFAULT_ROTATION_DAYS)
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=period)
    if attrs.get("is_enabled") is False:
        kms.disable_key(KeyId=key_id)


def _build_key_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client(SERVICE).put_key_policy(
        KeyId=ctx.id(arn_tail(attrs["key_id"])),
        PolicyName=POLICY_NAME,
        Policy=aws_style(attrs["policy"]),
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="KMS key",
    with_article="a KMS key",
    sarif_name="KMSKey",
    terraform=(
        TerraformType(
            "aws_kms_key",
            id=("key_id", "id"),
            not_compared={
                "deletion_window_in_days": "not readable from AWS",
                "bypass_policy_lockout_safety_check": "Terraform-only",
                "custom_key_store_id": "not compared yet",
                "xks_key_id": "not compared yet",
            },
        ),
        TerraformType(
            "aws_kms_key_policy",
            id=("key_id", "id"),
            read=_key_policy_resource,
            parent=True,
            overrides=True,
            not_compared={"bypass_policy_lockout_safety_check": "Terraform-only"},
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(
        ApiCall("kms:ListKeys", per="region", page_size=_LIST_PAGE[1]),
        ApiCall("kms:DescribeKey", per="resource"),
        ApiCall("kms:GetKeyPolicy", per="resource"),
        ApiCall("kms:GetKeyRotationStatus", per="resource", managed_only=True),
        ApiCall("kms:ListResourceTags", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=arn_tail,
    id_doc="key id",
    is_default=_is_default,
    rules=(
        Rule(
            "policy",
            became_public_unconditionally,
            doc="the key policy grants Principal: * unconditionally",
        ),
        Rule("is_enabled", turned_off, doc="the key was disabled"),
        Rule("pending_deletion", turned_on, doc="the key is scheduled for deletion"),
        Rule("enable_key_rotation", turned_off, doc="key rotation turned off"),
    ),
    risky=_risky,
    fixes=FIXES,
    builders={
        "aws_kms_key": Builder(_build_key),
        "aws_kms_key_policy": Builder(_build_key_policy, after=("aws_kms_key",)),
    },
)
