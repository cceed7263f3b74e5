"""The actual-state AWS scanner: ``scan_actual(ScanPlan(...))`` returns an ``ActualScan``.

The names below load on first use, so importing ``driftctl.scanner.base`` (as every resource type
module does) costs no boto3 import.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftctl.scanner.base import ScanError
    from driftctl.scanner.runner import ActualScan, ScanPlan, scan_actual
    from driftctl.scanner.session import AwsSession, build_session, list_enabled_regions

_WHERE = {
    "ActualScan": "driftctl.scanner.runner",
    "ScanPlan": "driftctl.scanner.runner",
    "scan_actual": "driftctl.scanner.runner",
    "ScanError": "driftctl.scanner.base",
    "AwsSession": "driftctl.scanner.session",
    "build_session": "driftctl.scanner.session",
    "list_enabled_regions": "driftctl.scanner.session",
}

__all__ = [
    "ActualScan",
    "AwsSession",
    "ScanError",
    "ScanPlan",
    "build_session",
    "list_enabled_regions",
    "scan_actual",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'driftctl.scanner' has no attribute {name!r}")
