"""Fixtures for the expected-state readers: state files, a moto S3 and a local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "tfstate"


class StateFactory:
    """Builds small, realistic v4 state documents."""

    @staticmethod
    def doc(*resources: dict[str, Any]) -> dict[str, Any]:
        """A minimal v4 state holding ``resources``."""
        return {
            "version": 4,
            "terraform_version": "1.7.5",
            "serial": 1,
            "lineage": "5e0c4b1a-2d3f-4e5a-8b7c-9d0e1f2a3b4c",
            "outputs": {},
            "resources": list(resources),
        }

    @staticmethod
    def resource(
        rtype: str,
        name: str,
        attributes: dict[str, Any],
        *,
        provider: str = 'provider["registry.terraform.io/hashicorp/aws"]',
        sensitive: list[Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A managed resource of ``rtype`` with one instance."""
        return {
            "mode": "managed",
            "type": rtype,
            "name": name,
            "provider": provider,
            "instances": [
                {
                    "schema_version": 0,
                    "attributes": attributes,
                    "sensitive_attributes": sensitive or [],
                }
            ],
            **extra,
        }

    @classmethod
    def instance(
        cls,
        instance_id: str = "i-0abc1234def567890",
        *,
        name: str = "app",
        attributes: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """An ``aws_instance`` resource with one instance."""
        attrs: dict[str, Any] = {
            "id": instance_id,
            "arn": f"arn:aws:ec2:us-east-1:123456789012:instance/{instance_id}",
            "ami": "ami-0c02fb55956c7d316",
            "instance_type": "t3.micro",
            "subnet_id": "subnet-0123456789abcdef0",
            "availability_zone": "us-east-1a",
            "tags": {"Name": name},
            "tags_all": {"Name": name},
        }
        attrs.update(attributes or {})
        return cls.resource("aws_instance", name, attrs, **kwargs)


@pytest.fixture
def states() -> type[StateFactory]:
    return StateFactory


@pytest.fixture
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture
def write_state(tmp_path: Path) -> Callable[..., Path]:
    """Write a state document (or raw text/bytes) under tmp_path and return its path."""

    def write(name: str, content: dict[str, Any] | str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content), encoding="utf-8")
        return path

    return write


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials so nothing can reach a real AWS account."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def s3_session(aws_credentials: None) -> Iterator[boto3.session.Session]:
    """A boto3 session whose S3 is moto's, with an empty account."""
    with mock_aws():
        yield boto3.session.Session(region_name="us-east-1")


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeHttp:
    """A real HTTP server on 127.0.0.1 answering from ``routes`` and recording request headers."""

    base_url: str
    routes: dict[str, Reply] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> None:
        """Answer GET ``path`` with ``status`` and ``body``."""
        self.routes[path] = Reply(status, body, dict(headers))

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, to put after ``tfstate+http://``."""
        return self.base_url.removeprefix("http://")


def _start_server(fake_factory: Callable[[str], FakeHttp]) -> Iterator[FakeHttp]:
    holder: dict[str, FakeHttp] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake = holder["fake"]
            fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            reply = fake.routes.get(self.path.split("?", 1)[0], Reply(404, b"not found"))
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["fake"] = fake_factory(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield holder["fake"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def http_server() -> Iterator[FakeHttp]:
    yield from _start_server(lambda base: FakeHttp(base_url=base))


@pytest.fixture
def other_http_server() -> Iterator[FakeHttp]:
    """A second server: another origin, for cross-origin redirects."""
    yield from _start_server(lambda base: FakeHttp(base_url=base))


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
