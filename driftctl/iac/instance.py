"""One Terraform resource instance as the type modules read it, and the fragments they produce.

Secrets never leave this module unmasked: ``StateInstance.get`` returns ``resources.SENSITIVE``
for any value covered by the instance's ``sensitive_attributes``, and ``tags`` masks values stored
under secret-looking keys. Readers copy an allow-list of canonical attributes only (the attribute
schema of their type), so anything else in the state is never read at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from driftctl import normalize
from driftctl.resources import SENSITIVE, ResourceKey, looks_secret, mask_secret_values

if TYPE_CHECKING:
    from driftctl.types.spec import Attr, Schema

Step = str | int
AttrPath = tuple[Step, ...]


class BadValue(Exception):
    """A value in the state cannot be read (e.g. a policy that is not JSON)."""


@dataclass(slots=True)
class Fragment:
    """One resource instance's share of an expected resource.

    ``overrides`` marks a separate resource (``aws_s3_bucket_versioning``...) whose values win
    over the parent's inline ones; ``primary`` marks the parent resource itself, whose address
    becomes the expected resource's source.
    """

    key: ResourceKey
    attributes: dict[str, Any]
    source: str
    region: str | None = None
    account_id: str | None = None
    primary: bool = True
    overrides: bool = False


class StateInstance:
    """Reads attribute values of one instance, masking every sensitive one."""

    def __init__(self, instance: Mapping[str, Any], source: str) -> None:
        self.attrs: Mapping[str, Any] = instance["attributes"]
        self.source = source
        self.sensitive: list[AttrPath] = [
            _parse_sensitive_path(p) for p in instance.get("sensitive_attributes") or []
        ]

    def is_sensitive(self, *path: Step) -> bool:
        """True if the value at ``path``, or anything inside it, is marked sensitive."""
        for marked in self.sensitive:
            n = min(len(marked), len(path))
            if marked[:n] == path[:n]:
                return True
        return False

    def get(self, *path: Step) -> Any:
        """The value at ``path`` (None when absent), or SENSITIVE when any part is marked."""
        if self.is_sensitive(*path):
            return SENSITIVE
        value: Any = self.attrs
        for step in path:
            if isinstance(step, int):
                if not isinstance(value, list) or step >= len(value):
                    return None
            elif not isinstance(value, Mapping):
                return None
            value = value[step] if isinstance(step, int) else value.get(step)
            if value is None:
                return None
        return value

    def ident(self, *names: str) -> str | None:
        """The first non-empty of ``names``, even if marked (AWS lists ids anyway)."""
        for name in names:
            value = self.attrs.get(name)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)
        return None

    def covered(self, *path: Step) -> bool:
        """True if a marked path covers the whole value at ``path``."""
        return any(path[: len(marked)] == marked for marked in self.sensitive)

    def tags(self) -> dict[str, str] | str | None:
        """``tags_all`` when present and non-empty (it has provider default_tags), else ``tags``."""
        tags_all = self.attrs.get("tags_all")
        attr = "tags_all" if isinstance(tags_all, Mapping) and tags_all else "tags"
        # tags_all is computed by the provider, so Terraform does not mark it sensitive even when
        # the tags it copies are: a mark on either map applies to both.
        if self.covered("tags") or self.covered("tags_all"):
            return SENSITIVE
        raw = self.attrs.get(attr)
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise BadValue(f"'{attr}' is not a map")
        out: dict[str, str] = {}
        for key, value in normalize.tags(raw).items():
            hidden = looks_secret(key) or self.covered("tags", key) or self.covered("tags_all", key)
            out[key] = SENSITIVE if hidden else value
        return out

    def arn_parts(self) -> tuple[str | None, str | None]:
        """(region, account_id) from the instance's ARN; None for parts it does not carry."""
        arn = self.get("arn")
        if not isinstance(arn, str) or not arn.startswith("arn:") or arn == SENSITIVE:
            return None, None
        parts = arn.split(":", 5)
        if len(parts) < 6:
            return None, None
        return parts[3] or None, parts[4] or None

    def region(self) -> str | None:
        """From the ARN, else a ``region`` attribute, else the zone minus its letter."""
        region, _ = self.arn_parts()
        if region:
            return region
        attr = self.get("region")
        if isinstance(attr, str) and attr and attr != SENSITIVE:
            return attr
        zone = self.get("availability_zone")
        if isinstance(zone, str) and zone != SENSITIVE:
            match = re.fullmatch(r"([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]", zone)
            if match:
                return match.group(1)
        return None


def _parse_sensitive_path(raw: Any) -> AttrPath:
    # Keep what can be read: a shorter prefix masks more, so a step we cannot parse errs on the
    # safe side (an unreadable first step masks the whole instance).
    steps: list[Step] = []
    if not isinstance(raw, list):
        return ()
    for step in raw:
        if not isinstance(step, Mapping):
            break
        if step.get("type") == "get_attr" and isinstance(step.get("value"), str):
            steps.append(step["value"])
            continue
        inner = step.get("value")
        if step.get("type") == "index" and isinstance(inner, Mapping):
            value = inner.get("value")
            if isinstance(value, int | str) and not isinstance(value, bool):
                steps.append(value)
                continue
        break
    return tuple(steps)


# -- value helpers ---------------------------------------------------------------------------


def put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set ``out[key]`` unless the value is None (absent: IaC does not manage it)."""
    if value is not None:
        out[key] = value


def text(value: Any, *, empty_is_unset: bool = False) -> str | None:
    """A state value as text; None stays None (and ``""`` too with ``empty_is_unset``)."""
    if value is None or (empty_is_unset and value == ""):
        return None
    return str(value)


def boolean(value: Any) -> Any:
    """A state value as a bool (``"true"`` too); None and SENSITIVE pass through."""
    if value is None or value == SENSITIVE:
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def integer(value: Any) -> Any:
    """A state value as an int; raises BadValue when it is not a number."""
    if value is None or value == SENSITIVE:
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadValue(f"expected a number, got {value!r}") from None


def number(value: Any) -> Any:
    """A state value as a float; raises BadValue when it is not a finite number."""
    import math

    if value is None or value == SENSITIVE:
        return value
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        raise BadValue(f"expected a number, got {value!r}") from None
    if not math.isfinite(result):
        raise BadValue(f"expected a finite number, got {value!r}")
    return result


def strings(value: Any) -> Any:
    """A list of state values as a sorted list of distinct non-empty strings."""
    if value is None or value == SENSITIVE:
        return value
    if not isinstance(value, list):
        raise BadValue(f"expected a list, got {type(value).__name__}")
    return sorted({str(v) for v in value if v not in (None, "")})


def policy(value: Any) -> Any:
    """A policy document (JSON text or object) in normalised form; raises BadValue if not JSON."""
    if value is None or value == "":
        return None
    if value == SENSITIVE:
        return SENSITIVE
    try:
        return normalize.policy(value)
    except (ValueError, TypeError, AttributeError):
        raise BadValue("a policy document is not valid JSON") from None


def document(value: Any) -> Any:
    """A JSON document (text or object) parsed; raises BadValue on text that is not JSON."""
    if value is None or value == "" or value == SENSITIVE or not isinstance(value, str):
        return None if value == "" else value
    import json

    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        raise BadValue("a JSON document is not valid JSON") from None


# -- the schema reader -------------------------------------------------------------------------


def read_schema(inst: StateInstance, schema: Schema) -> dict[str, Any]:
    """The canonical attributes of a main Terraform type, read as its attribute schema says."""
    out: dict[str, Any] = {}
    for name, attr in schema.items():
        put(out, name, read_attr(inst, name, attr, ()))
    return out


def read_attr(inst: StateInstance, name: str, attr: Attr, base: AttrPath) -> Any:
    """One attribute (below ``base`` for a field of an object) as its kind reads it."""
    from driftctl.types.spec import Kind

    if attr.read is not None:
        return attr.read(inst)
    if attr.kind is Kind.TAGS and not base:
        return inst.tags()
    raw = _first_set(inst, attr.tf or (name,), base)
    if raw is None or raw == SENSITIVE:
        return raw
    if attr.kind is Kind.OBJECT:
        path = _path(attr.tf[0] if attr.tf else name, base)
        if isinstance(raw, list):
            path, raw = (*path, 0), (raw[0] if raw else None)
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise BadValue(f"'{name}' is not an object")
        fields = {f: read_attr(inst, f, sub, path) for f, sub in attr.fields.items()}
        kept = {f: v for f, v in fields.items() if v is not None}
        return kept or None
    if attr.kind is Kind.SET:
        return strings(raw)
    if attr.kind in (Kind.POLICY,):
        return policy(raw)
    if attr.kind is Kind.TAGS:
        return normalize.tags(raw) if isinstance(raw, Mapping) else None
    if attr.kind is Kind.MAP:
        if not isinstance(raw, Mapping):
            raise BadValue(f"'{name}' is not a map")
        return mask_secret_values(raw)
    if attr.kind is Kind.DOCUMENT:
        return document(raw)
    if attr.kind in (Kind.POLICY_MAP, Kind.JSON):
        return raw
    return _scalar(raw, attr)


def _first_set(inst: StateInstance, paths: tuple[str, ...], base: AttrPath) -> Any:
    for dotted in paths:
        value = inst.get(*_path(dotted, base))
        if value is not None and value != "":
            return value
    if paths:
        last = inst.get(*_path(paths[0], base))
        return last
    return None


def _path(dotted: str, base: AttrPath) -> AttrPath:
    steps: list[Step] = [int(p) if p.isdigit() else p for p in dotted.split(".")]
    return (*base, *steps)


def _scalar(raw: Any, attr: Attr) -> Any:
    if attr.type is bool:
        return boolean(raw)
    if attr.type is int:
        return integer(raw)
    if attr.type is float:
        return number(raw)
    if isinstance(raw, Mapping | list):
        raise BadValue(f"expected a single value, got {type(raw).__name__}")
    return text(raw, empty_is_unset=attr.empty_is_unset)
