"""A command of your own: the alert JSON on its stdin, for anything driftctl has no channel for.

``command`` is an argv list, run directly (never through a shell, so nothing in an alert can
be interpreted as shell syntax); its first element must be an absolute path, so ``PATH`` cannot
pick another program. The command reads the generic webhook's JSON body (see
``notify.webhook``) on stdin; ``DRIFTCTL_EVENT`` is ``trigger``. Exit status 0 is success;
any other status, or running longer than ``timeout`` seconds (the process group is then
killed), is retried later; a command that cannot be started fails permanently. The child's
environment is driftctl's without the ``DRIFTCTL_SECRET_*`` variables.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import PurePath

from pydantic import Field, field_validator

from driftctl.notify import webhook
from driftctl.notify._http import excerpt
from driftctl.notify.channel import ChannelConfig
from driftctl.notify.message import DeliveryError, Notification, clean
from driftctl.notify.registry import Capabilities, Channel

CHANNEL = "command"
_SECRET_ENV_PREFIX = "DRIFTCTL_SECRET_"


class CommandConfig(ChannelConfig):
    """``[notify.command]``: the argv list to run, and how long it may take."""

    command: tuple[str, ...] = Field(min_length=1)
    timeout: float | None = Field(default=None, gt=0, le=300)

    @field_validator("command")
    @classmethod
    def _check_command(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not PurePath(value[0]).is_absolute():
            raise ValueError("the first element must be an absolute path to the program")
        if any("\x00" in part for part in value):
            raise ValueError("must not contain NUL characters")
        return value


def child_env(event: str) -> dict[str, str]:
    """The command's environment: ours without secrets, plus DRIFTCTL_EVENT."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_SECRET_ENV_PREFIX)}
    env["DRIFTCTL_EVENT"] = event
    return env


def send(note: Notification, cfg: CommandConfig, *, timeout: float = 10) -> None:
    """Run the command with NOTE's JSON on stdin; raises DeliveryError when it fails."""
    limit = cfg.timeout or timeout
    program = PurePath(cfg.command[0]).name

    def fail(reason: str, *, permanent: bool) -> DeliveryError:
        return DeliveryError(
            clean(f"{CHANNEL}: {program} {reason}"), permanent=permanent, channel=CHANNEL
        )

    try:
        process = subprocess.Popen(
            list(cfg.command),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=child_env(note.event),
            shell=False,
            start_new_session=True,
        )
    except OSError as exc:
        raise fail(f"could not be started ({type(exc).__name__})", permanent=True) from None
    try:
        _, stderr = process.communicate(webhook.build_body(note), timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise fail(f"timed out after {limit:g} s", permanent=False) from None
    if process.returncode != 0:
        detail = excerpt(stderr.decode("utf-8", "replace"), ())
        suffix = f": {detail}" if detail else ""
        raise fail(f"exited with status {process.returncode}{suffix}", permanent=False)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the command and anything it started, then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.communicate()


PLUGIN = Channel(
    name=CHANNEL,
    config=CommandConfig,
    send=send,
    capabilities=Capabilities(digests=False),
    summary="a command of your own (argv list, alert JSON on stdin, no shell)",
)
