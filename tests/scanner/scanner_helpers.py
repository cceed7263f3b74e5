"""Helpers shared by the scanner tests: plans with hooked sessions, raw AWS error responses."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

from driftctl.scanner import ScanPlan

ALL_TYPES = ["EC2", "SECURITY_GROUP", "S3", "RDS", "IAM_ROLE"]

Hook = Callable[..., Any]


def make_plan(
    types: list[str] | None = None,
    *,
    hooks: list[tuple[str, Hook]] | None = None,
    first_hooks: list[tuple[str, Hook]] | None = None,
    **kwargs: Any,
) -> ScanPlan:
    """A plan reading ``types`` in us-east-1 through a session carrying the given event hooks.

    ``first_hooks`` go before moto's own ``before-send`` handler, so a response they return is
    the one botocore uses.
    """

    def factory() -> boto3.session.Session:
        session = boto3.session.Session(region_name="us-east-1")
        for event, hook in hooks or []:
            session.events.register(event, hook)
        for event, hook in first_hooks or []:
            session.events.register_first(event, hook)
        return session

    kwargs.setdefault("regions", ["us-east-1"])
    return ScanPlan(resource_types=types or ALL_TYPES, session_factory=factory, **kwargs)


def raw_response(request: Any, status: int, body: str) -> AWSResponse:
    """An HTTP response for ``request``, as a ``before-send`` hook returns it."""
    return AWSResponse(request.url, status, HTTPHeaders(), _Body(body.encode()))


def error_response(
    request: Any, status: int, code: str, message: str, protocol: str
) -> AWSResponse:
    """A raw AWS error response in the service's wire format (ec2 query XML or rest XML)."""
    if protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            "</Error></Errors><RequestID>test</RequestID></Response>"
        )
    else:
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return raw_response(request, status, body)


class _Body:
    """The urllib3-like body botocore reads a response from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
