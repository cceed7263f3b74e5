"""Compare the expected state (IaC) with the actual state (AWS) and list the drifts.

Both sides arrive in the canonical form of their type; the type's attribute schema
(``types.spec.Attr``) decides how each attribute compares: policies as normalised documents,
sets member by member, tags as maps, nested objects key by key, scalars with ``"20"`` equal to
``20``, plus the equivalences a type declares (``"15"`` and ``"15.4"``). Keys the expected side
does not set are not managed by IaC and are never compared. The comparer knows no attribute
names: an attribute missing from a schema is compared by the shape of its value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.diff.findings import (
    ADDED,
    CHANGED,
    REMOVED,
    Comparison,
    Counts,
    DiffEntry,
    Finding,
)
from driftctl.diff.severity import SeverityRule, assess
from driftctl.domain import GLOBAL_REGION, DriftType
from driftctl.resources import SENSITIVE, ActualResource, ExpectedResource, ResourceKey
from driftctl.types import registry
from driftctl.types.spec import Attr, Kind, Scope

if TYPE_CHECKING:
    from driftctl.diff.driftignore import DriftIgnore

__all__ = ["Comparison", "Counts", "DiffEntry", "Finding", "compare", "diff_attributes"]

# AWS-reserved tag keys (CloudFormation, Auto Scaling, ...) cannot be set by IaC.
_RESERVED_TAG_PREFIX = "aws:"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# An attribute no schema describes: compared by the shape of its value.
_UNDESCRIBED = Attr()


def compare(
    expected: Sequence[ExpectedResource],
    actual: Sequence[ActualResource],
    *,
    read_ok: set[tuple[str, str]],
    default_region: str,
    severity_rules: Sequence[SeverityRule] = (),
    ignore: DriftIgnore | None = None,
    include_defaults: bool = False,
) -> Comparison:
    """Match expected and actual resources by (type, id) and return the drifts between them.

    ``read_ok`` holds the (resource_type, region) pairs the scanner read without error: an expected
    resource is reported missing only there. ``severity_rules`` are user rules that override the
    defaults. ``ignore`` applies ``.driftignore`` before counting: ignored resources appear in
    no count, and a resource whose every difference is ignored is in sync. ``include_defaults``
    reports objects AWS creates itself (service-linked roles…) as unmanaged too. Raises nothing.
    """
    expected_by_key = _merge_expected(expected)
    actual_by_key: dict[ResourceKey, ActualResource] = {}
    for found in actual:
        # The same bucket can be listed from several regions: the first sighting is kept.
        actual_by_key.setdefault(found.key, found)

    findings: list[Finding] = []
    in_sync: list[ResourceKey] = []
    not_seen: list[ResourceKey] = []
    ignored: list[ResourceKey] = []
    missing = modified = unmanaged = 0

    for key, exp in expected_by_key.items():
        act = actual_by_key.get(key)
        whole = below = False
        if ignore is not None and ignore.ignores_resource(exp.resource_type, exp.resource_id):
            whole = True
            # An ignored resource still shows an attribute a later `!` line brings back.
            below = act is not None and ignore.keeps_something_below(
                exp.resource_type, exp.resource_id
            )
        if whole and not below:
            ignored.append(key)
            continue
        if act is None:
            region = exp.region or _fallback_region(exp.resource_type, default_region)
            if (exp.resource_type, region) not in read_ok:
                not_seen.append(key)
                continue
            missing += 1
            findings.append(
                Finding(
                    resource_type=exp.resource_type,
                    resource_id=exp.resource_id,
                    region=region,
                    account_id=exp.account_id,
                    drift_type=DriftType.MISSING,
                    difference={},
                    expected_state=exp.attributes,
                    actual_state=None,
                    sources=list(exp.sources),
                )
            )
            continue

        difference = diff_attributes(exp.resource_type, exp.attributes, act.attributes)
        if ignore is not None and difference:
            difference = ignore.filter_difference(exp.resource_type, exp.resource_id, difference)
        if not difference:
            (ignored if whole else in_sync).append(key)
            continue
        findings.append(
            Finding(
                resource_type=exp.resource_type,
                resource_id=exp.resource_id,
                region=act.region,
                account_id=act.account_id or exp.account_id,
                drift_type=DriftType.MODIFIED,
                difference=difference,
                expected_state=exp.attributes,
                actual_state=act.attributes,
                sources=list(exp.sources),
            )
        )
        modified += 1

    for key, extra in actual_by_key.items():
        if key in expected_by_key or (extra.is_default and not include_defaults):
            continue
        if ignore is not None and ignore.ignores_resource(extra.resource_type, extra.resource_id):
            ignored.append(key)
            continue
        unmanaged += 1
        findings.append(
            Finding(
                resource_type=extra.resource_type,
                resource_id=extra.resource_id,
                region=extra.region,
                account_id=extra.account_id,
                drift_type=DriftType.UNMANAGED,
                difference={},
                expected_state=None,
                actual_state=extra.attributes,
            )
        )

    for finding in findings:
        finding.severity, finding.is_risky = assess(finding, severity_rules)
    findings.sort(key=lambda f: f.sort_key)

    managed = len(in_sync) + modified
    total = managed + unmanaged
    counts = Counts(
        total_resources=total,
        managed=managed,
        unmanaged=unmanaged,
        missing=missing,
        modified=modified,
        in_sync=len(in_sync),
        coverage=round(managed / total, 4) if total else 0.0,
    )
    return Comparison(
        findings=findings,
        in_sync=sorted(in_sync),
        counts=counts,
        not_seen=sorted(not_seen),
        ignored=sorted(ignored),
    )


def _fallback_region(resource_type: str, default_region: str) -> str:
    # Global types (IAM) are recorded under GLOBAL_REGION, whatever the profile's region.
    spec = registry.get(resource_type)
    return GLOBAL_REGION if spec is not None and spec.scope is Scope.GLOBAL else default_region


def _merge_expected(expected: Iterable[ExpectedResource]) -> dict[ResourceKey, ExpectedResource]:
    """One expected resource per key; a resource claimed by several states keeps every source."""
    merged: dict[ResourceKey, ExpectedResource] = {}
    for exp in expected:
        first = merged.get(exp.key)
        if first is None:
            merged[exp.key] = ExpectedResource(
                resource_type=exp.resource_type,
                resource_id=exp.resource_id,
                attributes=exp.attributes,
                region=exp.region,
                account_id=exp.account_id,
                sources=list(exp.sources),
            )
            continue
        first.sources.extend(s for s in exp.sources if s not in first.sources)
        first.region = first.region or exp.region
        first.account_id = first.account_id or exp.account_id
    return merged


def diff_attributes(
    resource_type: str, expected: Mapping[str, Any], actual: Mapping[str, Any]
) -> dict[str, DiffEntry]:
    """The difference between two canonical attribute maps, keyed by sorted attribute path."""
    spec = registry.get(resource_type)
    schema: Mapping[str, Attr] = spec.schema if spec is not None else {}
    out: dict[str, DiffEntry] = {}
    for key in sorted(expected):
        diff_value(schema.get(key), key, expected[key], actual.get(key), out)
    return dict(sorted(out.items()))


def _entry(change: str, expected: Any, actual: Any) -> DiffEntry:
    return {"change": change, "expected": expected, "actual": actual}


def _kind(attr: Attr | None, exp: Any) -> Kind:
    if attr is not None:
        return attr.kind
    if isinstance(exp, Mapping):
        return Kind.OBJECT
    if isinstance(exp, list | tuple):
        return Kind.SET if all(_is_scalar(v) for v in exp) else Kind.JSON
    return Kind.SCALAR


def diff_value(attr: Attr | None, path: str, exp: Any, act: Any, out: dict[str, DiffEntry]) -> None:
    """Add the difference entries of one attribute (``attr`` None: not in any schema)."""
    if exp is None or exp == SENSITIVE or act == SENSITIVE:
        return
    kind = _kind(attr, exp)
    if kind is Kind.POLICY:
        _diff_policy(path, exp, act, out)
    elif kind is Kind.POLICY_MAP:
        _diff_policy_map(path, exp, act, out)
    elif kind is Kind.TAGS:
        added = attr.aws_added if attr is not None else ()
        _diff_full_map(path, exp, act, out, reserved=_RESERVED_TAG_PREFIX, aws_added=added)
    elif kind is Kind.MAP:
        _diff_full_map(path, exp, act, out, aws_added=attr.aws_added if attr else ())
    elif kind is Kind.DOCUMENT:
        exp_doc, act_doc = _document(exp), _document(act)
        if _canonical_json(exp_doc) != _canonical_json(act_doc):
            out[path] = _entry(REMOVED if act_doc is None else CHANGED, exp_doc, act_doc)
    elif kind is Kind.OBJECT and isinstance(exp, Mapping):
        fields = attr.fields if attr is not None else {}
        act_map: Mapping[str, Any] = act if isinstance(act, Mapping) else {}
        for sub in sorted(exp):
            diff_value(fields.get(sub), f"{path}.{sub}", exp[sub], act_map.get(sub), out)
    elif kind is Kind.SET and isinstance(exp, list | tuple):
        _diff_set(path, exp, act, out)
    elif kind in (Kind.JSON, Kind.SET, Kind.OBJECT):
        if _canonical_json(exp) != _canonical_json(act if act is not None else []):
            out[path] = _entry(CHANGED if act is not None else REMOVED, exp, act)
    elif not _scalars_equal(attr or _UNDESCRIBED, exp, act):
        out[path] = _entry(CHANGED if not _is_unset(act) else REMOVED, exp, act)


def _diff_policy(path: str, exp: Any, act: Any, out: dict[str, DiffEntry]) -> None:
    exp_doc, act_doc = _policy(exp), _policy(act)
    if exp_doc == act_doc:
        return
    if exp_doc is None:
        out[path] = _entry(ADDED, None, act_doc)
    elif act_doc is None:
        out[path] = _entry(REMOVED, exp_doc, None)
    else:
        out[path] = _entry(CHANGED, exp_doc, act_doc)


def _diff_policy_map(path: str, exp: Any, act: Any, out: dict[str, DiffEntry]) -> None:
    exp_map: Mapping[str, Any] = exp if isinstance(exp, Mapping) else {}
    act_map: Mapping[str, Any] = act if isinstance(act, Mapping) else {}
    for name in sorted(set(exp_map) | set(act_map)):
        if exp_map.get(name) == SENSITIVE or act_map.get(name) == SENSITIVE:
            continue
        _diff_policy(f"{path}.{name}", exp_map.get(name), act_map.get(name), out)


def _diff_full_map(
    path: str,
    exp: Any,
    act: Any,
    out: dict[str, DiffEntry],
    *,
    reserved: str | None = None,
    aws_added: tuple[str, ...] = (),
) -> None:
    exp_map = normalize.tags(exp)
    act_map = {
        k: v
        for k, v in normalize.tags(act).items()
        if reserved is None or not k.startswith(reserved)
    }
    for name in sorted(set(exp_map) | set(act_map)):
        e, a = exp_map.get(name), act_map.get(name)
        # A masked value cannot be compared, but a key added or removed is still drift.
        if e == a or (e is not None and a is not None and SENSITIVE in (e, a)):
            continue
        if e is None:
            if aws_added and name.startswith(aws_added):
                continue  # added by something other than the IaC (EKS on subnets)
            out[f"{path}.{name}"] = _entry(ADDED, None, a)
        elif a is None:
            out[f"{path}.{name}"] = _entry(REMOVED, e, None)
        else:
            out[f"{path}.{name}"] = _entry(CHANGED, e, a)


def _diff_set(path: str, exp: Iterable[Any], act: Any, out: dict[str, DiffEntry]) -> None:
    exp_items = {_set_member(v) for v in exp if v is not None}
    act_items = (
        {_set_member(v) for v in act if v is not None} if isinstance(act, list | tuple) else set()
    )
    for item in sorted(act_items - exp_items):
        out[f"{path}[{item}]"] = _entry(ADDED, None, item)
    for item in sorted(exp_items - act_items):
        out[f"{path}[{item}]"] = _entry(REMOVED, item, None)


def _set_member(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _policy(value: Any) -> Any:
    """A policy in normalised form; a value that is not a policy is compared as it is."""
    if value is None or value == "" or value == {}:
        return None
    try:
        return normalize.policy(value)
    except (ValueError, TypeError, AttributeError):
        return value


def _document(value: Any) -> Any:
    """A JSON document parsed from text (a value that is not JSON stays as it is)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return None if value == "" else value


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _is_unset(value: Any) -> bool:
    return value is None or value == ""


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _coerce(value: Any) -> Any:
    """A string spelling of a bool or number as that bool or number; anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _NUMBER.fullmatch(text):
        return float(text)
    return value


def _same_scalar(exp: Any, act: Any) -> bool:
    if _is_unset(exp) and _is_unset(act):
        return True
    if isinstance(exp, str) and isinstance(act, str):
        # Two strings compare as text: "15.10" and "15.1" are different versions.
        return exp == act
    exp, act = _coerce(exp), _coerce(act)
    if isinstance(exp, bool) or isinstance(act, bool):
        # True == 1 in Python, but a flag and a count are not the same setting.
        return isinstance(exp, bool) and isinstance(act, bool) and exp == act
    if isinstance(exp, int | float) and isinstance(act, int | float):
        return float(exp) == float(act)
    return bool(_canonical_json(exp) == _canonical_json(act))


def _scalars_equal(attr: Attr, exp: Any, act: Any) -> bool:
    if attr.default is not None:
        # What AWS means by reporting nothing, e.g. retention 0 = never expire.
        exp = attr.default if _is_unset(exp) else exp
        act = attr.default if _is_unset(act) else act
    if _same_scalar(exp, act):
        return True
    return attr.same is not None and attr.same(exp, act)
