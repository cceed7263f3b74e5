"""stdout for data, stderr for everything else; colour and tables only on a TTY.

``-q`` is applied here, once for every command: without ``-o`` nothing reaches stdout and only
errors reach stderr, so a cron line mails nothing when all went well. Data a flag asked for by
name (``login --print-token``) is written with ``requested=True`` and still goes out.

A stdout that cannot take the output (``> /dev/full``, a full disk) becomes one OutputError
(exit 6) instead of an internal error; a reader that went away (``| head``) is not an error.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, Any

from driftctl.errors import OutputError

if TYPE_CHECKING:
    from rich.console import Console

_no_color = False
_quiet = False  # -q: only errors on stderr
_quiet_stdout = False  # -q without -o: nothing on stdout


def set_no_color(value: bool) -> None:
    global _no_color
    _no_color = value


def set_quiet(*, quiet: bool, output_requested: bool) -> None:
    """Apply ``-q``: ``output_requested`` is true when ``-o`` named a format explicitly."""
    global _quiet, _quiet_stdout
    _quiet = quiet
    _quiet_stdout = quiet and not output_requested


def is_quiet() -> bool:
    return _quiet


def colour_disabled() -> bool:
    return _no_color or "NO_COLOR" in os.environ


class _Discard:
    """Where output goes that ``-q`` silences."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class _Stdout:
    """sys.stdout looked up at each call, with write failures translated (see module doc)."""

    def write(self, text: str) -> int:
        try:
            return sys.stdout.write(text)
        except OSError as exc:
            _stdout_failed(exc)
            return len(text)

    def flush(self) -> None:
        try:
            sys.stdout.flush()
        except OSError as exc:
            _stdout_failed(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(sys.stdout, name)


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null, so the interpreter's last flush cannot fail (or print) again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file behind sys.stdout
        pass


def _stdout_failed(exc: OSError) -> None:
    _silence_stdout()
    if isinstance(exc, BrokenPipeError):
        return
    raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def stdout_file() -> IO[str]:
    """The file a command's data goes to: stdout, or nowhere under ``-q``."""
    if _quiet_stdout:
        return _Discard()  # type: ignore[return-value]
    return _Stdout()  # type: ignore[return-value]


def out_console() -> Console:
    """A console on the current sys.stdout (looked up at call time, so tests can capture it)."""
    from rich.console import Console

    return Console(
        file=stdout_file(),
        no_color=colour_disabled(),
        highlight=False,
        soft_wrap=False,
    )


class _LazyConsole:
    """``out_console()`` made on first use of anything but ``file``: piped output only writes to
    ``file`` (plain text), so then Rich, slow to import, is never loaded."""

    def __init__(self) -> None:
        self._console: Console | None = None

    @property
    def file(self) -> IO[str]:
        return self._console.file if self._console is not None else stdout_file()

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            self._console = out_console()
        return getattr(self._console, name)


def lazy_out_console() -> Any:
    """The stdout console for renderers that print plain text when piped (see _LazyConsole)."""
    return _LazyConsole()


def err_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, no_color=colour_disabled(), highlight=False)


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def write_out(text: str, *, requested: bool = False) -> None:
    """Write data to stdout (``requested``: a flag asked for it by name, so ``-q`` keeps it)."""
    if _quiet_stdout and not requested:
        return
    out = _Stdout()
    out.write(text)
    out.flush()


def flush_stdout() -> None:
    """Flush what is still buffered for stdout; OutputError if it cannot be written."""
    _Stdout().flush()


def write_err(text: str) -> None:
    """A note for the person at the terminal (progress, counts, hints); silent under ``-q``."""
    if _quiet:
        return
    write_error(text)


def write_error(text: str) -> None:
    """An error line on stderr: always written, ``-q`` or not."""
    sys.stderr.write(text if text.endswith("\n") else text + "\n")
    sys.stderr.flush()
