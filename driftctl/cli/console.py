"""stdout for data, stderr for everything else; colour and tables only on a TTY."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

_no_color = False


def set_no_color(value: bool) -> None:
    global _no_color
    _no_color = value


def colour_disabled() -> bool:
    return _no_color or "NO_COLOR" in os.environ


def out_console() -> Console:
    """A console on the current sys.stdout (looked up at call time, so tests can capture it)."""
    from rich.console import Console

    return Console(file=sys.stdout, no_color=colour_disabled(), highlight=False, soft_wrap=False)


def err_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, no_color=colour_disabled(), highlight=False)


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def write_out(text: str) -> None:
    """Write data to stdout; a closed pipe (``| head``) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def write_err(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")
    sys.stderr.flush()
