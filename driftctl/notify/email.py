"""E-mail over SMTP: a multipart/alternative message with a plain-text and an HTML part.

Transport security: ``tls = true`` is implicit TLS (SMTPS, usually port 465) and takes
precedence; otherwise ``starttls = true`` (the default, port 587) upgrades the connection
before logging in. Plain SMTP is for local relays: a password is never sent unencrypted to a
host other than the loopback one. SMTP 4xx answers are transient (retry), 5xx are permanent.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from pydantic import Field, field_validator, model_validator

from driftctl.notify._http import describe_network_error, excerpt, redact
from driftctl.notify.channel import ChannelConfig
from driftctl.notify.message import (
    DeliveryError,
    Notification,
    approval_commands,
    clean,
    difference_lines,
)
from driftctl.notify.registry import Capabilities, Channel

CHANNEL = "email"
log = logging.getLogger("driftctl.notify")

_SUBJECT_LIMIT = 200
_REPLY_LIMIT = 200


class EmailConfig(ChannelConfig):
    """``[notify.email]``: SMTP server, credentials and addresses."""

    secret_fields = ("password",)

    smtp_host: str = Field(min_length=1)
    smtp_port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    tls: bool = False
    username: str | None = None
    password: str | None = None
    sender: str
    recipients: tuple[str, ...] = Field(min_length=1)

    @field_validator("sender")
    @classmethod
    def _check_sender(cls, value: str) -> str:
        return _check_address(value)

    @field_validator("recipients")
    @classmethod
    def _check_recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_address(v) for v in value)

    @model_validator(mode="after")
    def _check_login(self) -> EmailConfig:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together: set both or neither")
        if self.username and not self.encrypted and not _is_loopback(self.smtp_host):
            raise ValueError(
                "refusing to send the SMTP password unencrypted to a remote host: "
                "set starttls = true or tls = true"
            )
        return self

    @property
    def encrypted(self) -> bool:
        """Whether the connection is encrypted before any credential is sent."""
        return self.tls or self.starttls


def build_message(note: Notification, cfg: EmailConfig) -> EmailMessage:
    """Return the e-mail sent for NOTE: headers, a plain-text part and an HTML part."""
    msg = EmailMessage()
    msg["Subject"] = subject(note)
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="driftctl")
    msg["X-Driftctl-Alert-Id"] = _header(note.alert_id)
    msg["X-Driftctl-Event"] = note.event
    msg.set_content(_plain(note))
    msg.add_alternative(_html(note), subtype="html")
    return msg


def subject(note: Notification) -> str:
    """``[driftctl] <SEVERITY> <title>`` (``RESOLVED`` instead of the severity for resolve)."""
    label = "RESOLVED" if note.event == "resolve" else note.severity.value.upper()
    return _header(f"[driftctl] {label} {note.title}")[:_SUBJECT_LIMIT]


def send(note: Notification, cfg: EmailConfig, *, timeout: float = 10) -> None:
    """Deliver NOTE to every recipient; raises DeliveryError (no secret in its message)."""
    cfg.require_resolved(CHANNEL)
    msg = build_message(note, cfg)
    where = f"{cfg.smtp_host}:{cfg.smtp_port}"
    hidden = cfg.secret_values()

    def fail(reason: str, *, permanent: bool, status: int | None = None) -> DeliveryError:
        message = clean(redact(f"{CHANNEL}: {where} {reason}", hidden))
        log.info("%s", message)
        return DeliveryError(message, permanent=permanent, channel=CHANNEL, status=status)

    context = ssl.create_default_context()
    try:
        smtp: smtplib.SMTP
        if cfg.tls:
            smtp = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=timeout)
        with smtp:
            if not cfg.tls and cfg.starttls:
                smtp.starttls(context=context)
            if cfg.username and cfg.password:
                smtp.login(cfg.username, cfg.password)
            refused = smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise fail(
            f"refused the login ({exc.smtp_code}{_reply(exc.smtp_error, hidden)})",
            permanent=True,
            status=exc.smtp_code,
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise fail(f"does not support a required extension ({exc})", permanent=True) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        raise fail(
            f"refused all {len(codes)} recipients (codes {sorted(set(codes))})",
            permanent=permanent,
            status=max(codes, default=None),
        ) from None
    except smtplib.SMTPResponseException as exc:
        # Sender refused, data refused, 421 on connect, ...: RFC 5321 says 4xx is transient.
        raise fail(
            f"answered {exc.smtp_code}{_reply(exc.smtp_error, hidden)}",
            permanent=exc.smtp_code >= 500,
            status=exc.smtp_code,
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        # smtplib wraps a read timeout into this; report the underlying cause when there is one.
        cause = exc.__context__
        if isinstance(cause, OSError):
            reason, permanent = describe_network_error(cause)
            raise fail(reason, permanent=permanent) from None
        raise fail("closed the connection unexpectedly", permanent=False) from None
    except smtplib.SMTPException as exc:
        # e.g. "No suitable authentication method found": configuration, not weather.
        raise fail(f"failed: {exc}", permanent=True) from None
    except OSError as exc:
        reason, permanent = describe_network_error(exc)
        raise fail(reason, permanent=permanent) from None
    if refused:
        log.warning(
            "%s: %s refused %d of %d recipients",
            CHANNEL,
            where,
            len(refused),
            len(cfg.recipients),
        )
    log.debug("%s: %s accepted the message for %s", CHANNEL, where, note.alert_id)


def _plain(note: Notification) -> str:
    drift = note.drift
    lines = [
        clean(note.title),
        "",
        *([clean(note.message), ""] if note.message else []),
        f"Resource: {clean(drift['resource_type'])} {clean(drift['resource_id'])}",
        f"Region:   {clean(drift['region'])}",
        f"Account:  {clean(drift['account_id'] or 'unknown')}",
        f"Drift:    {clean(drift['drift_type'])} ({clean(drift['status'])})",
        f"Severity: {note.severity.value}",
    ]
    diff = difference_lines(drift["difference"])
    if diff.lines:
        lines += ["", "Differences:", *(f"  {line}" for line in diff.lines)]
        if diff.omitted:
            lines.append(f"  … and {diff.omitted} more")
    lines += ["", "Next:", *(f"  {cmd}" for cmd in approval_commands(note))]
    return "\n".join(lines) + "\n"


def _html(note: Notification) -> str:
    def esc(text: str) -> str:
        return html.escape(clean(text), quote=True)

    drift = note.drift
    rows = [
        ("Resource", f"{drift['resource_type']} {drift['resource_id']}"),
        ("Region", drift["region"]),
        ("Account", drift["account_id"] or "unknown"),
        ("Drift", f"{drift['drift_type']} ({drift['status']})"),
        ("Severity", note.severity.value),
    ]
    table = "".join(f'<tr><th align="left">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in rows)
    parts = [
        "<!DOCTYPE html>",
        '<html><body style="font-family: sans-serif">',
        f"<h2>{esc(note.title)}</h2>",
    ]
    if note.message:
        parts.append(f"<p>{esc(note.message)}</p>")
    parts.append(f"<table>{table}</table>")
    diff = difference_lines(drift["difference"])
    if diff.lines:
        items = "".join(f"<li><code>{esc(line)}</code></li>" for line in diff.lines)
        more = f"<li>… and {diff.omitted} more</li>" if diff.omitted else ""
        parts.append(f"<h3>Differences</h3><ul>{items}{more}</ul>")
    commands = "".join(f"<li><code>{esc(cmd)}</code></li>" for cmd in approval_commands(note))
    parts.append(f"<h3>Next</h3><ul>{commands}</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _header(text: str) -> str:
    """One line of header text: control characters and line breaks would allow injection."""
    return " ".join(clean(text).replace("\ufffd", " ").split())


def _reply(raw: bytes | str, secrets: list[str]) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    text = excerpt(text, secrets, _REPLY_LIMIT)
    return f" {text}" if text else ""


def _check_address(value: str) -> str:
    if "\r" in value or "\n" in value or "@" not in parseaddr(value)[1]:
        raise ValueError("must be an e-mail address")
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


PLUGIN = Channel(
    name=CHANNEL,
    config=EmailConfig,
    send=send,
    capabilities=Capabilities(),
    summary="e-mail over SMTP (plain text and HTML)",
)
