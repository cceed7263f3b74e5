"""Read the actual state of an AWS account: every (region, resource type) read concurrently."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from driftctl.domain import GLOBAL_REGION
from driftctl.errors import ExternalServiceError, ValidationError
from driftctl.resources import ActualResource, scrub_error_text
from driftctl.scanner.base import Collected, ScanContext, ScanError
from driftctl.scanner.session import (
    ClientSettings,
    SessionFactory,
    build_session,
    check_region,
    error_details,
    list_enabled_regions,
)
from driftctl.types import registry
from driftctl.types.spec import ResourceSpec, Scope

logger = logging.getLogger(__name__)


@dataclass
class ScanPlan:
    """What to read, where, and with which credentials and limits."""

    resource_types: list[str]
    # Empty: the profile's (or environment's) region.
    regions: list[str] = field(default_factory=list)
    profile: str | None = None
    role_arn: str | None = None
    max_workers: int = 8
    # Scan every region enabled for the account (EC2 DescribeRegions) instead of ``regions``.
    all_regions: bool = False
    # Builds the source session instead of ``profile`` (tests inject a prepared one). Called
    # once per scan; ``role_arn`` is still assumed on top of it.
    session_factory: SessionFactory | None = None
    # Items per page of paginated listings; None is each API's maximum (tests, benchmarks).
    page_size: int | None = None
    # Total requests per AWS call, retries included.
    max_attempts: int = 5
    detail_workers: int = 16
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # resource_type -> ids the IaC declares (types read details of these only, see ScanContext).
    expected_ids: dict[str, frozenset[str]] = field(default_factory=dict)
    # Told after each (type, region) read ends: (reads done, reads in all, AWS calls so far).
    progress: Callable[[int, int, int], None] | None = None


@dataclass
class ActualScan:
    """The outcome of a scan: what AWS has, what was read completely, what failed."""

    account_id: str
    regions: list[str]
    # Sorted by (resource_type, resource_id).
    resources: list[ActualResource]
    # (resource_type, region) pairs read completely; IAM under domain.GLOBAL_REGION, S3 under
    # every scanned region its listing covered.
    read_ok: set[tuple[str, str]]
    errors: list[ScanError]
    # AWS requests per "service:Operation", retries included.
    api_calls: dict[str, int]

    @property
    def complete(self) -> bool:
        """True when every (type, region) was read without error."""
        return not self.errors


@dataclass(frozen=True)
class _Unit:
    spec: ResourceSpec
    region: str
    # The regions this unit answers for in read_ok / errors.
    covers: tuple[str, ...]


def scan_actual(plan: ScanPlan) -> ActualScan:
    """Read the plan's resource types in its regions; failures of single reads are recorded.

    Raises ValidationError for an unknown type, a malformed region, an unknown profile or no
    region at all; ExternalServiceError when the account cannot be identified (no or bad
    credentials, endpoint unreachable) or when nothing at all could be read.
    """
    specs = _specs(plan.resource_types)
    if plan.max_workers < 1:
        raise ValidationError("max_workers must be at least 1")
    for region in plan.regions:
        check_region(region)
    settings = ClientSettings(
        max_attempts=plan.max_attempts,
        connect_timeout=plan.connect_timeout,
        read_timeout=plan.read_timeout,
        # Each client is shared by the unit threads and, for S3, the per-bucket threads.
        max_pool_connections=max(10, plan.max_workers, plan.detail_workers) + 2,
    )
    aws = build_session(
        profile=plan.profile,
        region=plan.regions[0] if plan.regions else None,
        role_arn=plan.role_arn,
        settings=settings,
        session_factory=plan.session_factory,
    )
    # A missing region is a usage error: report it before any network call.
    regions = [] if plan.all_regions else _regions(plan, aws.region_name)
    account_id = aws.account_id()
    if plan.all_regions:
        regions = list_enabled_regions(aws)
    ctx = ScanContext(
        aws=aws,
        account_id=account_id,
        regions=tuple(regions),
        max_workers=plan.max_workers,
        detail_workers=plan.detail_workers,
        page_size=plan.page_size,
        expected_ids=dict(plan.expected_ids),
    )
    units = _units(specs, ctx.regions)
    resources: list[ActualResource] = []
    read_ok: set[tuple[str, str]] = set()
    errors: list[ScanError] = []
    if units:
        with ThreadPoolExecutor(
            max_workers=min(plan.max_workers, len(units)), thread_name_prefix="driftctl-scan"
        ) as pool:
            futures = [pool.submit(_run_unit, ctx, unit) for unit in units]
            if plan.progress is not None:
                for done, _ in enumerate(as_completed(futures), start=1):
                    plan.progress(done, len(units), sum(aws.api_calls.values()))
            results = [f.result() for f in futures]
        for unit, collected in zip(units, results, strict=True):
            resources.extend(collected.resources)
            errors.extend(collected.failures)
            failed = {f.region for f in collected.failures}
            read_ok.update((unit.spec.resource_type, r) for r in unit.covers if r not in failed)
    if units and not read_ok and not resources:
        first = min(errors, key=_error_order)
        raise ExternalServiceError(
            f"could not read anything from AWS: {first.resource_type} in {first.region}: "
            f"{first.message}",
            details={"errors": [asdict(e) for e in sorted(errors, key=_error_order)]},
        )
    resources.sort(key=lambda r: (r.resource_type, r.resource_id, r.region))
    return ActualScan(
        account_id=account_id,
        regions=list(ctx.regions),
        resources=resources,
        read_ok=read_ok,
        errors=sorted(errors, key=_error_order),
        api_calls=aws.api_calls,
    )


def _specs(resource_types: list[str]) -> list[ResourceSpec]:
    specs: list[ResourceSpec] = []
    for name in dict.fromkeys(resource_types):
        spec = registry.get(name)
        if spec is None:
            raise ValidationError(
                f"unknown resource type {name!r} (known: {', '.join(registry.names())})"
            )
        specs.append(spec)
    return specs


def _regions(plan: ScanPlan, profile_region: str | None) -> list[str]:
    if plan.regions:
        return list(dict.fromkeys(plan.regions))
    if profile_region:
        return [profile_region]
    raise ValidationError("no AWS region: pass --region or set one in the AWS profile")


def _units(specs: list[ResourceSpec], regions: tuple[str, ...]) -> list[_Unit]:
    units: list[_Unit] = []
    for spec in specs:
        if spec.scope is Scope.REGIONAL:
            units.extend(_Unit(spec, r, (r,)) for r in regions)
        elif spec.scope is Scope.GLOBAL:
            units.append(_Unit(spec, GLOBAL_REGION, (GLOBAL_REGION,)))
        elif regions:
            units.append(_Unit(spec, GLOBAL_REGION, regions))
    return units


def _run_unit(ctx: ScanContext, unit: _Unit) -> Collected:
    resource_type = unit.spec.resource_type
    try:
        collected = unit.spec.collect(ctx, unit.region)
    except (BotoCoreError, ClientError, ResponseParserError) as exc:
        code, message = error_details(exc)
    except Exception as exc:
        # A response this reader did not expect must not sink the other reads; the error
        # names the exception so the report shows something is wrong here.
        logger.debug("reading %s in %s failed", resource_type, unit.region, exc_info=True)
        code, message = "InternalError", scrub_error_text(f"{type(exc).__name__}: {exc}")
    else:
        logger.debug("read %d %s in %s", len(collected.resources), resource_type, unit.region)
        for resource in collected.resources:
            resource.is_default = resource.is_default or unit.spec.is_default(resource.attributes)
        return collected
    logger.debug("cannot read %s in %s: %s", resource_type, unit.region, message)
    return Collected(failures=[ScanError(resource_type, r, code, message) for r in unit.covers])


def _error_order(error: ScanError) -> tuple[str, str]:
    return (error.resource_type, error.region)
