"""Helpers for the alert tests: a config writer, a scenario with a database and channels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from driftctl.db.models import Alert, Drift, NotificationOutbox
from tests.conftest import CliResult, run_cli
from tests.factories import make_drift
from tests.notify.notify_helpers import RecordingServer, SmtpServer

# Runs a test on SQLite and on PostgreSQL (when DRIFTCTL_TEST_POSTGRES_URL is set).
BOTH_ENGINES = pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

# Port 22 open to the world: a critical security group drift.
SG_PORT_22_WORLD = [
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
]

# Secret values: they must never show up in output, logs or the database.
SLACK_PATH = "/services/T0SECRET/B0SECRET/slack-path-4f9a1c"
PD_KEY = "pd-routing-key-7c1e90aa"
HOOK_SECRET = "hook-signing-secret-2b8d55"
SECRETS = (SLACK_PATH, PD_KEY, HOOK_SECRET)
SECRET_ENV = {
    "slack_webhook": "DRIFTCTL_SECRET_SLACK_WEBHOOK",
    "pd_key": "DRIFTCTL_SECRET_PD_KEY",
    "hook_signing": "DRIFTCTL_SECRET_HOOK_SIGNING",
}


def driftctl_command() -> list[str]:
    """The command line that runs driftctl in a separate process."""
    return [sys.executable, "-m", "driftctl"]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def write_config(
    path: Path, *, notify: Mapping[str, Mapping[str, Any]], alerts: Mapping[str, Any]
) -> None:
    """Write driftctl.toml with an [alerts] table and one [notify.<channel>] table per channel."""
    lines: list[str] = []
    if alerts:
        lines.append("[alerts]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in alerts.items()]
    for channel, block in notify.items():
        lines.append(f"\n[notify.{channel}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in block.items()]
    path.write_text("\n".join(lines) + "\n")


def channel_blocks(
    server: RecordingServer | None,
    channels: tuple[str, ...],
    *,
    smtp: SmtpServer | None = None,
    min_severity: str = "info",
    url: str | None = None,
) -> dict[str, dict[str, Any]]:
    """[notify] tables for CHANNELS; HTTP channels post to SERVER (or URL), e-mail to SMTP."""
    base = url or (server.base_url if server else "http://127.0.0.1:9")
    blocks: dict[str, dict[str, Any]] = {}
    for name in channels:
        if name == "slack":
            blocks[name] = {"webhook_url": "secret:slack_webhook"}
        elif name == "pagerduty":
            blocks[name] = {"routing_key": "secret:pd_key", "events_url": f"{base}/pd"}
        elif name == "webhook":
            blocks[name] = {"url": f"{base}/hook", "signing_secret": "secret:hook_signing"}
        elif name == "teams":
            blocks[name] = {"webhook_url": f"{base}/teams"}
        elif name == "opsgenie":
            blocks[name] = {"api_key": "secret:pd_key", "api_url": f"{base}/og"}
        elif name == "email":
            assert smtp is not None
            blocks[name] = {
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "starttls": False,
                "sender": "driftctl@example.com",
                "recipients": ["platform@example.com"],
            }
        blocks[name]["min_severity"] = min_severity
    return blocks


def secret_env(server_url: str) -> dict[str, str]:
    """The DRIFTCTL_SECRET_* variables for the channel blocks above."""
    return {
        SECRET_ENV["slack_webhook"]: f"{server_url}{SLACK_PATH}",
        SECRET_ENV["pd_key"]: PD_KEY,
        SECRET_ENV["hook_signing"]: HOOK_SECRET,
    }


@dataclass
class Scenario:
    """A migrated database, a driftctl.toml, a service context and the channels' sink."""

    db_url: str
    config_path: Path
    ctx: Any
    server: RecordingServer

    @classmethod
    def create(
        cls,
        *,
        db_url: str,
        config_path: Path,
        make_ctx: Callable[..., Any],
        server: RecordingServer,
        channels: tuple[str, ...] = ("slack", "pagerduty", "webhook"),
        smtp: SmtpServer | None = None,
        alerts: dict[str, Any] | None = None,
        min_severity: str = "info",
        url: str | None = None,
        extra: dict[str, dict[str, Any]] | None = None,
    ) -> Scenario:
        notify = channel_blocks(server, channels, smtp=smtp, min_severity=min_severity, url=url)
        for name, settings in (extra or {}).items():
            notify[name].update(settings)
        ctx = make_ctx(notify=notify, alerts=alerts or {})
        return cls(db_url=db_url, config_path=config_path, ctx=ctx, server=server)

    def cli(self, *args: str, stdin: str = "") -> CliResult:
        return run_cli([*args, "--db", self.db_url, "--config", str(self.config_path)], stdin=stdin)

    def cli_process(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run driftctl as a separate process (same environment)."""
        return subprocess.run(
            [*driftctl_command(), *args, "--db", self.db_url, "--config", str(self.config_path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(os.environ),
            check=False,
        )

    def add_drift(self, **overrides: Any) -> Drift:
        drift = make_drift(**overrides)
        with self.ctx.write() as session:
            session.add(drift)
        return drift

    def raise_alert(self, drift: Drift, **overrides: Any) -> Alert:
        """Raise a drift_detected alert for DRIFT through the service (outbox rows included)."""
        from driftctl.db.types import utcnow
        from driftctl.services import alerts as svc

        now = utcnow()
        values: dict[str, Any] = {
            "drift_id": drift.id,
            "type": "drift_detected",
            "severity": drift.severity,
            "title": f"{drift.severity.capitalize()} drift on {drift.resource_type} "
            f"{drift.resource_id}",
            "message": f"{drift.resource_type} {drift.resource_id} in {drift.region} is "
            f"{drift.drift_type}: {', '.join(sorted(drift.difference))}",
            "created_at": now,
            "updated_at": now,
        }
        values.update(overrides)
        alert = Alert(**values)
        with self.ctx.write() as session:
            svc.add_alerts(session, svc.notify_config(self.ctx.settings), [alert], now=now)
        return alert

    def outbox(self) -> list[NotificationOutbox]:
        with self.ctx.read() as session:
            stmt = select(NotificationOutbox).order_by(
                col(NotificationOutbox.created_at), col(NotificationOutbox.channel)
            )
            return list(session.execute(stmt).scalars())

    def alerts(self) -> list[Alert]:
        with self.ctx.read() as session:
            stmt = select(Alert).order_by(col(Alert.created_at))
            return list(session.execute(stmt).scalars())

    def make_due(self) -> None:
        """Move every pending row's next attempt into the past (instead of waiting)."""
        from datetime import timedelta

        from sqlalchemy import update

        from driftctl.db.types import utcnow

        with self.ctx.write() as session:
            session.execute(
                update(NotificationOutbox)
                .where(col(NotificationOutbox.status) == "pending")
                .values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )

    def bodies(self, path_prefix: str) -> list[dict[str, Any]]:
        """The JSON bodies the sink received on paths starting with PATH_PREFIX."""
        return [json.loads(r.body) for r in self.server.requests if r.path.startswith(path_prefix)]
