"""S3 buckets: one account-wide ListBuckets, then each bucket's settings read concurrently.

S3 has no batch call for bucket settings, so each bucket in a scanned region costs five small
calls (versioning, encryption, public access block, policy, tags). They run in a thread pool
across buckets. A bucket's region comes from ListBuckets' BucketRegion when AWS sends it (it does
when the request is paginated, as here) and from GetBucketLocation otherwise; buckets outside the
scanned regions are skipped before their settings are read.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from driftctl import normalize
from driftctl.domain import ResourceType
from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext, ScanError, Scope, TypeInfo
from driftctl.scanner.session import error_details

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import BucketTypeDef

T = TypeVar("T")

# AWS applies SSE-S3 to every bucket without an explicit configuration (since January 2023).
DEFAULT_ENCRYPTION: dict[str, str | None] = {"sse_algorithm": "AES256", "kms_master_key_id": None}
_NO_PUBLIC_ACCESS_BLOCK = {
    "block_public_acls": False,
    "block_public_policy": False,
    "ignore_public_acls": False,
    "restrict_public_buckets": False,
}
# ListBuckets accepts up to 10,000 per page.
_LIST_PAGE_SIZE = 10_000


class _BucketGone(Exception):
    """The bucket was deleted between the listing and the read."""


@dataclass(frozen=True)
class _Outcome:
    resource: ActualResource | None = None
    # Regions left incomplete by this bucket, with the reason.
    failed_regions: tuple[str, ...] = ()
    code: str = ""
    message: str = ""


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
    with ThreadPoolExecutor(
        max_workers=min(ctx.s3_workers, len(buckets)), thread_name_prefix="driftctl-s3"
    ) as pool:
        outcomes = list(pool.map(lambda b: _read_bucket(ctx, lister, b, wanted), buckets))
    return _gather(outcomes, ctx.regions)


def _gather(outcomes: list[_Outcome], regions: tuple[str, ...]) -> Collected:
    collected = Collected()
    failed: dict[str, list[_Outcome]] = {}
    for outcome in outcomes:
        if outcome.resource is not None:
            collected.resources.append(outcome.resource)
        for failed_region in outcome.failed_regions:
            failed.setdefault(failed_region, []).append(outcome)
    for failed_region in regions:
        problems = failed.get(failed_region)
        if not problems:
            continue
        first = problems[0]
        more = f" (and {len(problems) - 1} more buckets)" if len(problems) > 1 else ""
        collected.failures.append(
            ScanError(ResourceType.S3.value, failed_region, first.code, first.message + more)
        )
    return collected


def _read_bucket(
    ctx: ScanContext, lister: S3Client, bucket: BucketTypeDef, wanted: frozenset[str]
) -> _Outcome:
    name = bucket["Name"]
    try:
        region = bucket.get("BucketRegion") or bucket_region(
            _call(lambda: lister.get_bucket_location(Bucket=name).get("LocationConstraint"))
        )
    except _BucketGone:
        return _Outcome()
    except (BotoCoreError, ClientError) as exc:
        # Without its region the bucket could belong to any scanned region.
        return _failure(tuple(sorted(wanted)), name, exc)
    if region not in wanted:
        return _Outcome()
    try:
        attributes = read_settings(ctx.aws.client("s3", region), name)
    except _BucketGone:
        return _Outcome()
    except (BotoCoreError, ClientError, ValueError) as exc:
        return _failure((region,), name, exc)
    return _Outcome(
        resource=ActualResource(
            resource_type=ResourceType.S3.value,
            resource_id=name,
            region=region,
            attributes=attributes,
            account_id=ctx.account_id,
        )
    )


def _failure(regions: tuple[str, ...], name: str, exc: BaseException) -> _Outcome:
    if isinstance(exc, ValueError):
        code, message = "InvalidPolicy", f"bucket policy is not valid JSON: {exc}"
    else:
        code, message = error_details(exc)
    return _Outcome(failed_regions=regions, code=code, message=f"bucket {name}: {message}")


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
    pab = dict(_NO_PUBLIC_ACCESS_BLOCK)
    if access_block is not None:
        conf = access_block.get("PublicAccessBlockConfiguration", {})
        pab = {
            "block_public_acls": bool(conf.get("BlockPublicAcls", False)),
            "block_public_policy": bool(conf.get("BlockPublicPolicy", False)),
            "ignore_public_acls": bool(conf.get("IgnorePublicAcls", False)),
            "restrict_public_buckets": bool(conf.get("RestrictPublicBuckets", False)),
        }
    return {
        "versioning": versioning.get("Status") or "Disabled",
        "server_side_encryption": sse,
        "public_access_block": pab,
        "policy": normalize.policy(policy.get("Policy")) if policy is not None else None,
        "tags": normalize.tags(tagging.get("TagSet")) if tagging is not None else {},
    }


def _call(fn: Callable[[], T]) -> T:
    """Run one S3 call, raising _BucketGone if the bucket no longer exists."""
    try:
        return fn()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
            raise _BucketGone from None
        raise


def _optional(fn: Callable[[], T], *, missing: str) -> T | None:
    """Run one S3 call; None when AWS answers ``missing`` (the feature is not configured)."""
    try:
        return _call(fn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == missing:
            return None
        raise


TYPE_INFO = TypeInfo(
    resource_type=ResourceType.S3,
    service="s3",
    scope=Scope.ACCOUNT_WIDE,
    list_operations=("s3:ListBuckets",),
    id_field="Name",
    collect=collect,
)
