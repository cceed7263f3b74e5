"""``.driftignore``: resources and attributes whose drift is not reported.

The syntax is the Go driftctl tool's, so existing files keep working::

    # comments and blank lines are skipped
    aws_s3_bucket.logs\\.example\\.com     one resource (a dot inside an id is escaped)
    aws_instance.*                       every resource of a type (TYPE.* or *.ID too)
    *                                    everything
    aws_instance.i-0abc.tags.Owner       one attribute path of one resource
    aws_security_group.*.ingress         a path also covers what is below it (ingress[...])
    !aws_instance.i-0keep                negation: a later line wins over an earlier one

TYPE is a Terraform type (``aws_instance``) or a driftctl resource type (``EC2``). ``*`` matches
any run of characters; ``\\`` escapes the next character.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from driftctl.diff.findings import DiffEntry, Finding
from driftctl.diff.severity import SeverityRule, assess
from driftctl.errors import ValidationError
from driftctl.types.registry import SPECS

DEFAULT_FILENAME = ".driftignore"

_TERRAFORM_BY_TYPE = {spec.resource_type: spec.main_terraform_type for spec in SPECS}
_WILDCARD = object()
_Segment = list[object]  # literal strings and _WILDCARD markers


@dataclass(frozen=True)
class IgnoreRule:
    """One line of a ``.driftignore`` file."""

    line: int
    negated: bool
    resource_type: re.Pattern[str]
    resource_id: re.Pattern[str]
    attribute: re.Pattern[str] | None  # None: the whole resource

    def matches_resource(self, resource_type: str, resource_id: str) -> bool:
        """Whether the TYPE and ID parts of this line select the resource."""
        names = (resource_type, _TERRAFORM_BY_TYPE.get(resource_type, resource_type))
        return any(self.resource_type.fullmatch(n) for n in names) and bool(
            self.resource_id.fullmatch(resource_id)
        )


@dataclass(frozen=True)
class DriftIgnore:
    """The parsed rules of a ``.driftignore`` file, in file order."""

    rules: tuple[IgnoreRule, ...] = ()

    @classmethod
    def parse(cls, text: str) -> DriftIgnore:
        """Parse ``.driftignore`` text; raises ValidationError on a line that is not TYPE.ID."""
        rules = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            rules.append(_parse_line(number, line))
        return cls(tuple(rules))

    @classmethod
    def load(cls, path: Path | None, cwd: Path) -> DriftIgnore:
        """Read ``path`` (which must exist), else ``cwd/.driftignore`` if present, else no rules.

        Raises ValidationError when an explicit file is missing or unreadable, or a line is bad.
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
        return cls.parse(text)

    def ignores_resource(self, resource_type: str, resource_id: str) -> bool:
        """Whether the whole resource is ignored (lines with an attribute path do not count)."""
        ignored = False
        for rule in self.rules:
            if rule.attribute is None and rule.matches_resource(resource_type, resource_id):
                ignored = not rule.negated
        return ignored

    def ignores_path(self, resource_type: str, resource_id: str, path: str) -> bool:
        """Whether one difference entry of a resource is ignored (the last matching line wins)."""
        ignored = False
        for rule in self.rules:
            if not rule.matches_resource(resource_type, resource_id):
                continue
            if rule.attribute is None or rule.attribute.fullmatch(path):
                ignored = not rule.negated
        return ignored

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


def _parse_line(number: int, line: str) -> IgnoreRule:
    negated = line.startswith("!")
    body = line[1:].strip() if negated else line
    segments = _split(body)
    if segments == [[_WILDCARD]]:
        segments = [[_WILDCARD], [_WILDCARD]]
    if len(segments) < 2 or any(not s for s in segments):
        shown = line if len(line) <= 80 else line[:77] + "..."
        raise ValidationError(
            f".driftignore line {number}: expected TYPE.ID or TYPE.ID.attribute, got {shown!r}"
        )
    attribute = None
    if len(segments) > 2:
        # The path is rejoined with dots, so `tags.kubernetes.io/name` and the escaped spelling
        # both select the entry "tags.kubernetes.io/name". A path also covers what lies below it.
        joined: _Segment = []
        for i, seg in enumerate(segments[2:]):
            joined.extend(([] if i == 0 else ["."]) + seg)
        attribute = re.compile(_to_regex(joined) + r"(?:[.\[].*)?", re.DOTALL)
    return IgnoreRule(
        line=number,
        negated=negated,
        resource_type=re.compile(_to_regex(segments[0]), re.DOTALL),
        resource_id=re.compile(_to_regex(segments[1]), re.DOTALL),
        attribute=attribute,
    )


def _split(body: str) -> list[_Segment]:
    """Split on unescaped dots into segments of literal text and wildcards."""
    segments: list[_Segment] = [[]]
    chars = iter(body)
    for ch in chars:
        if ch == "\\":
            escaped = next(chars, "\\")
            segments[-1].append(escaped)
        elif ch == ".":
            segments.append([])
        elif ch == "*":
            segments[-1].append(_WILDCARD)
        else:
            segments[-1].append(ch)
    return segments


def _to_regex(segment: _Segment) -> str:
    return "".join(".*" if part is _WILDCARD else re.escape(str(part)) for part in segment)
