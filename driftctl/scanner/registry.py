"""The resource types the scanner can read, by ``domain.ResourceType`` value."""

from __future__ import annotations

from driftctl.scanner import ec2, iam, rds, s3, security_groups
from driftctl.scanner.base import TypeInfo

TYPES: dict[str, TypeInfo] = {
    info.resource_type.value: info
    for info in (
        ec2.TYPE_INFO,
        security_groups.TYPE_INFO,
        s3.TYPE_INFO,
        rds.TYPE_INFO,
        iam.TYPE_INFO,
    )
}
