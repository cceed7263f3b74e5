"""Conditions of default severity rules, and the exposure checks behind them.

A type module's ``rules`` pair a difference path with one of these conditions (see
``types.spec.Rule``); its ``risky`` check for unmanaged resources uses the exposure checks. Each
condition takes the difference entry and the finding it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftctl.diff.findings import DiffEntry, Finding
    from driftctl.types.spec import Condition

ANY = "*"
WORLD = ("0.0.0.0/0", "::/0")
_ADMIN_POLICY_SUFFIX = "AdministratorAccess"


# -- conditions --------------------------------------------------------------------------------


def always(_entry: DiffEntry, _finding: Finding) -> bool:
    """Every matching entry."""
    return True


def removed(entry: DiffEntry, _finding: Finding) -> bool:
    """The value IaC sets is gone from AWS."""
    return entry.get("change") == "removed"


def turned_on(entry: DiffEntry, _finding: Finding) -> bool:
    """A flag IaC has off (or unset) is on in AWS."""
    return truthy(entry.get("actual")) and not truthy(entry.get("expected"))


def turned_off(entry: DiffEntry, _finding: Finding) -> bool:
    """A flag IaC has on is off (or gone) in AWS."""
    return truthy(entry.get("expected")) and not truthy(entry.get("actual"))


def removed_or_turned_off(entry: DiffEntry, finding: Finding) -> bool:
    """The setting is gone, or a flag IaC has on is off."""
    return removed(entry, finding) or turned_off(entry, finding)


def no_longer(value: Any) -> Condition:
    """IaC says ``value`` and AWS says something else."""

    def condition(entry: DiffEntry, _finding: Finding) -> bool:
        return str(entry.get("expected")) == str(value) and str(entry.get("actual")) != str(value)

    condition.__doc__ = f"IaC says {value!r} and AWS no longer does."
    return condition


def became_public(entry: DiffEntry, _finding: Finding) -> bool:
    """A policy that did not grant ``Principal: *`` now does."""
    return grants_public(entry.get("actual")) and not grants_public(entry.get("expected"))


def admin_policy(entry: DiffEntry, _finding: Finding) -> bool:
    """The value is an AdministratorAccess managed policy ARN."""
    return is_admin_policy_arn(entry.get("actual"))


def gained_admin(entry: DiffEntry, _finding: Finding) -> bool:
    """A policy that did not allow ``*`` on ``*`` now does."""
    return allows_admin(entry.get("actual")) and not allows_admin(entry.get("expected"))


def world_open_beyond_iac(attribute: str) -> Condition:
    """An added rule key opens a port to the internet that IaC's ``attribute`` rules do not."""

    def condition(entry: DiffEntry, finding: Finding) -> bool:
        actual = entry.get("actual")
        if not isinstance(actual, str) or not is_world_open(actual):
            return False
        allowed = (finding.expected_state or {}).get(attribute) or []
        return not covered_by(actual, allowed)

    condition.__doc__ = f"An added {attribute} rule is open to the internet beyond what IaC allows."
    return condition


# -- exposure checks -----------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    """True for ``True`` and ``"true"``; everything else (None included) is false."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def is_world_open(rule_key: str) -> bool:
    """Whether a rule key (``proto:ports:peer``) lets in the whole IPv4 or IPv6 internet."""
    return rule_key.endswith(tuple(f":{w}" for w in WORLD))


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


def covered_by(rule_key: str, allowed: Iterable[Any]) -> bool:
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


def grants_public(policy: Any, *, unconditionally: bool = False) -> bool:
    """Whether a policy has an Allow statement for ``Principal: "*"`` (or ``{"AWS": "*"}``);
    with ``unconditionally``, only one without a ``Condition`` counts (anyone, in any account)."""
    for st in _statements(policy):
        if st.get("Effect") != "Allow" or (unconditionally and st.get("Condition")):
            continue
        principal = st.get("Principal")
        if ANY in _as_list(principal):
            return True
        if isinstance(principal, Mapping) and ANY in _as_list(principal.get("AWS")):
            return True
    return False


def grants_public_unconditionally(policy: Any) -> bool:
    """Whether a policy allows ``Principal: *`` in a statement without a ``Condition``."""
    return grants_public(policy, unconditionally=True)


def became_public_unconditionally(entry: DiffEntry, _finding: Finding) -> bool:
    """A policy that did not grant ``Principal: *`` without a condition now does."""
    return grants_public_unconditionally(entry.get("actual")) and not (
        grants_public_unconditionally(entry.get("expected"))
    )


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
