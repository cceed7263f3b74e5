"""One HTTP POST for the HTTP channels, with driftctl's error classification and redaction."""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import IO
from urllib.parse import urlsplit

from driftctl import __version__
from driftctl.notify.message import DeliveryError, clean, is_permanent_http_status
from driftctl.secrets import is_secret_ref

log = logging.getLogger("driftctl.notify")

USER_AGENT = f"driftctl/{__version__}"
_ERROR_BODY_LIMIT = 300
_ERROR_READ_LIMIT = 16 * 1024


@dataclass(frozen=True)
class HttpResponse:
    """Status and (size-limited) body of a successful POST."""

    status: int
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would replay a POST as a bodiless GET, possibly to another host."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def redact_url(url: str) -> str:
    """Return only scheme and host (and port) of URL: paths and queries of webhooks are secrets."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(invalid URL)"
    return f"{parts.scheme or '?'}://{host}{port}"


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret in TEXT with ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _secret_parts(url: str, target: str) -> list[str]:
    """The parts of URL that redact_url leaves out (path, query, password): treated as secrets."""
    parts = urlsplit(url)
    hidden = [parts.password] if parts.password else []
    if url.rstrip("/") != target:
        hidden += [url, parts.query]
        if len(parts.path) > 1:
            hidden.append(parts.path)
    return [h for h in hidden if h]


def check_url(url: str, *, channel: str, field: str) -> None:
    """Raise a permanent DeliveryError unless URL is an absolute http(s) URL."""
    if is_secret_ref(url):
        raise DeliveryError(
            f"{channel}: {field} is an unresolved secret reference (send through send_to)",
            permanent=True,
            channel=channel,
        )
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        ok = False
    if not ok:
        raise DeliveryError(
            f"{channel}: {field} is not an http(s) URL", permanent=True, channel=channel
        )


def post(
    url: str,
    body: bytes,
    *,
    channel: str,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    secrets: Iterable[str] = (),
) -> HttpResponse:
    """POST BODY to URL and return the 2xx response; raises DeliveryError on anything else."""
    check_url(url, channel=channel, field="URL")
    target = redact_url(url)
    hidden = [*secrets, *_secret_parts(url, target)]
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("User-Agent", USER_AGENT)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)

    def fail(
        reason: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> DeliveryError:
        message = clean(redact(f"{channel}: POST {target} {reason}", hidden))
        log.info("%s", message)
        return DeliveryError(
            message, permanent=permanent, channel=channel, status=status, retry_after=retry_after
        )

    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
            payload = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        retry_after = parse_retry_after(exc.headers.get("Retry-After") if exc.headers else None)
        detail = excerpt(_error_body(exc), hidden)
        suffix = f": {detail}" if detail else ""
        raise fail(
            f"answered HTTP {exc.code}{suffix}",
            permanent=is_permanent_http_status(exc.code),
            status=exc.code,
            retry_after=retry_after,
        ) from None
    except urllib.error.URLError as exc:
        reason, permanent = describe_network_error(exc.reason)
        raise fail(reason, permanent=permanent) from None
    except OSError as exc:
        reason, permanent = describe_network_error(exc)
        raise fail(reason, permanent=permanent) from None
    except http.client.HTTPException as exc:
        # The server closed or garbled the response: transient as far as we can tell.
        raise fail(f"failed: bad HTTP response ({type(exc).__name__})", permanent=False) from None
    except ValueError as exc:
        raise fail(f"failed: invalid request ({type(exc).__name__})", permanent=True) from None

    if not 200 <= status <= 299:
        # 1xx/3xx reaching here: the endpoint is not a webhook receiver.
        raise fail(f"answered HTTP {status}", permanent=True, status=status)
    log.debug("%s: POST %s answered HTTP %s", channel, target, status)
    return HttpResponse(status=status, body=payload)


RETRY_AFTER_CAP = 24 * 3600.0


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delay-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_CAP)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    delay = when.timestamp() - (time.time() if now is None else now)
    return min(max(delay, 0.0), RETRY_AFTER_CAP)


def describe_network_error(reason: object) -> tuple[str, bool]:
    """Return (text, permanent) for a network-level failure."""
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timed out", False
    if isinstance(reason, ConnectionRefusedError):
        return "failed: connection refused", False
    if isinstance(reason, ssl.SSLCertVerificationError):
        # A certificate that does not verify will not start verifying by itself.
        return "failed: TLS certificate verification failed", True
    if isinstance(reason, socket.gaierror):
        return "failed: host name could not be resolved", False
    if isinstance(reason, BaseException):
        return f"failed: {type(reason).__name__}", False
    return f"failed: {reason}", False


def excerpt(text: str, secrets: Iterable[str], limit: int = _ERROR_BODY_LIMIT) -> str:
    """A single-line, size-limited excerpt of a server's answer with the secrets blanked out.

    Redaction comes before shortening, so a secret cut in half by the limit cannot slip through.
    """
    return " ".join(redact(text, secrets).split())[:limit]


def _error_body(exc: urllib.error.HTTPError) -> str:
    """The start of an error response's body, for the operator."""
    try:
        raw = exc.read(_ERROR_READ_LIMIT)
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        exc.close()
    return raw.decode("utf-8", "replace")
