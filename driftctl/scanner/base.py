"""The pieces every resource-type reader shares: its context and its result.

No boto3 at import time: the type modules import this, and loading the registry must stay cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from driftctl.resources import ActualResource

if TYPE_CHECKING:
    from driftctl.scanner.session import AwsSession

T = TypeVar("T")


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
    # Per-resource detail reads at once (scanner.details): APIs without a batch call (S3's
    # ~5 calls per bucket) are bound by latency, not throughput.
    detail_workers: int = 16
    # Items per page for paginated listings; None means the API's maximum. Small values exist
    # for tests and benchmarks; each call clamps them to the range its API accepts.
    page_size: int | None = None
    # resource_type -> ids the IaC declares: per-resource detail calls are made for these (and,
    # for unmanaged resources, only where the risk check needs them).
    expected_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Listings shared by several types of one service (one call for all of them), per scan.
    _shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _shared_lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)
    _key_locks: dict[str, threading.Lock] = field(default_factory=dict, compare=False, repr=False)

    def shared(self, key: str, load: Callable[[], T]) -> T:
        """``load()`` once per scan for ``key``; every type asking for it gets the same result.

        A failure is not remembered: the next type to ask tries again (and records its own
        error).
        """
        with self._shared_lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._shared:
                self._shared[key] = load()
            value: T = self._shared[key]
            return value

    def page_size_for(self, minimum: int, maximum: int) -> int:
        """The page size to ask for from an API that accepts ``minimum..maximum``."""
        if self.page_size is None:
            return maximum
        return max(minimum, min(maximum, self.page_size))
