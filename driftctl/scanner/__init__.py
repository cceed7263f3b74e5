"""The actual-state AWS scanner: ``scan_actual(ScanPlan(...))`` returns an ``ActualScan``."""

from driftctl.scanner.base import ScanError
from driftctl.scanner.runner import ActualScan, ScanPlan, scan_actual
from driftctl.scanner.session import AwsSession, build_session, list_enabled_regions

__all__ = [
    "ActualScan",
    "AwsSession",
    "ScanError",
    "ScanPlan",
    "build_session",
    "list_enabled_regions",
    "scan_actual",
]
