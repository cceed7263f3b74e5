"""Read Terraform state (format ``version: 4``) into the canonical expected resources.

A state file is turned into *fragments*: one per resource instance, each carrying the canonical
attributes it declares for one expected resource. Child resources (security-group rules, S3's
split resources, IAM attachments and inline policies) produce fragments keyed by their parent, so
that ``assemble`` can merge everything about one AWS resource, even across several state files.

Secrets never leave this module: attributes are copied from an allow-list of canonical fields
only, and any value covered by an instance's ``sensitive_attributes`` or stored under a
secret-looking tag key is replaced by ``resources.SENSITIVE`` before it is copied.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftctl import normalize
from driftctl.domain import GLOBAL_REGION, ResourceType
from driftctl.errors import ValidationError
from driftctl.resources import SENSITIVE, ExpectedResource, ResourceKey

DEFAULT_MAX_BYTES = 256 * 1024 * 1024

SECRET_NAME_PARTS = ("password", "secret", "token", "private_key", "access_key", "credentials")

Step = str | int
AttrPath = tuple[Step, ...]


def looks_secret(name: str) -> bool:
    """True when a key name suggests its value is a secret (``db_password``, ``ApiToken``...)."""
    lowered = name.lower()
    return any(part in lowered for part in SECRET_NAME_PARTS)


@dataclass
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


@dataclass
class ParsedState:
    """The fragments read from one state, and the resource types it skipped (instances each)."""

    origin: str
    fragments: list[Fragment] = field(default_factory=list)
    skipped_types: dict[str, int] = field(default_factory=dict)

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
    parsed = ParsedState(origin=origin)
    for index, resource in enumerate(resources):
        _parse_resource(parsed, resource, index)
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


def _parse_resource(parsed: ParsedState, resource: Any, index: int) -> None:
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
    reader = _READERS.get(rtype)
    if reader is None:
        if instances:
            parsed.skipped_types[rtype] = parsed.skipped_types.get(rtype, 0) + len(instances)
        return
    module = resource.get("module")
    prefix = f"{module}." if isinstance(module, str) and module else ""
    for instance in instances:
        if not isinstance(instance, dict) or not isinstance(instance.get("attributes"), dict):
            raise ValidationError(
                f"{origin}: {prefix}{rtype}.{name} has an instance without attributes"
            )
        address = f"{prefix}{rtype}.{name}{_index_suffix(instance.get('index_key'))}"
        inst = _Instance(instance, f"{origin}#{address}")
        try:
            parsed.fragments.extend(reader(inst))
        except _BadValue as exc:
            raise ValidationError(f"{origin}: {address}: {exc}") from None


def _index_suffix(index_key: Any) -> str:
    if index_key is None:
        return ""
    if isinstance(index_key, int) and not isinstance(index_key, bool):
        return f"[{index_key}]"
    return f"[{json.dumps(str(index_key))}]"


# -- one instance, with its sensitive paths ---------------------------------------------------


class _BadValue(Exception):
    """A value in the state cannot be read (e.g. a policy that is not JSON)."""


class _Instance:
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
            raise _BadValue(f"'{attr}' is not a map")
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


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _text(value: Any, *, empty_is_unset: bool = False) -> str | None:
    if value is None or (empty_is_unset and value == ""):
        return None
    return str(value)


def _bool(value: Any) -> Any:
    if value is None or value == SENSITIVE:
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _int(value: Any) -> Any:
    if value is None or value == SENSITIVE:
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _BadValue(f"expected a number, got {value!r}") from None


def _strings(value: Any) -> Any:
    if value is None or value == SENSITIVE:
        return value
    if not isinstance(value, list):
        raise _BadValue(f"expected a list, got {type(value).__name__}")
    return sorted({str(v) for v in value if v not in (None, "")})


def _policy(value: Any) -> Any:
    if value is None or value == "":
        return None
    if value == SENSITIVE:
        return SENSITIVE
    try:
        return normalize.policy(value)
    except (ValueError, TypeError, AttributeError):
        raise _BadValue("a policy document is not valid JSON") from None


def _fragment(
    inst: _Instance,
    rtype: ResourceType,
    resource_id: str | None,
    attributes: dict[str, Any],
    *,
    primary: bool = True,
    overrides: bool = False,
    region: str | None = None,
) -> list[Fragment]:
    if not resource_id:
        # Without an id nothing can be matched in AWS (an instance still being created).
        return []
    _, account_id = inst.arn_parts()
    return [
        Fragment(
            key=ResourceKey(rtype.value, resource_id),
            attributes=attributes,
            source=inst.source,
            region=region or inst.region(),
            account_id=account_id,
            primary=primary,
            overrides=overrides,
        )
    ]


# -- per-type readers ------------------------------------------------------------------------


def _ec2(inst: _Instance) -> list[Fragment]:
    out: dict[str, Any] = {}
    _put(out, "instance_type", _text(inst.get("instance_type"), empty_is_unset=True))
    _put(out, "ami", _text(inst.get("ami"), empty_is_unset=True))
    _put(out, "subnet_id", _text(inst.get("subnet_id"), empty_is_unset=True))
    _put(out, "vpc_security_group_ids", _strings(inst.get("vpc_security_group_ids")))
    profile = _text(inst.get("iam_instance_profile"), empty_is_unset=True)
    if profile and profile != SENSITIVE:
        profile = profile.rsplit("/", 1)[-1]  # an ARN was given: AWS reports the name
    _put(out, "iam_instance_profile", profile)
    _put(out, "monitoring", _bool(inst.get("monitoring")))
    _put(out, "ebs_optimized", _bool(inst.get("ebs_optimized")))
    tokens = inst.get("metadata_options", 0, "http_tokens")
    if tokens is not None:
        out["metadata_options"] = SENSITIVE if tokens == SENSITIVE else {"http_tokens": tokens}
    _put(out, "tags", inst.tags())
    return _fragment(inst, ResourceType.EC2, inst.ident("id"), out)


def _rules_from_blocks(inst: _Instance, direction: str, group_id: str) -> Any:
    blocks = inst.get(direction)
    if blocks is None or blocks == SENSITIVE:
        return blocks
    if not isinstance(blocks, list):
        raise _BadValue(f"'{direction}' is not a list")
    keys: set[str] = set()
    for block in blocks:
        if not isinstance(block, Mapping):
            raise _BadValue(f"'{direction}' holds a rule that is not an object")
        keys.update(
            normalize.rule_keys(
                block.get("protocol"),
                block.get("from_port"),
                block.get("to_port"),
                cidr_blocks=block.get("cidr_blocks") or (),
                ipv6_cidr_blocks=block.get("ipv6_cidr_blocks") or (),
                prefix_list_ids=block.get("prefix_list_ids") or (),
                security_groups=block.get("security_groups") or (),
                self_group_id=group_id if block.get("self") else None,
            )
        )
    return sorted(keys)


def _security_group(inst: _Instance) -> list[Fragment]:
    group_id = inst.ident("id")
    if not isinstance(group_id, str):
        return []
    out: dict[str, Any] = {}
    _put(out, "name", _text(inst.get("name")))
    _put(out, "description", _text(inst.get("description")))
    _put(out, "vpc_id", _text(inst.get("vpc_id"), empty_is_unset=True))
    _put(out, "ingress", _rules_from_blocks(inst, "ingress", group_id))
    _put(out, "egress", _rules_from_blocks(inst, "egress", group_id))
    _put(out, "tags", inst.tags())
    return _fragment(inst, ResourceType.SECURITY_GROUP, group_id, out)


def _security_group_rule(inst: _Instance) -> list[Fragment]:
    direction = inst.get("type")
    if direction not in ("ingress", "egress"):
        raise _BadValue(f"rule type {direction!r} is neither ingress nor egress")
    group_id = inst.ident("security_group_id")
    peers = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "source_security_group_id")
    if any(inst.is_sensitive(p) for p in (*peers, "protocol", "from_port", "to_port")):
        keys: list[str] | str = SENSITIVE
    else:
        source = inst.get("source_security_group_id")
        keys = normalize.rule_keys(
            inst.get("protocol"),
            inst.get("from_port"),
            inst.get("to_port"),
            cidr_blocks=inst.get("cidr_blocks") or (),
            ipv6_cidr_blocks=inst.get("ipv6_cidr_blocks") or (),
            prefix_list_ids=inst.get("prefix_list_ids") or (),
            security_groups=[source] if source else (),
            self_group_id=group_id if inst.get("self") and isinstance(group_id, str) else None,
        )
    return _fragment(
        inst, ResourceType.SECURITY_GROUP, group_id, {str(direction): keys}, primary=False
    )


_VPC_RULE_FIELDS = (
    "ip_protocol",
    "from_port",
    "to_port",
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
)


def _vpc_security_group_rule(direction: str) -> Callable[[_Instance], list[Fragment]]:
    def read(inst: _Instance) -> list[Fragment]:
        fields = _VPC_RULE_FIELDS
        if any(inst.is_sensitive(f) for f in fields):
            keys: list[str] | str = SENSITIVE
        else:
            keys = normalize.rule_keys(
                inst.get("ip_protocol"),
                inst.get("from_port"),
                inst.get("to_port"),
                cidr_blocks=[inst.get("cidr_ipv4") or ""],
                ipv6_cidr_blocks=[inst.get("cidr_ipv6") or ""],
                prefix_list_ids=[inst.get("prefix_list_id") or ""],
                security_groups=[inst.get("referenced_security_group_id") or ""],
            )
        return _fragment(
            inst,
            ResourceType.SECURITY_GROUP,
            inst.ident("security_group_id"),
            {direction: keys},
            primary=False,
        )

    return read


def _sse(inst: _Instance, *path: Step) -> Any:
    default = inst.get(*path, "rule", 0, "apply_server_side_encryption_by_default", 0)
    if default is None or default == SENSITIVE or not isinstance(default, Mapping):
        return default if default == SENSITIVE else None
    algorithm = default.get("sse_algorithm")
    if not algorithm:
        return None
    return {
        "sse_algorithm": str(algorithm),
        "kms_master_key_id": _text(default.get("kms_master_key_id"), empty_is_unset=True),
    }


def _s3_bucket(inst: _Instance) -> list[Fragment]:
    out: dict[str, Any] = {}
    enabled = inst.get("versioning", 0, "enabled")
    if enabled == SENSITIVE:
        out["versioning"] = SENSITIVE
    elif enabled is not None:
        out["versioning"] = "Enabled" if _bool(enabled) else "Disabled"
    _put(out, "server_side_encryption", _sse(inst, "server_side_encryption_configuration", 0))
    _put(out, "policy", _policy(inst.get("policy")))
    _put(out, "tags", inst.tags())
    return _fragment(inst, ResourceType.S3, inst.ident("bucket", "id"), out)


def _s3_split(read: Callable[[_Instance], dict[str, Any]]) -> Callable[[_Instance], list[Fragment]]:
    def wrapped(inst: _Instance) -> list[Fragment]:
        return _fragment(
            inst, ResourceType.S3, inst.ident("bucket"), read(inst), primary=False, overrides=True
        )

    return wrapped


def _s3_versioning(inst: _Instance) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "versioning", _text(inst.get("versioning_configuration", 0, "status")))
    return out


def _s3_encryption(inst: _Instance) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "server_side_encryption", _sse(inst))
    return out


_PUBLIC_ACCESS_BLOCK_FIELDS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def _s3_public_access_block(inst: _Instance) -> dict[str, Any]:
    block = {n: _bool(inst.get(n)) for n in _PUBLIC_ACCESS_BLOCK_FIELDS}
    return {"public_access_block": {n: v for n, v in block.items() if v is not None}}


def _s3_policy(inst: _Instance) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "policy", _policy(inst.get("policy")))
    return out


def _db_instance(inst: _Instance) -> list[Fragment]:
    out: dict[str, Any] = {}
    _put(out, "instance_class", _text(inst.get("instance_class")))
    _put(out, "engine", _text(inst.get("engine")))
    # Provider 4+ keeps the configured version ("15") apart from the running one ("15.4"); AWS
    # reports the running one.
    version = inst.get("engine_version_actual") or inst.get("engine_version")
    _put(out, "engine_version", _text(version, empty_is_unset=True))
    _put(out, "allocated_storage", _int(inst.get("allocated_storage")))
    for name in ("multi_az", "publicly_accessible", "storage_encrypted", "deletion_protection"):
        _put(out, name, _bool(inst.get(name)))
    _put(out, "backup_retention_period", _int(inst.get("backup_retention_period")))
    _put(out, "tags", inst.tags())
    return _fragment(inst, ResourceType.RDS, inst.ident("identifier", "id"), out)


def _iam_role(inst: _Instance) -> list[Fragment]:
    out: dict[str, Any] = {}
    _put(out, "assume_role_policy", _policy(inst.get("assume_role_policy")))
    _put(out, "managed_policy_arns", _strings(inst.get("managed_policy_arns")))
    blocks = inst.get("inline_policy")
    if blocks == SENSITIVE:
        out["inline_policies"] = SENSITIVE
    elif isinstance(blocks, list):
        # The provider records "no inline policy" as one block with an empty name.
        out["inline_policies"] = {
            str(b["name"]): _policy(b.get("policy"))
            for b in blocks
            if isinstance(b, Mapping) and b.get("name")
        }
    _put(out, "max_session_duration", _int(inst.get("max_session_duration")))
    _put(out, "path", _text(inst.get("path")))
    _put(out, "description", _text(inst.get("description"), empty_is_unset=True))
    _put(out, "tags", inst.tags())
    return _fragment(
        inst, ResourceType.IAM_ROLE, inst.ident("name", "id"), out, region=GLOBAL_REGION
    )


def _iam_role_policy_attachment(inst: _Instance) -> list[Fragment]:
    arn = inst.get("policy_arn")
    attrs = {"managed_policy_arns": SENSITIVE if arn == SENSITIVE else _strings([arn])}
    return _iam_child(inst, attrs)


def _iam_role_policy(inst: _Instance) -> list[Fragment]:
    name = inst.get("name")
    if not isinstance(name, str) or not name:
        role_and_name = inst.ident("id") or ""
        name = role_and_name.split(":", 1)[1] if ":" in role_and_name else None
    if name is None:
        return []
    if name == SENSITIVE:
        return _iam_child(inst, {"inline_policies": SENSITIVE})
    return _iam_child(inst, {"inline_policies": {name: _policy(inst.get("policy"))}})


def _iam_child(inst: _Instance, attrs: dict[str, Any]) -> list[Fragment]:
    role = inst.ident("role")
    if isinstance(role, str) and role.startswith("arn:"):
        role = role.rsplit("/", 1)[-1]
    frags = _fragment(inst, ResourceType.IAM_ROLE, role, attrs, primary=False, region=GLOBAL_REGION)
    for frag in frags:
        frag.account_id = None  # the policy's ARN may belong to "aws", not to the role's account
    return frags


_READERS: dict[str, Callable[[_Instance], list[Fragment]]] = {
    "aws_instance": _ec2,
    "aws_security_group": _security_group,
    "aws_default_security_group": _security_group,
    "aws_security_group_rule": _security_group_rule,
    "aws_vpc_security_group_ingress_rule": _vpc_security_group_rule("ingress"),
    "aws_vpc_security_group_egress_rule": _vpc_security_group_rule("egress"),
    "aws_s3_bucket": _s3_bucket,
    "aws_s3_bucket_versioning": _s3_split(_s3_versioning),
    "aws_s3_bucket_server_side_encryption_configuration": _s3_split(_s3_encryption),
    "aws_s3_bucket_public_access_block": _s3_split(_s3_public_access_block),
    "aws_s3_bucket_policy": _s3_split(_s3_policy),
    "aws_db_instance": _db_instance,
    "aws_iam_role": _iam_role,
    "aws_iam_role_policy_attachment": _iam_role_policy_attachment,
    "aws_iam_role_policy": _iam_role_policy,
}

SUPPORTED_TYPES: frozenset[str] = frozenset(_READERS)

# Attributes that several fragments add to rather than replace.
_SET_ATTRIBUTES = {"ingress", "egress", "managed_policy_arns"}
_MAP_ATTRIBUTES = {"inline_policies"}


# -- merging fragments -----------------------------------------------------------------------


def assemble(fragments: Iterable[Fragment]) -> list[ExpectedResource]:
    """Merge fragments into one expected resource per key, sorted by key.

    Rules and attachments add up; a separate S3 resource's value replaces the bucket's inline
    one; otherwise the first state that sets an attribute wins. A resource declared in two states
    lists both sources.
    """
    groups: dict[ResourceKey, list[Fragment]] = {}
    for frag in fragments:
        groups.setdefault(frag.key, []).append(frag)
    return [_merge(key, groups[key]) for key in sorted(groups)]


def _merge(key: ResourceKey, frags: list[Fragment]) -> ExpectedResource:
    ordered = sorted(frags, key=lambda f: f.overrides)  # stable: inline first, overrides last
    attributes: dict[str, Any] = {}
    for frag in ordered:
        for name, value in frag.attributes.items():
            if name not in attributes:
                # A copy: the fragments stay untouched when a caller edits the result.
                attributes[name] = copy.deepcopy(value)
            elif attributes[name] == SENSITIVE or value == SENSITIVE:
                attributes[name] = SENSITIVE
            elif name in _SET_ATTRIBUTES:
                attributes[name] = sorted({*attributes[name], *value})
            elif name in _MAP_ATTRIBUTES:
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
