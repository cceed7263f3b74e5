"""``.driftignore``: resources and attributes whose drift is not reported.

The syntax and results are the Go driftctl tool's, so existing files keep working::

    # comments and blank lines are skipped
    aws_s3_bucket.logs\\.example\\.com     one resource (a dot inside an id may be escaped)
    aws_instance                         every resource of a type (same as aws_instance.*)
    aws_*                                every type starting with aws_
    *                                    everything ...
    !aws_instance                        ... except instances: a later line wins
    aws_instance.i-0abc.tags.Owner       one attribute path of one resource
    aws_security_group.*.ingress         a path also covers what is below it (ingress[...])
    !aws_instance.i-0abc.instance_type   negation works for attributes too

A line is a pattern over the text ``TYPE.ID`` (``TYPE.ID.path`` for an attribute), with the
wildcards of ``diff.ignore_glob``; a line that does not end in ``*`` also covers everything
below what it names. TYPE is a Terraform type (``aws_instance``) or a driftctl resource type
(``EC2``). A line that can match nothing driftctl reads (``foobar``, ``.id``, a bad pattern) is
kept out and reported in ``warnings``, one per line; it never makes the file unusable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from driftctl.diff.findings import DiffEntry, Finding
from driftctl.diff.ignore_glob import BadPattern, Glob, compile_glob
from driftctl.diff.severity import SeverityRule, assess
from driftctl.errors import ValidationError
from driftctl.types import registry

DEFAULT_FILENAME = ".driftignore"


@dataclass(frozen=True)
class IgnoreRule:
    """One line of a ``.driftignore`` file."""

    line: int
    negated: bool
    glob: Glob

    def matches(self, names: Iterable[str]) -> bool:
        return any(self.glob.matches(name) for name in names)


@dataclass(frozen=True)
class DriftIgnore:
    """The rules of a ``.driftignore`` file in file order, and the lines it could not use."""

    rules: tuple[IgnoreRule, ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, *, source: str = DEFAULT_FILENAME) -> DriftIgnore:
        """Parse ``.driftignore`` text; never raises for a line (see ``warnings``)."""
        rules: list[IgnoreRule] = []
        warnings: list[str] = []
        known = _known_names()
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            body = line[1:] if negated else line
            shown = line if len(line) <= 80 else line[:77] + "..."
            try:
                glob = compile_glob(body)
            except BadPattern as exc:
                warnings.append(f"{source} line {number}: {shown!r} is not a valid pattern ({exc})")
                continue
            if not body or not any(glob.could_start_with(f"{name}.") for name in known):
                warnings.append(
                    f"{source} line {number}: {shown!r} matches no resource type driftctl "
                    "reads (`driftctl types` lists them); the line has no effect"
                )
            rules.append(IgnoreRule(line=number, negated=negated, glob=glob))
        return cls(tuple(rules), tuple(warnings))

    @classmethod
    def load(cls, path: Path | None, cwd: Path) -> DriftIgnore:
        """Read ``path`` (which must exist), else ``cwd/.driftignore`` if present, else no rules.

        Raises ValidationError when an explicit file is missing or unreadable.
        """
        if path is None:
            default = cwd / DEFAULT_FILENAME
            if not default.is_file():
                return cls()
            path = default
        elif not path.is_absolute():
            path = cwd / path
        if not path.is_file():
            raise ValidationError(f"driftignore file not found: {path}")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"cannot read driftignore file {path}: {exc}") from None
        return cls.parse(text, source=path.name)

    def _decide(self, names: Sequence[str]) -> bool:
        """The last matching line decides; no matching line means not ignored."""
        for rule in reversed(self.rules):
            if rule.matches(names):
                return not rule.negated
        return False

    def ignores_resource(self, resource_type: str, resource_id: str) -> bool:
        """Whether the whole resource is ignored (``TYPE.ID``, the Go tool's IsResourceIgnored)."""
        return self._decide([f"{name}.{resource_id}" for name in _aliases(resource_type)])

    def ignores_path(self, resource_type: str, resource_id: str, path: str) -> bool:
        """Whether one difference entry is ignored (``TYPE.ID.path``, IsFieldIgnored)."""
        return self._decide([f"{n}.{resource_id}.{path}" for n in _aliases(resource_type)])

    def keeps_something_below(self, resource_type: str, resource_id: str) -> bool:
        """Whether a negated line may bring back an attribute of this (ignored) resource."""
        prefixes = [f"{name}.{resource_id}." for name in _aliases(resource_type)]
        return any(
            rule.negated and any(rule.glob.could_start_with(p) for p in prefixes)
            for rule in self.rules
        )

    def ignores_type(
        self, resource_type: str, *, children: Mapping[str, Sequence[str]] | None = None
    ) -> bool:
        """Whether every resource of a type is ignored, so it need not be read at all.

        As in the Go tool: a line ``!TYPE.…`` keeps the type, and so does any child type
        (``children``; default: the other Terraform types a registered type reads) that is
        not ignored itself.
        """
        kids = _children(resource_type) if children is None else children.get(resource_type, ())
        if any(not self.ignores_type(kid, children=children) for kid in kids):
            return False
        names = _aliases(resource_type)
        for rule in self.rules:
            if rule.negated and any(rule.glob.text.startswith(f"{n}.") for n in names):
                return False
        return self._decide([f"{name}.*" for name in names])

    def filter_difference(
        self, resource_type: str, resource_id: str, difference: Mapping[str, DiffEntry]
    ) -> dict[str, DiffEntry]:
        """The difference without its ignored entries (order kept)."""
        return {
            path: entry
            for path, entry in difference.items()
            if not self.ignores_path(resource_type, resource_id, path)
        }

    def apply(
        self, findings: Iterable[Finding], *, severity_rules: Sequence[SeverityRule] = ()
    ) -> list[Finding]:
        """Drop ignored findings and difference entries; a finding left with none is dropped.

        A finding that lost entries is re-assessed (severity, is_risky) with ``severity_rules``,
        which should be the rules the findings were first classified with. Input is not mutated.
        """
        if not self.rules:
            return list(findings)
        kept = []
        for finding in findings:
            if not finding.difference:
                if not self.ignores_resource(finding.resource_type, finding.resource_id):
                    kept.append(finding)
                continue
            remaining = self.filter_difference(
                finding.resource_type, finding.resource_id, finding.difference
            )
            if not remaining:
                continue
            if len(remaining) == len(finding.difference):
                kept.append(finding)
                continue
            trimmed = dataclasses.replace(finding, difference=remaining)
            trimmed.severity, trimmed.is_risky = assess(trimmed, severity_rules)
            kept.append(trimmed)
        return kept


def _aliases(name: str) -> tuple[str, ...]:
    """The names a resource goes by: driftctl's type name and its main Terraform type."""
    spec = registry.get(name)
    if spec is not None:
        return (spec.main_terraform_type, name)
    found = registry.terraform_type(name)
    if found is not None and found[0].main_terraform_type == name:
        return (name, found[0].resource_type)
    return (name,)


def _children(name: str) -> tuple[str, ...]:
    spec = registry.get(name)
    if spec is None:
        found = registry.terraform_type(name)
        spec = found[0] if found is not None and found[0].main_terraform_type == name else None
    if spec is None:
        return ()
    return tuple(t for t in spec.terraform_names if t != spec.main_terraform_type)


def _known_names() -> tuple[str, ...]:
    return (*registry.names(), *registry.terraform_names())
