"""S3 buckets (``aws_s3_bucket`` and its split resources): one account-wide ListBuckets, then
each bucket's settings read concurrently.

resource_id is the bucket name. S3 has no batch call for bucket settings, so each bucket in a
scanned region costs five small calls (versioning, encryption, public access block, policy,
tags), run in a thread pool across buckets. A bucket's region comes from ListBuckets'
BucketRegion when AWS sends it (it does when the request is paginated, as here) and from
GetBucketLocation otherwise (moto never sends it); buckets outside the scanned regions are
skipped before their settings are read. Provider 3 inline settings and provider 4+ split
resources both work; a split resource wins over the inline value.

AWS applies SSE-S3 to every bucket without an explicit configuration (since January 2023), so
"no configuration" reads as AES256 (moto answers ServerSideEncryptionConfigurationNotFoundError).
Terraform's "Disabled" versioning (never enabled) and AWS's "Suspended" both mean unversioned.

Lifecycle rules, object ownership and access logging come from their split resources only and
are read for the buckets the IaC declares (three more calls each). Lifecycle rules compare per
rule id as canonical text (a filter prefix or the legacy top-level one, 0 days meaning unset,
dates by day). A bucket without ownership controls has BucketOwnerEnforced, AWS's setting for
every new bucket since April 2023 (moto answers OwnershipControlsNotFoundError).

Analytics, inventory and metrics configurations (one split resource each) and event
notifications (one ``aws_s3_bucket_notification`` per bucket) are read for the declared buckets
too (four more calls each, the three listings paginated by continuation token). Each compares
per configuration id as canonical text: filters, destinations and optional fields whatever their
order, AWS's ``Prefix``/``prefix`` filter rule names alike, the defaults Terraform fills in
(``V_1``, ``CSV``) as unset. A configuration only AWS has is drift where the IaC declares any of
that kind for the bucket. moto answers analytics and metrics listings with nothing (it drops
what is put), drops an inventory's encryption, reports its optional fields as ``["Field"]`` and
its included versions as ``All`` whatever was put, and never returns EventBridgeConfiguration:
AWS's answers are what is read (see test_s3_split.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from driftctl import normalize
from driftctl.diff.conditions import (
    became_public,
    grants_public,
    no_longer,
    removed,
    removed_or_turned_off,
    truthy,
)
from driftctl.iac.instance import StateInstance, Step, boolean, policy, put, text
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import ADDED, scalar_fix, tag_changes
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
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import BucketTypeDef

RESOURCE_TYPE = "S3"
T = TypeVar("T")

# AWS applies SSE-S3 to every bucket without an explicit configuration (since January 2023).
DEFAULT_ENCRYPTION: dict[str, str | None] = {"sse_algorithm": "AES256", "kms_master_key_id": None}
# Terraform's public access block flags and AWS's names for them.
PUBLIC_ACCESS_BLOCK_FLAGS = {
    "block_public_acls": "BlockPublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "ignore_public_acls": "IgnorePublicAcls",
    "restrict_public_buckets": "RestrictPublicBuckets",
}
# AWS's ownership setting for buckets without one (every new bucket since April 2023).
DEFAULT_OBJECT_OWNERSHIP = "BucketOwnerEnforced"
# ListBuckets accepts up to 10,000 per page.
_LIST_PAGE_SIZE = 10_000


class _BucketGone(Exception):
    """The bucket was deleted between the listing and the read."""


def bucket_region(location_constraint: str | None) -> str:
    """The region of a GetBucketLocation answer (None or "" is us-east-1, "EU" eu-west-1)."""
    if not location_constraint:
        return "us-east-1"
    if location_constraint == "EU":
        return "eu-west-1"
    return location_constraint


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every bucket in the scanned regions; a failed ListBuckets propagates to the runner."""
    lister = ctx.aws.client("s3", ctx.regions[0])
    buckets: list[BucketTypeDef] = []
    for page in lister.get_paginator("list_buckets").paginate(
        PaginationConfig={"PageSize": _LIST_PAGE_SIZE}
    ):
        buckets.extend(b for b in page.get("Buckets", []) if "Name" in b)
    if not buckets:
        return Collected()
    wanted = frozenset(ctx.regions)
    return read_each(
        ctx, RESOURCE_TYPE, buckets, lambda b: _read_bucket(ctx, lister, b, wanted), noun="buckets"
    )


def _read_bucket(
    ctx: ScanContext, lister: S3Client, bucket: BucketTypeDef, wanted: frozenset[str]
) -> Detail:
    from botocore.exceptions import BotoCoreError, ClientError

    name = bucket["Name"]
    try:
        region = bucket.get("BucketRegion") or bucket_region(
            _call(lambda: lister.get_bucket_location(Bucket=name).get("LocationConstraint"))
        )
    except _BucketGone:
        return Detail()
    except (BotoCoreError, ClientError) as exc:
        # Without its region the bucket could belong to any scanned region.
        return _failure(tuple(sorted(wanted)), name, exc)
    if region not in wanted:
        return Detail()
    try:
        attributes = read_settings(ctx.aws.client("s3", region), name)
        if name in ctx.expected_ids.get(RESOURCE_TYPE, frozenset()):
            attributes.update(read_managed_settings(ctx.aws.client("s3", region), name))
    except _BucketGone:
        return Detail()
    except (BotoCoreError, ClientError, ValueError) as exc:
        return _failure((region,), name, exc)
    return Detail(
        resource=ActualResource(
            resource_type=RESOURCE_TYPE,
            resource_id=name,
            region=region,
            attributes=attributes,
            account_id=ctx.account_id,
        )
    )


def _failure(regions: tuple[str, ...], name: str, exc: BaseException) -> Detail:
    if isinstance(exc, ValueError):
        message = f"bucket {name}: bucket policy is not valid JSON: {exc}"
        return Detail(failed_regions=regions, code="InvalidPolicy", message=message)
    return failed(regions, f"bucket {name}", exc)


def read_settings(client: S3Client, name: str) -> dict[str, Any]:
    """One bucket's settings in the canonical S3 form; "not configured" answers become defaults.

    Raises ClientError/BotoCoreError on any other AWS failure, ValueError on a policy that is
    not JSON.
    """
    versioning = _call(lambda: client.get_bucket_versioning(Bucket=name))
    encryption = _optional(
        lambda: client.get_bucket_encryption(Bucket=name),
        missing="ServerSideEncryptionConfigurationNotFoundError",
    )
    access_block = _optional(
        lambda: client.get_public_access_block(Bucket=name),
        missing="NoSuchPublicAccessBlockConfiguration",
    )
    policy = _optional(lambda: client.get_bucket_policy(Bucket=name), missing="NoSuchBucketPolicy")
    tagging = _optional(lambda: client.get_bucket_tagging(Bucket=name), missing="NoSuchTagSet")

    sse = dict(DEFAULT_ENCRYPTION)
    if encryption is not None:
        rules = encryption.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        default = rules[0].get("ApplyServerSideEncryptionByDefault") if rules else None
        if default is not None:
            sse = {
                "sse_algorithm": default.get("SSEAlgorithm", "AES256"),
                "kms_master_key_id": default.get("KMSMasterKeyID") or None,
            }
    conf: Mapping[str, Any] = (
        access_block.get("PublicAccessBlockConfiguration", {}) if access_block else {}
    )
    pab = {flag: bool(conf.get(aws, False)) for flag, aws in PUBLIC_ACCESS_BLOCK_FLAGS.items()}
    return {
        "versioning": versioning.get("Status") or "Disabled",
        "server_side_encryption": sse,
        "public_access_block": pab,
        "policy": normalize.policy(policy.get("Policy")) if policy is not None else None,
        "tags": normalize.tags(tagging.get("TagSet")) if tagging is not None else {},
    }


def read_managed_settings(client: S3Client, name: str) -> dict[str, Any]:
    """The settings read only for buckets the IaC declares: lifecycle rules, object ownership
    and access logging. Raises like ``read_settings``."""
    lifecycle = _optional(
        lambda: client.get_bucket_lifecycle_configuration(Bucket=name),
        missing="NoSuchLifecycleConfiguration",
    )
    ownership = _optional(
        lambda: client.get_bucket_ownership_controls(Bucket=name),
        missing="OwnershipControlsNotFoundError",
    )
    logging = _call(lambda: client.get_bucket_logging(Bucket=name)).get("LoggingEnabled") or {}
    controls = ownership.get("OwnershipControls") if ownership else None
    owner_rules = controls.get("Rules", []) if controls else []
    analytics = _all_pages(
        lambda **more: client.list_bucket_analytics_configurations(Bucket=name, **more),
        "AnalyticsConfigurationList",
    )
    inventories = _all_pages(
        lambda **more: client.list_bucket_inventory_configurations(Bucket=name, **more),
        "InventoryConfigurationList",
    )
    metrics = _all_pages(
        lambda **more: client.list_bucket_metrics_configurations(Bucket=name, **more),
        "MetricsConfigurationList",
    )
    notification = _call(lambda: client.get_bucket_notification_configuration(Bucket=name))
    return {
        "analytics_configurations": _by_id(analytics, _aws_analytics),
        "inventory_configurations": _by_id(inventories, _aws_inventory),
        "metric_configurations": _by_id(metrics, _aws_metric),
        "notifications": _aws_notifications(notification),
        "lifecycle_rules": {
            str(rule.get("ID") or ""): _rule_text(_aws_rule(rule))
            for rule in (lifecycle.get("Rules", []) if lifecycle else [])
        },
        "object_ownership": (owner_rules[0].get("ObjectOwnership") if owner_rules else None)
        or DEFAULT_OBJECT_OWNERSHIP,
        "logging": {
            "target_bucket": logging.get("TargetBucket") or None,
            "target_prefix": logging.get("TargetPrefix") or None,
        },
    }


def _call(fn: Callable[[], T]) -> T:
    """Run one S3 call, raising _BucketGone if the bucket no longer exists."""
    from botocore.exceptions import ClientError

    try:
        return fn()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
            raise _BucketGone from None
        raise


def _optional(fn: Callable[[], T], *, missing: str) -> T | None:
    """Run one S3 call; None when AWS answers ``missing`` (the feature is not configured)."""
    from botocore.exceptions import ClientError

    try:
        return _call(fn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == missing:
            return None
        raise


def _all_pages(list_page: Callable[..., Any], key: str) -> list[Mapping[str, Any]]:
    """Every item of an S3 listing paginated by continuation token (no boto3 paginator)."""
    items: list[Mapping[str, Any]] = []
    more: dict[str, str] = {}
    while True:
        page = _call(functools.partial(list_page, **more))
        items.extend(i for i in page.get(key) or [] if isinstance(i, Mapping))
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return items
        more = {"ContinuationToken": str(token)}


def _versioning_off(expected: Any, actual: Any) -> bool:
    # A bucket whose versioning was never enabled and one where it is suspended both keep
    # writing unversioned objects; Terraform spells the first "Disabled".
    off = {"disabled", "suspended"}
    return str(expected).lower() in off and (actual is None or str(actual).lower() in off)


def _risky(attributes: Mapping[str, Any]) -> bool:
    # Exposed on its own: its policy grants anyone access. (ACLs are not read; since April 2023
    # new buckets have ACLs disabled.)
    return grants_public(attributes.get("policy"))


def _unguarded(attributes: Mapping[str, Any]) -> bool:
    # No public access block (or one with every flag off, which protects as little): not
    # exposed, but one policy or ACL away from it.
    block = attributes.get("public_access_block")
    return not isinstance(block, Mapping) or not any(
        truthy(block.get(flag)) for flag in PUBLIC_ACCESS_BLOCK_FLAGS
    )


# -- reading the state -------------------------------------------------------------------------


def _sse(inst: StateInstance, *path: Step) -> Any:
    default = inst.get(*path, "rule", 0, "apply_server_side_encryption_by_default", 0)
    if default is None or default == SENSITIVE or not isinstance(default, Mapping):
        return default if default == SENSITIVE else None
    algorithm = default.get("sse_algorithm")
    if not algorithm:
        return None
    return {
        "sse_algorithm": str(algorithm),
        "kms_master_key_id": text(default.get("kms_master_key_id"), empty_is_unset=True),
    }


def _inline_versioning(inst: StateInstance) -> Any:
    enabled = inst.get("versioning", 0, "enabled")
    if enabled is None or enabled == SENSITIVE:
        return enabled
    return "Enabled" if boolean(enabled) else "Disabled"


def _versioning(inst: StateInstance) -> dict[str, Any]:
    out: dict[str, Any] = {}
    put(out, "versioning", text(inst.get("versioning_configuration", 0, "status")))
    return out


def _encryption(inst: StateInstance) -> dict[str, Any]:
    out: dict[str, Any] = {}
    put(out, "server_side_encryption", _sse(inst))
    return out


def _public_access_block(inst: StateInstance) -> dict[str, Any]:
    block = {n: boolean(inst.get(n)) for n in PUBLIC_ACCESS_BLOCK_FLAGS}
    return {"public_access_block": {n: v for n, v in block.items() if v is not None}}


def _policy(inst: StateInstance) -> dict[str, Any]:
    out: dict[str, Any] = {}
    put(out, "policy", policy(inst.get("policy")))
    return out


# -- lifecycle rules: one canonical text per rule id, from Terraform's blocks or AWS's answer ----


def _date(value: Any) -> str | None:
    # Terraform writes "2025-01-01T00:00:00Z", AWS answers a datetime: the day is what counts.
    if value is None or value == "":
        return None
    if hasattr(value, "date"):
        return str(value.date().isoformat())
    return str(value)[:10]


def _positive(value: Any) -> int | None:
    # Terraform's 0 (and AWS's absent value) both mean "not set".
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _transition(days: Any, date: Any, storage_class: Any, newer: Any = None) -> str:
    when = f"day {_positive(days) or 0}" if _date(date) is None else f"on {_date(date)}"
    more = f" keep {_positive(newer)}" if _positive(newer) else ""
    return f"{when} -> {storage_class}{more}"


def _rule_text(rule: Mapping[str, Any]) -> str:
    import json

    kept = {k: v for k, v in sorted(rule.items()) if v not in (None, "", [], {}, False)}
    return json.dumps(kept, sort_keys=True, separators=(",", ":"))


def _first_block(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return {}


def _state_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    filt = _first_block(rule.get("filter"))
    both = _first_block(filt.get("and"))
    tags = {**(both.get("tags") or {})}
    tag = _first_block(filt.get("tag"))
    if tag.get("key"):
        tags[str(tag["key"])] = str(tag.get("value") or "")
    expiration = _first_block(rule.get("expiration"))
    noncurrent = _first_block(rule.get("noncurrent_version_expiration"))
    abort = _first_block(rule.get("abort_incomplete_multipart_upload"))
    return {
        "status": rule.get("status"),
        "prefix": both.get("prefix") or filt.get("prefix") or rule.get("prefix"),
        "tags": tags,
        "size_greater_than": _positive(
            both.get("object_size_greater_than") or filt.get("object_size_greater_than")
        ),
        "size_less_than": _positive(
            both.get("object_size_less_than") or filt.get("object_size_less_than")
        ),
        "expiration_days": _positive(expiration.get("days")),
        "expiration_date": _date(expiration.get("date")),
        "expired_object_delete_marker": bool(expiration.get("expired_object_delete_marker")),
        "transitions": sorted(
            _transition(t.get("days"), t.get("date"), t.get("storage_class"))
            for t in rule.get("transition") or []
            if isinstance(t, Mapping)
        ),
        "noncurrent_expiration_days": _positive(noncurrent.get("noncurrent_days")),
        "newer_noncurrent_versions": _positive(noncurrent.get("newer_noncurrent_versions")),
        "noncurrent_transitions": sorted(
            _transition(
                t.get("noncurrent_days"),
                None,
                t.get("storage_class"),
                t.get("newer_noncurrent_versions"),
            )
            for t in rule.get("noncurrent_version_transition") or []
            if isinstance(t, Mapping)
        ),
        "abort_incomplete_upload_days": _positive(abort.get("days_after_initiation")),
    }


def _aws_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    filt = rule.get("Filter") or {}
    both = filt.get("And") or {}
    tags = normalize.tags(both.get("Tags"))
    if isinstance(filt.get("Tag"), Mapping):
        tags.update(normalize.tags([filt["Tag"]]))
    expiration = rule.get("Expiration") or {}
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    abort = rule.get("AbortIncompleteMultipartUpload") or {}
    return {
        "status": rule.get("Status"),
        "prefix": both.get("Prefix") or filt.get("Prefix") or rule.get("Prefix"),
        "tags": tags,
        "size_greater_than": _positive(
            both.get("ObjectSizeGreaterThan") or filt.get("ObjectSizeGreaterThan")
        ),
        "size_less_than": _positive(
            both.get("ObjectSizeLessThan") or filt.get("ObjectSizeLessThan")
        ),
        "expiration_days": _positive(expiration.get("Days")),
        "expiration_date": _date(expiration.get("Date")),
        "expired_object_delete_marker": bool(expiration.get("ExpiredObjectDeleteMarker")),
        "transitions": sorted(
            _transition(t.get("Days"), t.get("Date"), t.get("StorageClass"))
            for t in rule.get("Transitions") or []
        ),
        "noncurrent_expiration_days": _positive(noncurrent.get("NoncurrentDays")),
        "newer_noncurrent_versions": _positive(noncurrent.get("NewerNoncurrentVersions")),
        "noncurrent_transitions": sorted(
            _transition(
                t.get("NoncurrentDays"),
                None,
                t.get("StorageClass"),
                t.get("NewerNoncurrentVersions"),
            )
            for t in rule.get("NoncurrentVersionTransitions") or []
        ),
        "abort_incomplete_upload_days": _positive(abort.get("DaysAfterInitiation")),
    }


def _lifecycle(inst: StateInstance) -> dict[str, Any]:
    rules = inst.get("rule")
    if rules == SENSITIVE:
        return {"lifecycle_rules": SENSITIVE}
    return {
        "lifecycle_rules": {
            str(r.get("id") or ""): _rule_text(_state_rule(r))
            for r in rules or []
            if isinstance(r, Mapping)
        }
    }


def _ownership(inst: StateInstance) -> dict[str, Any]:
    out: dict[str, Any] = {}
    put(out, "object_ownership", text(inst.get("rule", 0, "object_ownership"), empty_is_unset=True))
    return out


def _logging(inst: StateInstance) -> dict[str, Any]:
    target = {
        "target_bucket": text(inst.get("target_bucket"), empty_is_unset=True),
        "target_prefix": text(inst.get("target_prefix")),
    }
    return {"logging": {k: v for k, v in target.items() if v is not None}}


# -- analytics, inventory, metrics and notifications: canonical text per configuration id ----


def _m(value: Any) -> Mapping[str, Any]:
    # AWS's answers are untrusted: a nested value that is not an object counts as absent.
    return value if isinstance(value, Mapping) else {}


def _by_id(
    items: list[Mapping[str, Any]], canonical: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> dict[str, str]:
    return {str(i.get("Id") or ""): _rule_text(canonical(i)) for i in items}


def _aws_filter(filt: Mapping[str, Any]) -> dict[str, Any]:
    both = _m(filt.get("And"))
    tags = normalize.tags(both.get("Tags"))
    if _m(filt.get("Tag")):
        tags.update(normalize.tags([filt["Tag"]]))
    return {
        "prefix": both.get("Prefix") or filt.get("Prefix"),
        "tags": tags,
        "access_point": both.get("AccessPointArn") or filt.get("AccessPointArn"),
    }


def _state_filter(filt: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "prefix": filt.get("prefix"),
        "tags": normalize.tags(filt.get("tags") or {}),
        "access_point": filt.get("access_point"),
    }


def _aws_analytics(conf: Mapping[str, Any]) -> dict[str, Any]:
    export = _m(_m(conf.get("StorageClassAnalysis")).get("DataExport"))
    dest = _m(_m(export.get("Destination")).get("S3BucketDestination"))
    return {
        **_aws_filter(_m(conf.get("Filter"))),
        **_export(
            bool(export),
            export.get("OutputSchemaVersion"),
            dest.get("Bucket"),
            dest.get("BucketAccountId"),
            dest.get("Format"),
            dest.get("Prefix"),
        ),
    }


def _export(present: bool, schema: Any, bucket: Any, account: Any, fmt: Any, prefix: Any) -> Any:
    # Terraform fills in V_1 and CSV, AWS's only values, where the configuration says nothing.
    if not present:
        return {}
    return {
        "export_schema": None if schema in (None, "", "V_1") else schema,
        "export_bucket": bucket,
        "export_account": account,
        "export_format": None if fmt in (None, "", "CSV") else fmt,
        "export_prefix": prefix,
    }


def _state_analytics(attrs: Mapping[str, Any]) -> dict[str, Any]:
    export = _first_block(_first_block(attrs.get("storage_class_analysis")).get("data_export"))
    dest = _first_block(_first_block(export.get("destination")).get("s3_bucket_destination"))
    return {
        **_state_filter(_first_block(attrs.get("filter"))),
        **_export(
            bool(export),
            export.get("output_schema_version"),
            dest.get("bucket_arn"),
            dest.get("bucket_account_id"),
            dest.get("format"),
            dest.get("prefix"),
        ),
    }


def _inventory(
    enabled: Any, versions: Any, fields: Any, frequency: Any, prefix: Any, dest: dict[str, Any]
) -> dict[str, Any]:
    return {
        "enabled": bool(enabled),
        "versions": versions,
        "optional_fields": sorted({str(f) for f in fields or [] if f}),
        "frequency": frequency,
        "prefix": prefix,
        **dest,
    }


def _aws_inventory(conf: Mapping[str, Any]) -> dict[str, Any]:
    dest = _m(_m(conf.get("Destination")).get("S3BucketDestination"))
    encryption = _m(dest.get("Encryption"))
    kms = _m(encryption.get("SSEKMS"))
    return _inventory(
        conf.get("IsEnabled"),
        conf.get("IncludedObjectVersions"),
        conf.get("OptionalFields"),
        _m(conf.get("Schedule")).get("Frequency"),
        _m(conf.get("Filter")).get("Prefix"),
        {
            "bucket": dest.get("Bucket"),
            "account": dest.get("AccountId"),
            "format": dest.get("Format"),
            "dest_prefix": dest.get("Prefix"),
            "encryption": f"kms:{kms.get('KeyId')}"
            if kms
            else ("SSE-S3" if "SSES3" in encryption else None),
        },
    )


def _state_inventory(attrs: Mapping[str, Any]) -> dict[str, Any]:
    dest = _first_block(_first_block(attrs.get("destination")).get("bucket"))
    encryption = _first_block(dest.get("encryption"))
    kms = _first_block(encryption.get("sse_kms"))
    sse_s3 = encryption.get("sse_s3")
    enabled = attrs.get("enabled")
    return _inventory(
        True if enabled is None else boolean(enabled),
        attrs.get("included_object_versions"),
        attrs.get("optional_fields"),
        _first_block(attrs.get("schedule")).get("frequency"),
        _first_block(attrs.get("filter")).get("prefix"),
        {
            "bucket": dest.get("bucket_arn"),
            "account": dest.get("account_id"),
            "format": dest.get("format"),
            "dest_prefix": dest.get("prefix"),
            "encryption": f"kms:{kms.get('key_id')}" if kms else ("SSE-S3" if sse_s3 else None),
        },
    )


def _aws_metric(conf: Mapping[str, Any]) -> dict[str, Any]:
    return _aws_filter(_m(conf.get("Filter")))


def _state_metric(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return _state_filter(_first_block(attrs.get("filter")))


# Terraform's notification blocks, AWS's configuration lists and the ARN key of each.
_NOTIFICATION_KINDS = (
    ("topic", "topic_arn", "TopicConfigurations", "TopicArn"),
    ("queue", "queue_arn", "QueueConfigurations", "QueueArn"),
    ("lambda_function", "lambda_function_arn", "LambdaFunctionConfigurations", "LambdaFunctionArn"),
)
# The one key the EventBridge switch gets in the notifications map.
EVENTBRIDGE = "eventbridge"


def _notification(kind: str, arn: Any, events: Any, prefix: Any, suffix: Any) -> str:
    return _rule_text(
        {
            "kind": kind,
            "arn": arn,
            "events": sorted({str(e) for e in events or [] if e}),
            "prefix": prefix,
            "suffix": suffix,
        }
    )


def _aws_notifications(answer: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, _, aws_list, aws_arn in _NOTIFICATION_KINDS:
        for conf in answer.get(aws_list) or []:
            if not isinstance(conf, Mapping):
                continue
            rules = _m(_m(conf.get("Filter")).get("Key")).get("FilterRules") or []
            named = {
                str(r.get("Name") or "").lower(): r.get("Value")
                for r in rules
                if isinstance(r, Mapping)
            }
            arn, events = conf.get(aws_arn), conf.get("Events")
            out[str(conf.get("Id") or "")] = _notification(
                kind, arn, events, named.get("prefix"), named.get("suffix")
            )
    if isinstance(answer.get("EventBridgeConfiguration"), Mapping):
        out[EVENTBRIDGE] = "enabled"
    return out


def _analytics(inst: StateInstance) -> dict[str, Any] | None:
    return _one_configuration(inst, "analytics_configurations", _state_analytics)


def _inventory_configuration(inst: StateInstance) -> dict[str, Any] | None:
    return _one_configuration(inst, "inventory_configurations", _state_inventory)


def _metric(inst: StateInstance) -> dict[str, Any] | None:
    return _one_configuration(inst, "metric_configurations", _state_metric)


def _one_configuration(
    inst: StateInstance, attribute: str, canonical: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> dict[str, Any] | None:
    name = inst.get("name")
    if name == SENSITIVE:
        return {attribute: SENSITIVE}
    if not isinstance(name, str) or not name:
        return None
    attrs = {k: inst.get(k) for k in _CONFIGURATION_ARGUMENTS}
    if SENSITIVE in attrs.values():
        return {attribute: {name: SENSITIVE}}
    return {attribute: {name: _rule_text(canonical(attrs))}}


_CONFIGURATION_ARGUMENTS = (
    "filter",
    "storage_class_analysis",
    "enabled",
    "included_object_versions",
    "optional_fields",
    "schedule",
    "destination",
)


def _notifications(inst: StateInstance) -> dict[str, Any]:
    out: dict[str, str] = {}
    for kind, arn_key, _, _ in _NOTIFICATION_KINDS:
        blocks = inst.get(kind)
        if blocks == SENSITIVE:
            return {"notifications": SENSITIVE}
        for block in blocks or []:
            if not isinstance(block, Mapping):
                continue
            out[str(block.get("id") or "")] = _notification(
                kind,
                block.get(arn_key),
                block.get("events"),
                text(block.get("filter_prefix"), empty_is_unset=True),
                text(block.get("filter_suffix"), empty_is_unset=True),
            )
    if boolean(inst.get("eventbridge")):
        out[EVENTBRIDGE] = "enabled"
    return {"notifications": out}


SCHEMA: dict[str, Attr] = {
    "versioning": Attr(
        read=_inline_versioning, same=_versioning_off, doc="Enabled, Suspended or Disabled"
    ),
    "server_side_encryption": Attr(
        Kind.OBJECT,
        read=lambda inst: _sse(inst, "server_side_encryption_configuration", 0),
        fields={"sse_algorithm": Attr(), "kms_master_key_id": Attr()},
    ),
    "public_access_block": Attr(
        Kind.OBJECT,
        read=lambda _inst: None,
        fields={flag: Attr(type=bool) for flag in PUBLIC_ACCESS_BLOCK_FLAGS},
    ),
    "policy": Attr(Kind.POLICY),
    "tags": Attr(Kind.TAGS),
    "lifecycle_rules": Attr(
        Kind.MAP, read=lambda _inst: None, doc="rule id -> canonical rule (split resource)"
    ),
    "object_ownership": Attr(
        read=lambda _inst: None, default=DEFAULT_OBJECT_OWNERSHIP, doc="split resource"
    ),
    "logging": Attr(
        Kind.OBJECT,
        read=lambda _inst: None,
        fields={"target_bucket": Attr(), "target_prefix": Attr()},
        doc="split resource",
    ),
    "analytics_configurations": Attr(
        Kind.MAP, read=lambda _inst: None, doc="id -> canonical configuration (split resource)"
    ),
    "inventory_configurations": Attr(
        Kind.MAP, read=lambda _inst: None, doc="id -> canonical configuration (split resource)"
    ),
    "metric_configurations": Attr(
        Kind.MAP, read=lambda _inst: None, doc="id -> canonical filter (split resource)"
    ),
    "notifications": Attr(
        Kind.MAP, read=lambda _inst: None, doc="id -> canonical notification (split resource)"
    ),
}


# -- remediation -------------------------------------------------------------------------------


def _bucket(query: FixQuery) -> dict[str, str]:
    return {"Bucket": query.resource_id}


def _versioning_call(query: FixQuery, expected: Any) -> Call:
    # A bucket that was versioned can only be suspended, never "Disabled" again; both read as
    # unversioned (see _versioning_off).
    status = "Enabled" if str(expected).lower() == "enabled" else "Suspended"
    return Call(
        "s3",
        "PutBucketVersioning",
        {**_bucket(query), "VersioningConfiguration": {"Status": status}},
    )


def _encryption_plan(query: FixQuery) -> list[Call]:
    sse = query.expected.get("server_side_encryption")
    if not isinstance(sse, Mapping) or not sse.get("sse_algorithm"):
        return []
    by_default: dict[str, Any] = {"SSEAlgorithm": str(sse["sse_algorithm"])}
    if sse.get("kms_master_key_id"):
        by_default["KMSMasterKeyID"] = str(sse["kms_master_key_id"])
    conf = {"Rules": [{"ApplyServerSideEncryptionByDefault": by_default}]}
    return [
        Call(
            "s3",
            "PutBucketEncryption",
            {**_bucket(query), "ServerSideEncryptionConfiguration": conf},
        )
    ]


def _public_access_block_plan(query: FixQuery) -> list[Call]:
    # The call replaces the whole block: a flag the IaC leaves unset keeps AWS's value.
    expected = query.expected.get("public_access_block")
    actual = query.actual.get("public_access_block")
    wanted: Mapping[str, Any] = expected if isinstance(expected, Mapping) else {}
    current: Mapping[str, Any] = actual if isinstance(actual, Mapping) else {}
    conf = {
        aws: bool(wanted[flag]) if wanted.get(flag) is not None else bool(current.get(flag))
        for flag, aws in PUBLIC_ACCESS_BLOCK_FLAGS.items()
    }
    return [
        Call(
            "s3",
            "PutPublicAccessBlock",
            {**_bucket(query), "PublicAccessBlockConfiguration": conf},
        )
    ]


def _policy_plan(query: FixQuery) -> list[Call]:
    import json

    entry = query.entries["policy"]
    if entry.get("change") == ADDED or entry.get("expected") is None:
        return [Call("s3", "DeleteBucketPolicy", _bucket(query))]
    document = json.dumps(entry["expected"], separators=(",", ":"))
    return [Call("s3", "PutBucketPolicy", {**_bucket(query), "Policy": document})]


def _ownership_call(query: FixQuery, expected: Any) -> Call:
    rules = [{"ObjectOwnership": str(expected or DEFAULT_OBJECT_OWNERSHIP)}]
    return Call(
        "s3",
        "PutBucketOwnershipControls",
        {**_bucket(query), "OwnershipControls": {"Rules": rules}},
    )


def _tags_plan(query: FixQuery) -> list[Call]:
    # PutBucketTagging replaces the whole set, so the tags no entry names are sent back as AWS
    # has them. A set holding aws:* keys (no one may write them) or a value masked as secret
    # (never stored) cannot be sent back: such a bucket's tags are left alone, no call.
    to_set, to_remove = tag_changes(query.entries)
    actual = query.actual.get("tags")
    current: Mapping[str, Any] = actual if isinstance(actual, Mapping) else {}
    kept = {k: v for k, v in current.items() if k not in to_set and k not in to_remove}
    if any(k.startswith("aws:") or v == SENSITIVE for k, v in kept.items()):
        return []
    tags = {**{str(k): str(v) for k, v in kept.items()}, **to_set}
    if not tags:
        return [Call("s3", "DeleteBucketTagging", _bucket(query))]
    tag_set = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    return [Call("s3", "PutBucketTagging", {**_bucket(query), "Tagging": {"TagSet": tag_set}})]


def _delete(query: FixQuery) -> list[Call]:
    # AWS refuses to delete a bucket that still holds objects: the call fails, nothing is lost.
    return [Call("s3", "DeleteBucket", _bucket(query))]


FIXES = (
    scalar_fix("versioning", _versioning_call, doc="versioning (s3:PutBucketVersioning)"),
    Fix(
        "server_side_encryption.*",
        _encryption_plan,
        doc="default encryption (s3:PutBucketEncryption; the bucket key setting is not kept)",
    ),
    Fix(
        "public_access_block.*",
        _public_access_block_plan,
        doc="public access block (s3:PutPublicAccessBlock)",
    ),
    Fix("policy", _policy_plan, doc="bucket policy (s3:PutBucketPolicy / DeleteBucketPolicy)"),
    scalar_fix(
        "object_ownership", _ownership_call, doc="object ownership (s3:PutBucketOwnershipControls)"
    ),
    Fix(
        "tags.*",
        _tags_plan,
        doc="tags (s3:PutBucketTagging, the whole set; not where AWS holds aws:* tags)",
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _put_versioning(ctx: BuildContext, bucket: str, status: str) -> None:
    ctx.client("s3").put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": status}
    )


def _put_encryption(ctx: BuildContext, bucket: str, rule: Mapping[str, Any]) -> None:
    default = (rule.get("apply_server_side_encryption_by_default") or [{}])[0]
    by_default: dict[str, Any] = {"SSEAlgorithm": default["sse_algorithm"]}
    if default.get("kms_master_key_id"):
        by_default["KMSMasterKeyID"] = default["kms_master_key_id"]
    ctx.client("s3").put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": by_default,
                    "BucketKeyEnabled": bool(rule.get("bucket_key_enabled")),
                }
            ]
        },
    )


def _build_bucket(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    s3 = ctx.client("s3")
    name = attrs["bucket"]
    region = attrs.get("region") or ctx.region
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    tags = tags_of(attrs)
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tags)})
    # Provider 3-style inline settings; the split resources, applied later, override them.
    versioning = (attrs.get("versioning") or [{}])[0]
    if versioning.get("enabled"):
        _put_versioning(ctx, name, "Enabled")
    sse = (attrs.get("server_side_encryption_configuration") or [{}])[0]
    rule = (sse.get("rule") or [{}])[0]
    default = (rule.get("apply_server_side_encryption_by_default") or [{}])[0]
    algorithm = default.get("sse_algorithm")
    if algorithm and (algorithm != "AES256" or default.get("kms_master_key_id")):
        _put_encryption(ctx, name, rule)
    if attrs.get("policy"):
        s3.put_bucket_policy(Bucket=name, Policy=attrs["policy"])


def _build_versioning(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    status = attrs["versioning_configuration"][0]["status"]
    # "Disabled" is Terraform's word for "never enabled": there is nothing to send.
    if status != "Disabled":
        _put_versioning(ctx, attrs["bucket"], status)


def _build_encryption(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    _put_encryption(ctx, attrs["bucket"], attrs["rule"][0])


def put_public_access_block(ctx: BuildContext, attrs: Mapping[str, Any]) -> None:
    """Set a bucket's public access block from ``aws_s3_bucket_public_access_block`` attributes."""
    conf = {aws: bool(attrs.get(flag)) for flag, aws in PUBLIC_ACCESS_BLOCK_FLAGS.items()}
    ctx.client("s3").put_public_access_block(
        Bucket=attrs["bucket"], PublicAccessBlockConfiguration=conf
    )


def _build_policy(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("s3").put_bucket_policy(Bucket=attrs["bucket"], Policy=attrs["policy"])


def _build_lifecycle(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    rules = []
    for rule in attrs.get("rule") or []:
        out: dict[str, Any] = {"ID": rule["id"], "Status": rule["status"]}
        filt = _first_block(rule.get("filter"))
        out["Filter"] = {"Prefix": filt.get("prefix") or ""}
        expiration = _first_block(rule.get("expiration"))
        if _positive(expiration.get("days")):
            out["Expiration"] = {"Days": int(expiration["days"])}
        transitions = [
            {"Days": int(t["days"]), "StorageClass": t["storage_class"]}
            for t in rule.get("transition") or []
        ]
        if transitions:
            out["Transitions"] = transitions
        noncurrent = _first_block(rule.get("noncurrent_version_expiration"))
        if _positive(noncurrent.get("noncurrent_days")):
            out["NoncurrentVersionExpiration"] = {
                "NoncurrentDays": int(noncurrent["noncurrent_days"])
            }
        abort = _first_block(rule.get("abort_incomplete_multipart_upload"))
        if _positive(abort.get("days_after_initiation")):
            out["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": int(abort["days_after_initiation"])
            }
        rules.append(out)
    ctx.client("s3").put_bucket_lifecycle_configuration(
        Bucket=attrs["bucket"], LifecycleConfiguration={"Rules": rules}
    )


def _build_ownership(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ownership = attrs["rule"][0]["object_ownership"]
    # AWS's own setting on every new bucket (the emulator has none): nothing to send.
    if ownership != DEFAULT_OBJECT_OWNERSHIP:
        ctx.client("s3").put_bucket_ownership_controls(
            Bucket=attrs["bucket"],
            OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]},
        )


def _build_logging(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    ctx.client("s3").put_bucket_logging(
        Bucket=attrs["bucket"],
        BucketLoggingStatus={
            "LoggingEnabled": {
                "TargetBucket": attrs["target_bucket"],
                "TargetPrefix": attrs.get("target_prefix") or "",
            }
        },
    )


def _build_inventory(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    dest = _first_block(_first_block(attrs.get("destination")).get("bucket"))
    s3_dest: dict[str, Any] = {"Bucket": dest["bucket_arn"], "Format": dest["format"]}
    if dest.get("account_id"):
        s3_dest["AccountId"] = dest["account_id"]
    if dest.get("prefix"):
        s3_dest["Prefix"] = dest["prefix"]
    conf: dict[str, Any] = {
        "Id": attrs["name"],
        "IsEnabled": bool(attrs.get("enabled", True)),
        "IncludedObjectVersions": attrs["included_object_versions"],
        "Schedule": {"Frequency": _first_block(attrs.get("schedule"))["frequency"]},
        "Destination": {"S3BucketDestination": s3_dest},
    }
    prefix = _first_block(attrs.get("filter")).get("prefix")
    if prefix:
        conf["Filter"] = {"Prefix": prefix}
    if attrs.get("optional_fields"):
        conf["OptionalFields"] = list(attrs["optional_fields"])
    ctx.client("s3").put_bucket_inventory_configuration(
        Bucket=attrs["bucket"], Id=attrs["name"], InventoryConfiguration=conf
    )


def _build_notification(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    conf: dict[str, Any] = {}
    for kind, arn_key, aws_list, aws_arn in _NOTIFICATION_KINDS:
        for block in attrs.get(kind) or []:
            one: dict[str, Any] = {
                "Id": block["id"],
                aws_arn: block[arn_key],
                "Events": list(block["events"]),
            }
            rules = [
                {"Name": name, "Value": block[f"filter_{name}"]}
                for name in ("prefix", "suffix")
                if block.get(f"filter_{name}")
            ]
            if rules:
                one["Filter"] = {"Key": {"FilterRules": rules}}
            conf.setdefault(aws_list, []).append(one)
    if attrs.get("eventbridge"):
        conf["EventBridgeConfiguration"] = {}
    ctx.client("s3").put_bucket_notification_configuration(
        Bucket=attrs["bucket"], NotificationConfiguration=conf
    )


def _split(name: str, read: Callable[[StateInstance], dict[str, Any] | None]) -> TerraformType:
    return TerraformType(name, id=("bucket",), read=read, parent=True, overrides=True)


_AFTER_BUCKET = ("aws_s3_bucket",)

SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="S3 bucket",
    with_article="an S3 bucket",
    sarif_name="S3Bucket",
    terraform=(
        TerraformType(
            "aws_s3_bucket",
            id=("bucket", "id"),
            not_compared={
                "force_destroy": "Terraform-only",
                "bucket_prefix": "Terraform-only",
                "acl": "write-only in provider 4+",
                "grant": "not compared yet",
                "lifecycle_rule": "not compared yet",
                "logging": "not compared yet",
            },
        ),
        _split("aws_s3_bucket_versioning", _versioning),
        _split("aws_s3_bucket_server_side_encryption_configuration", _encryption),
        _split("aws_s3_bucket_public_access_block", _public_access_block),
        _split("aws_s3_bucket_policy", _policy),
        _split("aws_s3_bucket_lifecycle_configuration", _lifecycle),
        _split("aws_s3_bucket_ownership_controls", _ownership),
        _split("aws_s3_bucket_logging", _logging),
        _split("aws_s3_bucket_analytics_configuration", _analytics),
        _split("aws_s3_bucket_inventory", _inventory_configuration),
        _split("aws_s3_bucket_metric", _metric),
        _split("aws_s3_bucket_notification", _notifications),
    ),
    scope=Scope.ACCOUNT_WIDE,
    service="s3",
    collect=collect,
    api_calls=(
        ApiCall("s3:ListBuckets", per="account", page_size=_LIST_PAGE_SIZE),
        ApiCall(
            "s3:GetBucketLocation",
            per="resource",
            when="ListBuckets does not name the bucket's region (moto)",
        ),
        ApiCall("s3:GetBucketVersioning", per="resource"),
        ApiCall("s3:GetBucketEncryption", per="resource"),
        ApiCall("s3:GetPublicAccessBlock", per="resource"),
        ApiCall("s3:GetBucketPolicy", per="resource"),
        ApiCall("s3:GetBucketTagging", per="resource"),
        ApiCall("s3:GetBucketLifecycleConfiguration", per="resource", managed_only=True),
        ApiCall("s3:GetBucketOwnershipControls", per="resource", managed_only=True),
        ApiCall("s3:GetBucketLogging", per="resource", managed_only=True),
        ApiCall("s3:ListBucketAnalyticsConfigurations", per="resource", managed_only=True),
        ApiCall("s3:ListBucketInventoryConfigurations", per="resource", managed_only=True),
        ApiCall("s3:ListBucketMetricsConfigurations", per="resource", managed_only=True),
        ApiCall("s3:GetBucketNotificationConfiguration", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    canonical_id=lambda value: value.removeprefix("arn:aws:s3:::"),
    id_doc="bucket name",
    rules=(
        Rule("server_side_encryption.sse_algorithm", removed, doc="default encryption removed"),
        Rule("versioning", no_longer("Enabled"), doc="versioning suspended"),
        Rule("public_access_block.*", removed_or_turned_off, doc="public access unblocked"),
        Rule("policy", became_public, doc="the policy grants Principal: *"),
    ),
    risky=_risky,
    unguarded=_unguarded,
    fixes=FIXES,
    delete=_delete,
    builders={
        "aws_s3_bucket": Builder(_build_bucket),
        "aws_s3_bucket_versioning": Builder(_build_versioning, after=_AFTER_BUCKET),
        "aws_s3_bucket_server_side_encryption_configuration": Builder(
            _build_encryption, after=_AFTER_BUCKET
        ),
        "aws_s3_bucket_public_access_block": Builder(put_public_access_block, after=_AFTER_BUCKET),
        "aws_s3_bucket_policy": Builder(_build_policy, after=_AFTER_BUCKET),
        "aws_s3_bucket_lifecycle_configuration": Builder(_build_lifecycle, after=_AFTER_BUCKET),
        "aws_s3_bucket_ownership_controls": Builder(_build_ownership, after=_AFTER_BUCKET),
        "aws_s3_bucket_logging": Builder(
            _build_logging, after=(*_AFTER_BUCKET, "aws_s3_bucket_policy")
        ),
        "aws_s3_bucket_inventory": Builder(_build_inventory, after=_AFTER_BUCKET),
        "aws_s3_bucket_notification": Builder(_build_notification, after=_AFTER_BUCKET),
    },
)
