"""Fixtures for the notification tests: real HTTP and SMTP servers on 127.0.0.1, keyrings."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import keyring.core
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from driftctl.notify.message import Notification
from tests.fakes import MemoryKeyring
from tests.notify.notify_helpers import (
    SMTP_PASSWORD,
    SMTP_USER,
    Recorded,
    RecordingServer,
    SmtpHandler,
    SmtpServer,
    free_port,
    make_drift,
)

# --- HTTP -------------------------------------------------------------------------------------


def _make_handler(server: RecordingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            req = Recorded(
                method=self.command,
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            server.requests.append(req)
            if server.hanging:
                # Hold the answer until teardown; the client times out meanwhile.
                server.release.wait(timeout=30)
                return
            payload = server.reply(req)
            self.send_response(server.status)
            for name, value in server.reply_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def http_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(server))
    httpd.daemon_threads = True
    server.httpd = httpd
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def refused_url() -> str:
    """An http URL on a loopback port with no listener: the connection is refused."""
    return f"http://127.0.0.1:{free_port()}/hook"


# --- SMTP -------------------------------------------------------------------------------------


def _start_smtp(**kwargs: Any) -> tuple[Controller, SmtpServer]:
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, SmtpServer(handler, port)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Plain SMTP, no AUTH advertised, no STARTTLS."""
    controller, server = _start_smtp()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    """Plain SMTP with AUTH PLAIN/LOGIN accepting only SMTP_USER / SMTP_PASSWORD."""
    holder: list[SmtpServer] = []

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        holder[0].handler.logins.append((login, password))
        ok = (login, password) == (SMTP_USER, SMTP_PASSWORD)
        return AuthResult(success=ok, handled=False)

    controller, server = _start_smtp(authenticator=authenticator, auth_require_tls=False)
    holder.append(server)
    try:
        yield server
    finally:
        controller.stop()


# --- keyring and secrets ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the developer's keyring or DRIFTCTL_SECRET_* variables."""
    import os

    for name in list(os.environ):
        if name.startswith("DRIFTCTL_SECRET_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # keyring caches its backend on first use; None makes it detect again from the env var.
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    return backend


# --- notifications ----------------------------------------------------------------------------


@pytest.fixture
def note() -> Callable[..., Notification]:
    """Factory for a Notification about a security group opened to the world."""

    def build(drift: dict[str, Any] | None = None, **overrides: Any) -> Notification:
        fields: dict[str, Any] = {
            "alert_id": "a1b2c3d4-0000-4000-8000-000000000001",
            "alert_type": "drift_detected",
            "severity": "critical",
            "title": "sg-0123456789abcdef0 opens port 22 to 0.0.0.0/0",
            "message": "Ingress rule added outside Terraform.",
            "drift": make_drift(**(drift or {})),
            "event": "trigger",
        }
        fields.update(overrides)
        return Notification(**fields)

    return build
