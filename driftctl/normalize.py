"""Canonical forms used by both the IaC readers and the AWS scanner (see ``resources``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

_LIST_KEYS = {"Action", "NotAction", "Resource", "NotResource"}


def _sorted_unique(values: Iterable[Any]) -> list[Any]:
    out = {json.dumps(v, sort_keys=True): v for v in values}
    return [out[k] for k in sorted(out)]


def _norm_value(key: str | None, value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _norm_value(k, v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_norm_value(None, v) for v in value]
        if len(items) == 1 and key not in _LIST_KEYS and not isinstance(items[0], dict):
            return items[0]
        return _sorted_unique(items)
    if key in _LIST_KEYS and isinstance(value, str):
        return [value]
    return value


def policy(document: str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Parse and normalise an IAM/bucket policy so semantically equal documents compare equal.

    Statement order, one-element lists versus scalars, key order and URL-encoding are ignored;
    ``Version`` defaults to 2008-10-17 as AWS does when it is absent. Raises ValueError on text
    that is not JSON.
    """
    if document is None or document == "":
        return None
    if isinstance(document, str):
        from urllib.parse import unquote

        text = document.strip()
        if text.startswith("%7B"):
            text = unquote(text)
        doc: Any = json.loads(text)
    else:
        doc = dict(document)
    if not isinstance(doc, dict):
        raise ValueError("a policy document must be a JSON object")
    statements = doc.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    norm_statements = []
    for st in statements:
        st = {k: _norm_value(k, v) for k, v in sorted(dict(st).items()) if k != "Sid" or v}
        principal = st.get("Principal")
        if isinstance(principal, dict):
            st["Principal"] = {k: _as_list(v) for k, v in sorted(principal.items())}
        norm_statements.append(st)
    out: dict[str, Any] = {k: v for k, v in doc.items() if k not in ("Statement", "Version")}
    out["Version"] = doc.get("Version", "2008-10-17")
    out["Statement"] = _sorted_unique(norm_statements)
    return out


def _as_list(value: Any) -> list[Any]:
    return sorted(value) if isinstance(value, list) else [value]


def tags(value: Any) -> dict[str, str]:
    """Tags as a plain map, from a map or from AWS's ``[{"Key": …, "Value": …}]`` list.

    The value of a secret-looking key (``DbPassword``, ``api_token``) is SENSITIVE, on both
    sides of a comparison, so it is never stored, logged or printed.
    """
    from driftctl.resources import SENSITIVE, looks_secret

    if not value:
        return {}
    if isinstance(value, Mapping):
        pairs = [(str(k), "" if v is None else str(v)) for k, v in value.items()]
    else:
        pairs = [(str(t["Key"]), str(t.get("Value", ""))) for t in value]
    return {k: SENSITIVE if looks_secret(k) else v for k, v in pairs}


def _protocol(value: Any) -> str:
    p = str(value).lower()
    return {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(p, p)


def _ports(protocol: str, from_port: Any, to_port: Any) -> str:
    if protocol == "all":
        return "all"
    lo = -1 if from_port is None else int(from_port)
    hi = -1 if to_port is None else int(to_port)
    if protocol in ("tcp", "udp") and lo in (0, -1) and hi in (65535, -1):
        return "all" if (lo, hi) != (0, 0) else "0"
    return str(lo) if lo == hi else f"{lo}-{hi}"


def rule_key(protocol: Any, from_port: Any, to_port: Any, peer: str) -> str:
    """One security-group rule as ``proto:ports:peer``, e.g. ``tcp:22:0.0.0.0/0``."""
    proto = _protocol(protocol)
    return f"{proto}:{_ports(proto, from_port, to_port)}:{peer}"


def rule_keys(
    protocol: Any,
    from_port: Any,
    to_port: Any,
    *,
    cidr_blocks: Iterable[str] = (),
    ipv6_cidr_blocks: Iterable[str] = (),
    prefix_list_ids: Iterable[str] = (),
    security_groups: Iterable[str] = (),
    self_group_id: str | None = None,
) -> list[str]:
    """Expand one rule with several peers into one key per peer (the unit drift is judged on).

    ``self_group_id`` is the group's own id when the rule has ``self = true``.
    """
    peers = [*cidr_blocks, *ipv6_cidr_blocks, *prefix_list_ids, *security_groups]
    if self_group_id:
        peers.append(self_group_id)
    return sorted({rule_key(protocol, from_port, to_port, p) for p in peers if p})
