"""Severity of a drift: each type's default rules (``ResourceSpec.rules``), overridable by
``[[severity.rules]]`` in driftctl.toml.

A finding is judged entry by entry: each entry of its ``difference`` gets a severity (the first
user rule that matches it, else the default), and the finding takes the highest. The default of
an entry is the severity of the first rule of its type that matches it, else ``info`` for an
entry inside a tag map and ``warning`` for anything else. Missing and unmanaged findings have no
entries; they are judged as one entry with an empty path and change ``removed`` (missing:
``warning``) or ``added`` (unmanaged: ``critical`` when the type's ``risky`` check says the
resource is exposed on its own, ``warning`` when its ``unguarded`` check says nothing keeps it
from becoming so, else ``info``), so a rule such as
``{drift_type = "unmanaged", severity = "warning"}`` applies to them.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from driftctl.domain import DriftType, Severity
from driftctl.errors import ValidationError
from driftctl.types import spec_of
from driftctl.types.spec import Kind

if TYPE_CHECKING:
    from driftctl.diff.findings import DiffEntry, Finding
    from driftctl.types.spec import ResourceSpec

ANY = "*"
_CHANGES = frozenset({"added", "removed", "changed"})


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
    from driftctl.types import registry

    try:
        return registry.resolve(value).resource_type
    except ValidationError as exc:
        reason = exc.message.removeprefix("unknown resource type ")
        raise ValidationError(f"{where}: unknown resource_type {reason}") from None


def classify(finding: Finding, rules: Sequence[SeverityRule] = ()) -> Severity:
    """The severity of a finding: user rules first (first match wins), then the defaults."""
    return assess(finding, rules)[0]


def assess(finding: Finding, rules: Sequence[SeverityRule] = ()) -> tuple[Severity, bool]:
    """The severity of a finding and whether it is a security exposure (``is_risky``)."""
    severity = Severity.INFO
    risky = False
    for reason in explain(finding, rules):
        risky = risky or reason.default is Severity.CRITICAL
        if reason.severity.rank > severity.rank:
            severity = reason.severity
    return severity, risky


@dataclass(frozen=True)
class Reason:
    """Why one entry of a finding has its severity (``driftctl show`` prints these).

    ``path`` is the difference entry ("" for a missing or unmanaged resource as a whole);
    ``default`` what the type's defaults say, ``severity`` what applies after the user's rules;
    ``why`` says which rule decided, in words.
    """

    path: str
    severity: Severity
    default: Severity
    why: str

    def to_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "severity": self.severity.value,
            "default": self.default.value,
            "why": self.why,
        }


def explain(finding: Finding, rules: Sequence[SeverityRule] = ()) -> list[Reason]:
    """Each entry of a finding with its severity and the rule that gave it."""
    spec = spec_of(finding.resource_type)
    out: list[Reason] = []
    for path, change, entry in _entries(finding):
        default, why = _default_severity(spec, finding, path, change, entry)
        for number, rule in enumerate(rules, start=1):
            if rule.matches(finding.resource_type, finding.drift_type.value, path, change):
                told = f"[[severity.rules]] rule {number} (default: {default.value}, {why})"
                out.append(Reason(path, rule.severity, default, told))
                break
        else:
            out.append(Reason(path, default, default, why))
    return out


def _entries(finding: Finding) -> list[tuple[str, str, DiffEntry | None]]:
    if finding.drift_type is DriftType.MISSING:
        return [("", "removed", None)]
    if finding.drift_type is DriftType.UNMANAGED:
        return [("", "added", None)]
    return [(path, str(e.get("change")), e) for path, e in finding.difference.items()]


def _default_severity(
    spec: ResourceSpec | None, finding: Finding, path: str, change: str, entry: DiffEntry | None
) -> tuple[Severity, str]:
    if finding.drift_type is DriftType.MISSING:
        return Severity.WARNING, "a missing resource is a warning by default"
    if finding.drift_type is DriftType.UNMANAGED:
        state = finding.actual_state
        if spec is None or not state:
            return Severity.INFO, "an unmanaged resource is info by default"
        if spec.risky(state):
            return Severity.CRITICAL, f"exposed on its own ({spec.with_article} that is risky)"
        if spec.unguarded(state):
            return Severity.WARNING, "not exposed, but nothing guards it from becoming so"
        return Severity.INFO, "unmanaged and not exposed on its own"
    if spec is not None and entry is not None:
        for rule in spec.rules:
            if (
                rule.change in (ANY, change)
                and path_glob(rule.path).fullmatch(path)
                and rule.when(entry, finding)
            ):
                return rule.severity, f"default rule: {rule.doc or rule.path}"
    if spec is not None and _in_tags(spec, path):
        return Severity.INFO, "a tag change is info by default"
    return Severity.WARNING, "a change no rule names is a warning by default"


def _in_tags(spec: ResourceSpec, path: str) -> bool:
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    attr = spec.schema.get(top)
    return attr is not None and attr.kind is Kind.TAGS and path != top


@lru_cache(maxsize=512)
def path_glob(pattern: str) -> re.Pattern[str]:
    """A rule path pattern as a regex: ``*`` matches anything, everything else is literal."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def is_risky_state(resource_type: str, state: Mapping[str, Any] | None) -> bool:
    """Whether a resource as AWS reports it is exposed on its own (for unmanaged resources)."""
    spec = spec_of(resource_type)
    return bool(state) and spec is not None and spec.risky(state or {})
