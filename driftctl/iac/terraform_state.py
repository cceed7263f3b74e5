"""Read Terraform state (format ``version: 4``) into the canonical expected resources.

A state file is turned into *fragments*: one per resource instance, each carrying the canonical
attributes it declares for one expected resource. The resource type registry says which
Terraform types are read and how (``types.spec.TerraformType``): child resources (security-group
rules, S3's split resources, IAM attachments and inline policies) produce fragments keyed by their
parent, so that ``assemble`` can merge everything about one AWS resource, even across several
state files. Terraform types no registered type reads are counted in ``skipped_types``.

Secrets never leave ``iac.instance``: attributes are copied from the attribute schema of their
type only, and any value covered by an instance's ``sensitive_attributes`` or stored under a
secret-looking tag key is replaced by ``resources.SENSITIVE`` before it is copied.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftctl.domain import GLOBAL_REGION
from driftctl.errors import ValidationError
from driftctl.iac.instance import BadValue, Fragment, StateInstance, read_schema
from driftctl.resources import SENSITIVE, ExpectedResource, ResourceKey
from driftctl.types import registry
from driftctl.types.spec import Kind, ResourceSpec, Scope, TerraformType

DEFAULT_MAX_BYTES = 256 * 1024 * 1024

# Every Terraform type some registered resource type reads.
SUPPORTED_TYPES: frozenset[str] = frozenset(registry.terraform_names())


@dataclass
class ParsedState:
    """The fragments read from one state, and the resource types it skipped (instances each)."""

    origin: str
    fragments: list[Fragment] = field(default_factory=list)
    skipped_types: dict[str, int] = field(default_factory=dict)
    # Managed resource instances of every Terraform type, read or skipped.
    instance_count: int = 0
    # What identifies this state across serials, paths and backends: its lineage when it has
    # one ("tfstate:<lineage>"), else its origin; "baseline:<name>" for a baseline.
    identity: str = ""

    @property
    def resources(self) -> list[ExpectedResource]:
        """This state's expected resources, sorted by key."""
        return assemble(self.fragments)


# -- reading and validating ------------------------------------------------------------------


def read_state_file(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, origin: str | None = None
) -> ParsedState:
    """Read and parse one state file; raises ValidationError if it is not a usable v4 state."""
    name = origin or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ValidationError(f"{name}: no such file") from None
    except OSError as exc:
        raise ValidationError(f"{name}: cannot read ({exc.strerror or exc})") from None
    check_size(name, size, max_bytes)
    try:
        with path.open("rb") as handle:
            # A file can grow between stat() and read(): never read more than the limit.
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise ValidationError(f"{name}: is a directory, not a state file") from None
    except OSError as exc:
        raise ValidationError(f"{name}: cannot read ({exc.strerror or exc})") from None
    check_size(name, len(raw), max_bytes)
    return parse_state(raw, name)


def check_size(name: str, size: int, max_bytes: int) -> None:
    """Refuse an empty state or one over ``max_bytes``; raises ValidationError."""
    if size == 0:
        raise ValidationError(f"{name}: the state file is empty")
    if size > max_bytes:
        raise ValidationError(
            f"{name}: the state is {_mib(size)}, over the {_mib(max_bytes)} limit"
        )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def parse_state(raw: bytes | str, origin: str) -> ParsedState:
    """Parse the text of a v4 Terraform state; raises ValidationError naming ``origin``."""
    doc = _load_json(raw, origin)
    _check_format(doc, origin)
    resources = doc.get("resources")
    if resources is None:
        resources = []
    if not isinstance(resources, list):
        raise ValidationError(f"{origin}: 'resources' is not a list: not a valid Terraform state")
    lineage = doc.get("lineage")
    identity = f"tfstate:{lineage}" if isinstance(lineage, str) and lineage else f"tfstate:{origin}"
    parsed = ParsedState(origin=origin, identity=identity)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    check_unicode = bool(_SURROGATE_ESCAPE.search(text))
    for index, resource in enumerate(resources):
        _parse_resource(parsed, resource, index, check_unicode=check_unicode)
    return parsed


def _load_json(raw: bytes | str, origin: str) -> Any:
    if isinstance(raw, bytes):
        if not raw.strip():
            raise ValidationError(f"{origin}: the state file is empty")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(f"{origin}: not UTF-8 text: not a Terraform state") from None
    else:
        text = raw
    if not text.strip():
        raise ValidationError(f"{origin}: the state file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{origin}: invalid JSON at line {exc.lineno} column {exc.colno} "
            f"({exc.msg}); is the file truncated?"
        ) from None
    except RecursionError:
        raise ValidationError(f"{origin}: JSON nested too deeply: not a Terraform state") from None
    except ValueError as exc:
        # Python refuses integers of more than 4,300 digits.
        raise ValidationError(
            f"{origin}: {_first_line(exc)}: not a usable Terraform state"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


# A JSON escape of a UTF-16 surrogate: only worth a closer look when the text has one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _lone_surrogate(value: Any) -> str | None:
    """The first string inside ``value`` that is not valid Unicode (a lone surrogate), if any."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item.encode("utf-8", "backslashreplace").decode()[:80]
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _check_format(doc: Any, origin: str) -> None:
    if not isinstance(doc, dict):
        raise ValidationError(f"{origin}: not a JSON object: not a Terraform state")
    if "format_version" in doc or "values" in doc:
        raise ValidationError(
            f"{origin}: this is 'terraform show -json' output; give the state file itself "
            "(e.g. 'terraform state pull > terraform.tfstate')"
        )
    if "encrypted_data" in doc:
        raise ValidationError(
            f"{origin}: this state is encrypted (OpenTofu state encryption); "
            "give a decrypted copy (e.g. 'tofu state pull > plain.tfstate')"
        )
    version = doc.get("version")
    if version is None:
        raise ValidationError(f"{origin}: no 'version' field: not a Terraform state")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationError(f"{origin}: 'version' is {version!r}: not a Terraform state")
    if version != 4:
        hint = "; upgrade it with Terraform >= 0.12" if version < 4 else ""
        raise ValidationError(
            f"{origin}: Terraform state version {version} is not supported (only version 4){hint}"
        )


def _parse_resource(
    parsed: ParsedState, resource: Any, index: int, *, check_unicode: bool = False
) -> None:
    origin = parsed.origin
    if not isinstance(resource, dict):
        raise ValidationError(f"{origin}: resources[{index}] is not an object")
    if resource.get("mode", "managed") != "managed":
        return  # data sources describe what Terraform read, not what it manages
    rtype = resource.get("type")
    name = resource.get("name")
    instances = resource.get("instances") or []
    if not isinstance(rtype, str) or not isinstance(name, str) or not isinstance(instances, list):
        raise ValidationError(f"{origin}: resources[{index}] lacks a type, name or instances")
    parsed.instance_count += len(instances)
    found = registry.terraform_type(rtype)
    if found is None:
        if instances:
            parsed.skipped_types[rtype] = parsed.skipped_types.get(rtype, 0) + len(instances)
        return
    spec, tf = found
    module = resource.get("module")
    prefix = f"{module}." if isinstance(module, str) and module else ""
    for position, instance in enumerate(instances):
        # Let each instance go once read: a 150,000-instance state is not held twice.
        instances[position] = None
        if not isinstance(instance, dict) or not isinstance(instance.get("attributes"), dict):
            raise ValidationError(
                f"{origin}: {prefix}{rtype}.{name} has an instance without attributes"
            )
        address = f"{prefix}{rtype}.{name}{_index_suffix(instance.get('index_key'))}"
        if check_unicode:
            bad = _lone_surrogate(instance)
            if bad is not None:
                raise ValidationError(f"{origin}: {address}: {bad!r} is not valid Unicode text")
        inst = StateInstance(instance, f"{origin}#{address}")
        try:
            fragment = read_instance(spec, tf, inst)
        except BadValue as exc:
            raise ValidationError(f"{origin}: {address}: {exc}") from None
        except RecursionError:
            raise ValidationError(f"{origin}: {address}: a value is nested too deeply") from None
        except (ValueError, OverflowError, TypeError) as exc:
            # A value a reader cannot convert (a port of NaN or 1e400, a number too long).
            raise ValidationError(
                f"{origin}: {address}: cannot read a value ({_first_line(exc)})"
            ) from None
        if fragment is not None:
            parsed.fragments.append(fragment)


def _index_suffix(index_key: Any) -> str:
    if index_key is None:
        return ""
    if isinstance(index_key, int) and not isinstance(index_key, bool):
        return f"[{index_key}]"
    return f"[{json.dumps(str(index_key))}]"


def read_instance(spec: ResourceSpec, tf: TerraformType, inst: StateInstance) -> Fragment | None:
    """One instance's fragment; None when it names no resource yet (being created) or adds
    nothing. Raises BadValue on a value that cannot be read."""
    resource_id = tf.compose_id(inst.attrs) if tf.compose_id else inst.ident(*tf.id)
    if not resource_id:
        # Without an id nothing can be matched in AWS (an instance still being created).
        return None
    attributes = tf.read(inst) if tf.read is not None else read_schema(inst, spec.schema)
    if attributes is None:
        return None
    _, account_id = inst.arn_parts()
    return Fragment(
        key=ResourceKey(spec.resource_type, spec.canonical_id(resource_id)),
        attributes=attributes,
        source=inst.source,
        region=GLOBAL_REGION if spec.scope is Scope.GLOBAL else inst.region(),
        account_id=account_id if tf.account_from_arn else None,
        primary=not tf.parent,
        overrides=tf.overrides,
    )


# -- merging fragments -----------------------------------------------------------------------


def assemble(fragments: Iterable[Fragment], *, copy_values: bool = True) -> list[ExpectedResource]:
    """Merge fragments into one expected resource per key, sorted by key.

    Sets (rules, attachments) add up, and so do policy maps (inline policies); a separate S3
    resource's value replaces the bucket's inline one; otherwise the first state that sets an
    attribute wins. A resource declared in two states lists both sources. ``copy_values`` off
    shares values with the fragments (for a caller that drops them: half the memory).
    """
    groups: dict[ResourceKey, list[Fragment]] = {}
    for frag in fragments:
        groups.setdefault(frag.key, []).append(frag)
    return [_merge(key, groups[key], copy_values) for key in sorted(groups)]


def _merge(key: ResourceKey, frags: list[Fragment], copy_values: bool = True) -> ExpectedResource:
    ordered = sorted(frags, key=lambda f: f.overrides)  # stable: inline first, overrides last
    spec = registry.get(key.resource_type)
    schema = spec.schema if spec is not None else {}
    attributes: dict[str, Any] = {}
    for frag in ordered:
        for name, value in frag.attributes.items():
            if name not in attributes:
                # A copy: the fragments stay untouched when a caller edits the result.
                attributes[name] = copy.deepcopy(value) if copy_values else value
            elif attributes[name] == SENSITIVE or value == SENSITIVE:
                attributes[name] = SENSITIVE
            elif name in schema and schema[name].kind is Kind.SET:
                attributes[name] = sorted({*attributes[name], *value})
            elif name in schema and schema[name].kind in (Kind.POLICY_MAP, Kind.MAP):
                # One split resource per entry (an S3 bucket's inventories): all of them count.
                attributes[name] = {**attributes[name], **value}
            elif frag.overrides:
                attributes[name] = value
    primaries = [f for f in frags if f.primary] or frags
    sources = list(dict.fromkeys(f.source for f in primaries))
    return ExpectedResource(
        resource_type=key.resource_type,
        resource_id=key.resource_id,
        attributes=attributes,
        region=next((f.region for f in primaries if f.region), None)
        or next((f.region for f in frags if f.region), None),
        account_id=next((f.account_id for f in primaries if f.account_id), None)
        or next((f.account_id for f in frags if f.account_id), None),
        sources=sources,
    )


def fragments_of(resource: ExpectedResource, origin: str) -> list[Fragment]:
    """A resource read elsewhere (a baseline) as fragments, so it merges like a state's."""
    return [
        Fragment(
            key=resource.key,
            attributes=dict(resource.attributes),
            source=source,
            region=resource.region,
            account_id=resource.account_id,
        )
        for source in resource.sources or [origin]
    ]
