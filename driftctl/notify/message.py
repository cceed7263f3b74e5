"""What every channel sends: one Notification, and the DeliveryError a failed send raises.

A Notification is self-contained (no database access while sending), so the outbox can store
``Notification.to_payload()`` as JSON and rebuild it with ``Notification.from_payload()`` for
each retry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, cast

from driftctl.domain import AlertType, Severity
from driftctl.errors import ValidationError

Event = Literal["trigger", "resolve"]

DIFF_LINE_LIMIT = 20
_VALUE_LIMIT = 200
# C0/C1 control characters (ESC starts terminal sequences) except tab and newline.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class DriftInfo(TypedDict):
    """The drift an alert is about, as channels show it."""

    id: str
    resource_type: str
    resource_id: str
    region: str
    account_id: str | None
    drift_type: str
    status: str
    # attribute path -> {"change": "added"|"removed"|"changed", "expected": …, "actual": …}
    difference: dict[str, Any]
    # Stable per open drift; PagerDuty's dedup_key, so trigger and resolve pair up.
    fingerprint: str


_DRIFT_KEYS = tuple(DriftInfo.__annotations__)


@dataclass(frozen=True)
class Notification:
    """One alert, ready to be delivered to one channel."""

    alert_id: str
    alert_type: AlertType
    severity: Severity
    title: str
    message: str
    drift: DriftInfo
    event: Event = "trigger"
    # A digest stands for this many alerts (its message lists them); 0 for a single alert.
    digest_total: int = 0

    def __post_init__(self) -> None:
        # Accept plain strings (e.g. from JSON) and fail early on unknown values.
        try:
            object.__setattr__(self, "alert_type", AlertType(self.alert_type))
            object.__setattr__(self, "severity", Severity(self.severity))
        except ValueError as exc:
            raise ValidationError(f"invalid notification: {exc}") from None
        if self.event not in ("trigger", "resolve"):
            raise ValidationError(f"invalid notification event {self.event!r}")

    def to_payload(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict that from_payload turns back into this object."""
        return {
            "alert_id": self.alert_id,
            "alert_type": self.alert_type.value,
            "severity": self.severity.value,
            "title": self.title,
            "message": self.message,
            "drift": dict(self.drift),
            "event": self.event,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Notification:
        """Rebuild a Notification from to_payload's dict; raises ValidationError if malformed."""
        try:
            drift = data["drift"]
            missing = [k for k in _DRIFT_KEYS if k not in drift]
            if missing:
                raise ValidationError(f"invalid notification: drift lacks {', '.join(missing)}")
            return cls(
                alert_id=str(data["alert_id"]),
                alert_type=data["alert_type"],
                severity=data["severity"],
                title=str(data["title"]),
                message=str(data["message"]),
                drift=cast(DriftInfo, {k: drift[k] for k in _DRIFT_KEYS}),
                event=data.get("event", "trigger"),
            )
        except (KeyError, TypeError) as exc:
            raise ValidationError(f"invalid notification: missing or bad field {exc}") from None


class DeliveryError(Exception):
    """A channel could not deliver a notification.

    ``permanent`` is False when retrying later may succeed (timeout, refused connection, HTTP
    429 or 5xx, SMTP 4xx) and True when it will not without a configuration change (other
    HTTP 4xx, SMTP 5xx, authentication failure, bad URL). The message never contains a secret.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        channel: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.channel = channel
        self.status = status
        # Seconds the service asked us to wait (its Retry-After header), when it said.
        self.retry_after = retry_after


def is_permanent_http_status(status: int) -> bool:
    """Tell whether an HTTP error status means "do not retry" (4xx except 429)."""
    return status != 429 and not 500 <= status <= 599


def clean(text: str) -> str:
    """Replace control characters (terminal escapes, NULs) in AWS-originated text."""
    return _CONTROL_RE.sub("\ufffd", text)


def format_value(value: Any) -> str:
    """Render one expected/actual value on a single line, shortened when long."""
    if value is None:
        text = "(absent)"
    elif isinstance(value, str):
        text = value if value else '""'
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    text = clean(text).replace("\n", " ")
    if len(text) > _VALUE_LIMIT:
        text = text[: _VALUE_LIMIT - 1] + "…"
    return text


@dataclass(frozen=True)
class DiffEntry:
    """One changed attribute, with both values rendered on one line each."""

    path: str
    expected: str
    actual: str

    @property
    def line(self) -> str:
        """``path: expected → actual``."""
        return f"{self.path}: {self.expected} → {self.actual}"


@dataclass(frozen=True)
class DiffLines:
    """The first differences of a drift, sorted by path, and how many were left out."""

    entries: list[DiffEntry] = field(default_factory=list)
    omitted: int = 0

    @property
    def lines(self) -> list[str]:
        """The entries as ``path: expected → actual`` lines."""
        return [entry.line for entry in self.entries]


def difference_lines(difference: dict[str, Any], *, limit: int = DIFF_LINE_LIMIT) -> DiffLines:
    """Render a drift's difference as sorted entries, at most LIMIT of them."""
    entries: list[DiffEntry] = []
    for path in sorted(difference)[:limit]:
        entry = difference[path]
        if isinstance(entry, dict):
            expected, actual = entry.get("expected"), entry.get("actual")
        else:
            expected, actual = None, entry
        entries.append(DiffEntry(clean(str(path)), format_value(expected), format_value(actual)))
    return DiffLines(entries=entries, omitted=max(0, len(difference) - limit))


def approval_commands(note: Notification) -> list[str]:
    """Return the driftctl commands a reader can run next for this alert's drift."""
    if note.digest_total:
        return ["driftctl alerts --unread", "driftctl list"]
    drift_id = note.drift["id"]
    commands = [f"driftctl show {drift_id}"]
    if note.event == "trigger" and note.drift["status"] in ("detected", "triaged"):
        commands += [
            f'driftctl approve {drift_id} --reason "…"',
            f'driftctl reject {drift_id} --reason "…"',
        ]
    return commands
