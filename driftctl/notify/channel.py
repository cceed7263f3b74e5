"""The settings every channel block shares: which alerts it receives."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, field_validator

from driftctl.domain import AlertType, Severity
from driftctl.errors import ValidationError
from driftctl.notify.message import DeliveryError
from driftctl.secrets import is_secret_ref


class ChannelConfig(BaseModel):
    """Base of the ``[notify.<channel>]`` blocks: filters shared by all channels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Fields that hold secrets (resolved at send time, redacted from every message).
    secret_fields: ClassVar[tuple[str, ...]] = ()

    min_severity: Severity = Severity.CRITICAL
    types: tuple[AlertType, ...] = tuple(AlertType)

    @field_validator("types")
    @classmethod
    def _types_not_empty(cls, value: tuple[AlertType, ...]) -> tuple[AlertType, ...]:
        if not value:
            raise ValueError("must list at least one alert type (remove the block to disable)")
        return tuple(dict.fromkeys(value))

    def accepts(self, alert_type: AlertType | str, severity: Severity | str) -> bool:
        """Tell whether this channel receives an alert of that type and severity.

        Raises ValidationError for an unknown alert type or severity.
        """
        try:
            wanted_type, wanted_severity = AlertType(alert_type), Severity(severity)
        except ValueError as exc:
            raise ValidationError(f"invalid alert: {exc}") from None
        return wanted_type in self.types and wanted_severity.rank >= self.min_severity.rank

    def require_resolved(self, channel: str) -> None:
        """Raise a permanent DeliveryError if a field still holds a ``secret:NAME`` reference."""
        for name in type(self).model_fields:
            if is_secret_ref(getattr(self, name)):
                raise DeliveryError(
                    f"{channel}: {name} is an unresolved secret reference (send through send_to)",
                    permanent=True,
                    channel=channel,
                )

    def secret_values(self) -> list[str]:
        """Return the (resolved) values of the secret fields, for redaction."""
        values = (getattr(self, name) for name in self.secret_fields)
        return [v for v in values if isinstance(v, str) and v and not is_secret_ref(v)]


def check_http_url(value: str) -> str:
    """Validate a config URL: a ``secret:NAME`` reference or an absolute http(s) URL."""
    if is_secret_ref(value):
        return value
    # The value itself is never echoed: a webhook URL is a credential.
    if not value.startswith(("https://", "http://")) or len(value) <= len("https://"):
        raise ValueError("must be an http(s) URL or 'secret:NAME'")
    return value


class IncidentConfig(ChannelConfig):
    """Base of the blocks of channels that open incidents (``Capabilities.resolves``)."""

    # Off (the default): a scan over ``[alerts] digest_threshold`` opens one incident for all
    # its alerts. On: one incident per drift, however many a scan finds.
    per_drift_incidents: bool = False
