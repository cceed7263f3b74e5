"""Per-resource detail reads, for the AWS APIs that have no batch call (S3 bucket settings, …).

A type lists its resources in bulk, then reads each one's details with ``read_each``: the reads
run on ``ScanContext.detail_workers`` threads (latency, not throughput, bounds them), and a read
that fails spoils only the regions it names, reported once per region with a count of the others
that failed there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from driftctl.resources import ActualResource
from driftctl.scanner.base import Collected, ScanContext, ScanError

T = TypeVar("T")


@dataclass(frozen=True)
class Detail:
    """What reading one resource's details gave: the resource, nothing (gone, or outside the
    scanned regions), or the regions it left incomplete with why."""

    resource: ActualResource | None = None
    failed_regions: tuple[str, ...] = ()
    code: str = ""
    message: str = ""


def failed(regions: Sequence[str], label: str, exc: BaseException) -> Detail:
    """A failed read of ``label`` (``bucket logs``) in ``regions``, from an AWS error."""
    from driftctl.scanner.session import error_details

    code, message = error_details(exc)
    return Detail(failed_regions=tuple(regions), code=code, message=f"{label}: {message}")


def read_each(
    ctx: ScanContext,
    resource_type: str,
    items: Sequence[T],
    read: Callable[[T], Detail],
    *,
    noun: str = "resources",
) -> Collected:
    """``read`` every item concurrently; the resources found and one failure per region."""
    if not items:
        return Collected()
    with ThreadPoolExecutor(
        max_workers=min(ctx.detail_workers, len(items)), thread_name_prefix="driftctl-detail"
    ) as pool:
        details = list(pool.map(read, items))
    collected = Collected()
    by_region: dict[str, list[Detail]] = {}
    for detail in details:
        if detail.resource is not None:
            collected.resources.append(detail.resource)
        for region in detail.failed_regions:
            by_region.setdefault(region, []).append(detail)
    # Scanned regions first, in order; then any other a read named (GLOBAL_REGION for IAM).
    for region in dict.fromkeys([*ctx.regions, *by_region]):
        problems = by_region.get(region)
        if not problems:
            continue
        first = problems[0]
        more = f" (and {len(problems) - 1} more {noun})" if len(problems) > 1 else ""
        collected.failures.append(
            ScanError(resource_type, region, first.code, first.message + more)
        )
    return collected
