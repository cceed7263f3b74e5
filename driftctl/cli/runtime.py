"""Building settings, the service context and outputs from the global options."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import typer

from driftctl.cli.console import lazy_out_console, stdout_is_tty, write_out
from driftctl.cli.options import GlobalState
from driftctl.errors import ValidationError

if TYPE_CHECKING:
    from driftctl.config import Settings
    from driftctl.services.context import Context


def state(ctx: typer.Context) -> GlobalState:
    root = ctx.find_root()
    if not isinstance(root.obj, GlobalState):
        root.obj = GlobalState()
    return root.obj


def settings(ctx: typer.Context) -> Settings:
    from driftctl.config import load_settings

    st = state(ctx)
    return load_settings(config_path=st.config, database_url=st.db)


def service_context(ctx: typer.Context, *, command: str, migrate: bool = True) -> Context:
    """The database and the acting user for this command (closed when the command ends)."""
    from driftctl.services.context import open_context
    from driftctl.services.identity import current_actor

    svc = open_context(settings(ctx), command=command, migrate=migrate)
    ctx.call_on_close(svc.dispose)
    svc.actor = current_actor(svc)
    return svc


def existing_context(ctx: typer.Context, *, command: str) -> Context | None:
    """The database's context only if it exists and its user may read it (nothing is created).

    None otherwise: then the command goes on without it, saying why on stderr at -v.
    """
    from driftctl.errors import DriftctlError
    from driftctl.services.context import open_existing
    from driftctl.services.identity import current_actor

    svc = open_existing(settings(ctx), command=command)
    if svc is None:
        return None
    ctx.call_on_close(svc.dispose)
    try:
        svc.actor = current_actor(svc)
    except DriftctlError as exc:
        import logging

        logging.getLogger("driftctl").info("not reading the database: %s", exc.message)
        return None
    return svc


def output_format(ctx: typer.Context, allowed: tuple[str, ...], default: str = "table") -> str:
    """The -o value, checked against what this command can print."""
    value = state(ctx).output or default
    if value not in allowed:
        raise ValidationError(
            f"-o {value} is not available here: choose one of {', '.join(allowed)}"
        )
    return value


def emit(text: str, *, requested: bool = False) -> None:
    """Data for stdout; silent under ``-q`` unless ``requested`` (a flag asked for it by name)."""
    write_out(text, requested=requested)


def tty() -> bool:
    return stdout_is_tty()


def console() -> Any:
    return lazy_out_console()


def read_ids(ids: list[str]) -> list[str]:
    """Ids from arguments; ``-`` reads one id per line from stdin (blank lines skipped)."""
    import sys

    out: list[str] = []
    for raw in ids:
        if raw == "-":
            out.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            out.append(raw)
    if not out:
        raise ValidationError("no drift ids given (pass ids, or - to read them from stdin)")
    return out


@contextlib.contextmanager
def scan_progress(label: str) -> Iterator[Callable[[int, int, int], None] | None]:
    """A status line on stderr during a scan, only on a terminal (not with -q): reads done of
    all (resource type x region), AWS calls made, time elapsed. Yields the callback to give the
    scan (None when nothing is shown)."""
    import time

    from driftctl.cli.console import err_console, is_quiet, stderr_is_tty

    if is_quiet() or not stderr_is_tty():
        yield None
        return
    started = time.monotonic()
    with err_console().status(label) as status:

        def tell(done: int, total: int, calls: int) -> None:
            elapsed = int(time.monotonic() - started)
            status.update(
                f"{label}: {done}/{total} reads (type x region), {calls} AWS calls, "
                f"{elapsed // 60}:{elapsed % 60:02d}"
            )

        yield tell


def progress(label: str) -> Any:
    """A spinner on stderr while long work runs, only when stderr is a terminal (not with -q)."""
    import contextlib

    from driftctl.cli.console import err_console, is_quiet, stderr_is_tty

    if is_quiet() or not stderr_is_tty():
        return contextlib.nullcontext()
    return err_console().status(label)
