"""The pieces every resource-type reader shares: its declaration, its context, its result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from driftctl.domain import ResourceType
from driftctl.resources import ActualResource
from driftctl.scanner.session import AwsSession


class Scope(StrEnum):
    """How a resource type is laid out across regions, which decides how it is read."""

    # One read per scanned region (EC2, security groups, RDS).
    REGIONAL = "regional"
    # One read per scan, recorded under domain.GLOBAL_REGION (IAM).
    GLOBAL = "global"
    # One account-wide listing whose items each live in a region (S3): the read answers for
    # every scanned region and returns only the items in them.
    ACCOUNT_WIDE = "account-wide"


@dataclass(frozen=True)
class ScanError:
    """A (resource type, region) that could not be read completely."""

    resource_type: str
    region: str
    code: str
    message: str


@dataclass
class Collected:
    """What one read produced: the resources, and the regions it could not read fully."""

    resources: list[ActualResource] = field(default_factory=list)
    failures: list[ScanError] = field(default_factory=list)


@dataclass(frozen=True)
class ScanContext:
    """What a reader needs: the session, the account, the scanned regions, the limits."""

    aws: AwsSession
    account_id: str
    regions: tuple[str, ...]
    max_workers: int = 8
    # Buckets read at once: S3 has no batch call, so a scan issues ~5 calls per bucket and
    # latency, not throughput, bounds it.
    s3_workers: int = 16
    # Items per page for paginated listings; None means the API's maximum. Small values exist
    # for tests and benchmarks; each call clamps them to the range its API accepts.
    page_size: int | None = None

    def page_size_for(self, minimum: int, maximum: int) -> int:
        """The page size to ask for from an API that accepts ``minimum..maximum``."""
        if self.page_size is None:
            return maximum
        return max(minimum, min(maximum, self.page_size))


# Reads one resource type; the region argument is the scanned region for Scope.REGIONAL and
# domain.GLOBAL_REGION otherwise. AWS errors that spoil the whole read propagate (the runner
# records them); errors that spoil only part of it are returned in Collected.failures.
Collector = Callable[[ScanContext, str], Collected]


@dataclass(frozen=True)
class TypeInfo:
    """The declaration of one resource type's reader.

    ``service`` is the boto3 client it needs (clients are only created for the types being
    scanned); ``list_operations`` names the batch calls it issues per region, in order, and
    ``id_field`` the response field that becomes ``resource_id`` — both for documentation and
    call accounting; ``collect`` does the reading and returns resources in the canonical form
    of ``driftctl.resources``.
    """

    resource_type: ResourceType
    service: str
    scope: Scope
    list_operations: tuple[str, ...]
    id_field: str
    collect: Collector
