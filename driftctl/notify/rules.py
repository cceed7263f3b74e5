"""The ``[alerts]`` table of driftctl.toml: when alerts are raised and how they are delivered.

Light on purpose (no database imports): ``config.load_settings`` validates it at load.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from driftctl.domain import Severity
from driftctl.errors import ValidationError

_AGE_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class AlertRules:
    """The ``[alerts]`` table of driftctl.toml."""

    min_severity: Severity = Severity.CRITICAL
    approval_after: timedelta = timedelta(hours=24)
    max_attempts: int = 10
    send_timeout: float = 10.0
    # A channel that would get more alerts than this from one scan gets one digest (0: never).
    digest_threshold: int = 10
    # How many alerts a digest lists by name (the rest are counted).
    digest_top: int = 10

    def wants(self, severity: Severity | str) -> bool:
        """Whether a new or reopened drift of SEVERITY raises a drift_detected alert."""
        return Severity(severity).rank >= self.min_severity.rank


def parse_age(value: object, *, setting: str) -> timedelta:
    """``30m``, ``24h``, ``7d``, ``2w`` (or a number of seconds) -> timedelta; ValidationError."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=float(value))
    match = _AGE_RE.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) <= 0:
        raise ValidationError(f"invalid {setting}: use an age like 30m, 24h or 7d")
    return timedelta(**{_AGE_UNITS[match.group(2)]: int(match.group(1))})


def alert_rules(data: Mapping[str, Any]) -> AlertRules:
    """Read the ``[alerts]`` table; raises ValidationError naming the first bad or unknown key."""
    known = {
        "min_severity",
        "approval_after",
        "max_attempts",
        "send_timeout",
        "digest_threshold",
        "digest_top",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"; did you mean alerts.{close[0]}?" if close else ""
        raise ValidationError(
            f"invalid configuration: alerts.{unknown[0]}: unknown setting{hint} "
            f"(known: {', '.join(sorted(known))})"
        )
    rules = AlertRules()
    try:
        min_severity = Severity(data.get("min_severity", rules.min_severity.value))
    except ValueError:
        raise ValidationError(
            "invalid configuration: alerts.min_severity: use critical, warning or info"
        ) from None
    approval_after = rules.approval_after
    if "approval_after" in data:
        approval_after = parse_age(data["approval_after"], setting="alerts.approval_after")
    max_attempts = data.get("max_attempts", rules.max_attempts)
    if not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or max_attempts < 1:
        raise ValidationError("invalid configuration: alerts.max_attempts: a whole number >= 1")
    timeout = data.get("send_timeout", rules.send_timeout)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 300:
        raise ValidationError("invalid configuration: alerts.send_timeout: seconds, 0 < x <= 300")
    counts = {}
    for key, low in (("digest_threshold", 0), ("digest_top", 1)):
        value = data.get(key, getattr(rules, key))
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValidationError(f"invalid configuration: alerts.{key}: a whole number >= {low}")
        counts[key] = value
    return AlertRules(
        min_severity,
        approval_after,
        max_attempts,
        float(timeout),
        counts["digest_threshold"],
        counts["digest_top"],
    )
