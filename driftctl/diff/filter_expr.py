"""``scan --filter EXPR``: a JMESPath expression choosing which drifts are reported.

As in the Go driftctl tool, the expression sees each resource as ``Type`` (its Terraform type),
``Id`` and ``Attr`` (its attributes: AWS's side, or the IaC's for a missing resource), so
``Type=='aws_s3_bucket' && Attr.tags.Env=='prod'`` works as it did there. Every drift field of
``scan -o json`` is there too (``severity``, ``drift_type``, ``region``, ``difference``…).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from driftctl.diff.findings import Finding
from driftctl.errors import ValidationError
from driftctl.types import registry


def compile_filter(expression: str) -> Callable[[Finding], bool]:
    """A predicate over findings; raises ValidationError when the expression does not parse."""
    import jmespath
    from jmespath.exceptions import JMESPathError

    text = expression.strip()
    if not text:
        raise ValidationError("--filter needs an expression, e.g. \"Type=='aws_instance'\"")
    try:
        compiled = jmespath.compile(f"[?{text}]")
    except JMESPathError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValidationError(f"--filter: not a valid JMESPath expression ({first})") from None

    def keep(finding: Finding) -> bool:
        try:
            return bool(compiled.search([view(finding)]))
        except JMESPathError as exc:  # a function given the wrong type, at run time
            raise ValidationError(f"--filter: {exc}") from None

    return keep


def view(finding: Finding) -> dict[str, Any]:
    """What the expression sees of one finding."""
    spec = registry.get(finding.resource_type)
    attributes = (
        finding.actual_state if finding.actual_state is not None else finding.expected_state
    )
    return {
        "Type": spec.main_terraform_type if spec is not None else finding.resource_type,
        "Id": finding.resource_id,
        "Attr": dict(attributes or {}),
        "resource_type": finding.resource_type,
        "resource_id": finding.resource_id,
        "region": finding.region,
        "account_id": finding.account_id,
        "drift_type": finding.drift_type.value,
        "severity": finding.severity.value,
        "difference": {k: dict(v) for k, v in finding.difference.items()},
        "expected_state": dict(finding.expected_state or {}),
        "actual_state": dict(finding.actual_state or {}),
        "iac_source": ", ".join(finding.sources) or None,
    }
