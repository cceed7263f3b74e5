"""Helpers shared by the notification tests (servers' records, a memory keyring, factories)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from driftctl.notify.message import DriftInfo


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass
class RecordingServer:
    """An HTTP server that records every request and answers as told."""

    requests: list[Recorded] = field(default_factory=list)
    status: int = 200
    reply: Callable[[Recorded], bytes] = lambda _req: b"ok"
    reply_headers: dict[str, str] = field(default_factory=dict)
    hanging: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def answer(
        self,
        status: int,
        body: bytes | Callable[[Recorded], bytes] = b"",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.reply = body if callable(body) else (lambda _req: body)
        self.reply_headers = headers or {}

    def hang(self) -> None:
        self.hanging = True


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class SmtpHandler:
    """aiosmtpd handler that records messages and can refuse RCPT or DATA."""

    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    rcpt_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    handler: SmtpHandler
    port: int


SMTP_USER = "driftctl@example.com"
SMTP_PASSWORD = "smtp-pa55-0f-test"


def make_drift(**overrides: Any) -> DriftInfo:
    drift: dict[str, Any] = {
        "id": "5f0c2a4e-1b7d-4c3e-9a51-2d8e6f1a9b03",
        "resource_type": "SECURITY_GROUP",
        "resource_id": "sg-0123456789abcdef0",
        "region": "eu-west-1",
        "account_id": "123456789012",
        "drift_type": "modified",
        "status": "detected",
        "difference": {
            "ingress[tcp:22:0.0.0.0/0]": {
                "change": "added",
                "expected": None,
                "actual": "tcp:22:0.0.0.0/0",
            },
            "tags.Owner": {
                "change": "changed",
                "expected": "platform",
                "actual": "<!channel> & co",
            },
        },
        "fingerprint": "3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a",
    }
    drift.update(overrides)
    return drift  # type: ignore[return-value]
