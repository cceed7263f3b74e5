"""Logging to stderr: text or one JSON object per line, with secret-looking keys redacted."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|private_key|api_key|access_key|credential|authorization|"
    r"routing_key|webhook_url|signature)",
    re.IGNORECASE,
)
REDACTED = "***"
# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def redact(value: Any, key: str | None = None) -> Any:
    """A copy of ``value`` with the values of secret-looking keys replaced."""
    if key is not None and SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: redact(v, k) for k, v in record.__dict__.items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = _extras(record)
        tail = " ".join(f"{k}={v}" for k, v in extras.items())
        line = f"{record.levelname.lower()}: {record.name}: {record.getMessage()}"
        if tail:
            line += " " + tail
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(*, verbose: bool, quiet: bool, log_format: str) -> None:
    """Send driftctl's logs to stderr at the level the flags ask for."""
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger("driftctl")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
