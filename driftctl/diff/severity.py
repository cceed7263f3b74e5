"""Severity of a drift: the default rules of SPEC §4, overridable by ``[[severity.rules]]``.

A finding is judged entry by entry: each entry of its ``difference`` gets a severity (the first
user rule that matches it, else the default), and the finding takes the highest. Missing and
unmanaged findings have no entries; they are judged as one entry with an empty path and change
``removed`` (missing) or ``added`` (unmanaged), so a rule such as
``{drift_type = "unmanaged", severity = "warning"}`` applies to them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from driftctl.domain import DriftType, ResourceType, Severity
from driftctl.errors import ValidationError

if TYPE_CHECKING:
    from driftctl.diff.compare import DiffEntry, Finding

ANY = "*"
_CHANGES = frozenset({"added", "removed", "changed"})
_WORLD = ("0.0.0.0/0", "::/0")
_S3_BLOCK_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
_ADMIN_POLICY_SUFFIX = "AdministratorAccess"

# Terraform resource types accepted wherever a resource type is written by a user.
TERRAFORM_TYPES: dict[str, str] = {
    "aws_instance": ResourceType.EC2.value,
    "aws_security_group": ResourceType.SECURITY_GROUP.value,
    "aws_s3_bucket": ResourceType.S3.value,
    "aws_db_instance": ResourceType.RDS.value,
    "aws_iam_role": ResourceType.IAM_ROLE.value,
}


@dataclass(frozen=True, kw_only=True)
class SeverityRule:
    """A user rule: entries matching every selector get ``severity``. ``*`` matches anything.

    ``path`` is an fnmatch pattern over the difference path (``tags.*``, ``ingress*``); a literal
    path such as ``ingress[tcp:22:0.0.0.0/0]`` also matches itself exactly.
    """

    severity: Severity
    resource_type: str = ANY
    path: str = ANY
    change: str = ANY
    drift_type: str = ANY

    def matches(self, resource_type: str, drift_type: str, path: str, change: str) -> bool:
        """Whether this rule selects one difference entry of a finding."""
        return (
            self.resource_type in (ANY, resource_type)
            and self.drift_type in (ANY, drift_type)
            and self.change in (ANY, change)
            and (self.path == path or fnmatch.fnmatchcase(path, self.path))
        )


def rules_from_config(data: Sequence[Mapping[str, Any]]) -> list[SeverityRule]:
    """Build rules from driftctl.toml's ``[[severity.rules]]``; raises ValidationError."""
    if not isinstance(data, list | tuple):
        raise ValidationError("severity.rules must be a list of tables")
    rules = []
    for number, item in enumerate(data, start=1):
        rules.append(_rule_from_table(number, item))
    return rules


def _rule_from_table(number: int, item: Any) -> SeverityRule:
    where = f"severity rule {number}"
    if not isinstance(item, Mapping):
        raise ValidationError(f"{where}: expected a table")
    allowed = {"severity", "resource_type", "path", "change", "drift_type"}
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ValidationError(f"{where}: unknown key {unknown[0]!r}")
    for key, value in item.items():
        if not isinstance(value, str) or not value:
            raise ValidationError(f"{where}: {key} must be a non-empty string")
    if "severity" not in item:
        raise ValidationError(f"{where}: severity is required")
    try:
        severity = Severity(item["severity"].lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise ValidationError(f"{where}: severity must be one of {choices}") from None
    change = item.get("change", ANY).lower()
    if change != ANY and change not in _CHANGES:
        raise ValidationError(f"{where}: change must be added, removed, changed or *")
    drift_type = item.get("drift_type", ANY).lower()
    if drift_type != ANY and drift_type not in {d.value for d in DriftType}:
        raise ValidationError(f"{where}: drift_type must be modified, missing, unmanaged or *")
    return SeverityRule(
        severity=severity,
        resource_type=_resource_type(where, item.get("resource_type", ANY)),
        path=item.get("path", ANY),
        change=change,
        drift_type=drift_type,
    )


def _resource_type(where: str, value: str) -> str:
    if value == ANY:
        return ANY
    if value in TERRAFORM_TYPES:
        return TERRAFORM_TYPES[value]
    known = {t.value for t in ResourceType}
    if value.upper() in known:
        return value.upper()
    raise ValidationError(
        f"{where}: unknown resource_type {value!r} (use one of {', '.join(sorted(known))}, "
        "a Terraform type such as aws_instance, or *)"
    )


def classify(finding: Finding, rules: Sequence[SeverityRule] = ()) -> Severity:
    """The severity of a finding: user rules first (first match wins), then the defaults."""
    return assess(finding, rules)[0]


def assess(finding: Finding, rules: Sequence[SeverityRule] = ()) -> tuple[Severity, bool]:
    """The severity of a finding and whether it is a security exposure (``is_risky``)."""
    severity = Severity.INFO
    risky = False
    for path, change, entry in _entries(finding):
        default = _default_severity(finding, path, change, entry)
        risky = risky or default is Severity.CRITICAL
        chosen = next(
            (
                r.severity
                for r in rules
                if r.matches(finding.resource_type, finding.drift_type.value, path, change)
            ),
            default,
        )
        if chosen.rank > severity.rank:
            severity = chosen
    return severity, risky


def _entries(finding: Finding) -> list[tuple[str, str, DiffEntry | None]]:
    if finding.drift_type is DriftType.MISSING:
        return [("", "removed", None)]
    if finding.drift_type is DriftType.UNMANAGED:
        return [("", "added", None)]
    return [(path, str(e.get("change")), e) for path, e in finding.difference.items()]


def _default_severity(
    finding: Finding, path: str, change: str, entry: DiffEntry | None
) -> Severity:
    if finding.drift_type is DriftType.MISSING:
        return Severity.WARNING
    if finding.drift_type is DriftType.UNMANAGED:
        return (
            Severity.CRITICAL
            if is_risky_state(finding.resource_type, finding.actual_state)
            else Severity.INFO
        )
    if entry is not None and _is_critical_change(finding, path, change, entry):
        return Severity.CRITICAL
    if path.startswith("tags."):
        return Severity.INFO
    return Severity.WARNING


def _is_critical_change(finding: Finding, path: str, change: str, entry: DiffEntry) -> bool:
    expected, actual = entry.get("expected"), entry.get("actual")
    rtype = finding.resource_type
    if rtype == ResourceType.SECURITY_GROUP:
        if path.startswith("ingress[") and change == "added" and isinstance(actual, str):
            allowed = (finding.expected_state or {}).get("ingress") or []
            return is_world_open(actual) and not _covered_by(actual, allowed)
        return False
    if rtype == ResourceType.S3:
        if path == "server_side_encryption.sse_algorithm":
            return change == "removed"
        if path == "versioning":
            return str(expected) == "Enabled" and str(actual) != "Enabled"
        if path.startswith("public_access_block."):
            return change == "removed" or (_truthy(expected) and not _truthy(actual))
        if path == "policy":
            return grants_public(actual) and not grants_public(expected)
        return False
    if rtype == ResourceType.IAM_ROLE:
        if path == "assume_role_policy":
            return True
        if path.startswith("managed_policy_arns[") and change == "added":
            return is_admin_policy_arn(actual)
        if path.startswith("inline_policies.") and change in ("added", "changed"):
            return allows_admin(actual) and not allows_admin(expected)
        return False
    if rtype == ResourceType.RDS:
        if path == "publicly_accessible":
            return _truthy(actual) and not _truthy(expected)
        if path in ("storage_encrypted", "deletion_protection"):
            return _truthy(expected) and not _truthy(actual)
    return False


def is_risky_state(resource_type: str, state: Mapping[str, Any] | None) -> bool:
    """Whether a resource as AWS reports it is exposed on its own (for unmanaged resources)."""
    if not state:
        return False
    if resource_type == ResourceType.SECURITY_GROUP:
        return any(isinstance(r, str) and is_world_open(r) for r in state.get("ingress") or [])
    if resource_type == ResourceType.S3:
        block = state.get("public_access_block")
        # A block with every flag off protects as little as no block at all.
        unblocked = not isinstance(block, Mapping) or not any(
            _truthy(block.get(flag)) for flag in _S3_BLOCK_FLAGS
        )
        return unblocked or grants_public(state.get("policy"))
    if resource_type == ResourceType.IAM_ROLE:
        inline = state.get("inline_policies") or {}
        return any(is_admin_policy_arn(a) for a in state.get("managed_policy_arns") or []) or (
            isinstance(inline, Mapping) and any(allows_admin(p) for p in inline.values())
        )
    if resource_type == ResourceType.RDS:
        return _truthy(state.get("publicly_accessible"))
    return False


def is_world_open(rule_key: str) -> bool:
    """Whether a rule key (``proto:ports:peer``) lets in the whole IPv4 or IPv6 internet."""
    return rule_key.endswith(tuple(f":{w}" for w in _WORLD))


def _split_rule(rule_key: str) -> tuple[str, str, str] | None:
    parts = rule_key.split(":", 2)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def _port_range(ports: str) -> tuple[int, int] | None:
    if ports == "all":
        return (0, 65535)
    lo, sep, hi = ports.partition("-")
    try:
        return (int(lo), int(hi)) if sep else (int(lo), int(lo))
    except ValueError:
        return None


def _covered_by(rule_key: str, allowed: Iterable[Any]) -> bool:
    """Whether IaC already allows at least this much from the same peer (then nothing widened)."""
    rule = _split_rule(rule_key)
    if rule is None:
        return False
    proto, ports, peer = rule
    wanted = _port_range(ports)
    for other in allowed:
        parsed = _split_rule(other) if isinstance(other, str) else None
        if parsed is None or parsed[2] != peer:
            continue
        o_proto, o_ports, _ = parsed
        if o_proto == "all":
            return True
        if o_proto != proto:
            continue
        if o_ports == "all" or o_ports == ports:
            return True
        have = _port_range(o_ports)
        if (
            proto in ("tcp", "udp")
            and have
            and wanted
            and have[0] <= wanted[0] <= wanted[1] <= have[1]
        ):
            return True
    return False


def _statements(policy: Any) -> list[Mapping[str, Any]]:
    if not isinstance(policy, Mapping):
        return []
    statements = policy.get("Statement") or []
    if isinstance(statements, Mapping):
        statements = [statements]
    return [s for s in statements if isinstance(s, Mapping)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def grants_public(policy: Any) -> bool:
    """Whether a policy has an Allow statement for ``Principal: "*"`` (or ``{"AWS": "*"}``)."""
    for st in _statements(policy):
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        if principal == ANY:
            return True
        if isinstance(principal, Mapping) and ANY in _as_list(principal.get("AWS")):
            return True
    return False


def allows_admin(policy: Any) -> bool:
    """Whether a policy allows every action (``*``) on every resource (``*``)."""
    for st in _statements(policy):
        actions = _as_list(st.get("Action"))
        if (
            st.get("Effect") == "Allow"
            and (ANY in actions or "*:*" in actions)
            and ANY in _as_list(st.get("Resource"))
        ):
            return True
    return False


def is_admin_policy_arn(arn: Any) -> bool:
    """Whether a managed policy ARN names an AdministratorAccess policy (AWS's or a copy)."""
    return isinstance(arn, str) and arn.rsplit("/", 1)[-1].endswith(_ADMIN_POLICY_SUFFIX)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True
