"""The Typer application: global options, the one list of commands, and error translation.

Exit codes (SPEC §6) are decided here and nowhere else: services raise DriftctlError subclasses,
``main`` prints one line on stderr (a JSON object with ``-o json``) and exits with the code the
error carries. An unexpected exception exits 2, never 1 (which means "drift found").
"""

from __future__ import annotations

import signal
import sys
from typing import Any

import typer

from driftctl import __version__
from driftctl.cli import (
    alerts_cmd,
    audit_cmd,
    auth_cmd,
    db_cmd,
    demo_cmd,
    drifts_cmd,
    pricing_cmd,
    report_cmd,
    scan_cmd,
    scans_cmd,
    secret_cmd,
    summary_cmd,
    types_cmd,
    users_cmd,
)
from driftctl.cli.options import GlobalState, hoist_global_options, output_format

app = typer.Typer(
    name="driftctl",
    help=(
        "Find configuration drift between Terraform state and live AWS, record it, "
        "and triage, approve, reject and resolve it.\n\n"
        "Global options work before or after the command: "
        "`driftctl list -o json -v` = `driftctl -v -o json list`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"driftctl {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _global(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        metavar="URL",
        envvar="DRIFTCTL_DATABASE_URL",
        help="Database URL: sqlite:///PATH or postgresql://… (default: a SQLite file in the "
        "user data directory).",
        show_envvar=True,
    ),
    config: str | None = typer.Option(
        None,
        "--config",
        metavar="PATH",
        envvar="DRIFTCTL_CONFIG",
        help="Config file (default: ./driftctl.toml, then the user config directory).",
    ),
    output: str | None = typer.Option(
        None, "-o", "--output", metavar="FORMAT", help="table (default), json, csv, sarif, ..."
    ),
    no_color: bool = typer.Option(False, "--no-color", help="No colour (also: NO_COLOR=1)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Only errors on stderr."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Debug logs on stderr."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    log_format: str = typer.Option(
        "text",
        "--log-format",
        envvar="DRIFTCTL_LOG_FORMAT",
        metavar="text|json",
        help="Log line format on stderr.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    from driftctl import logs
    from driftctl.cli.console import set_no_color
    from driftctl.errors import ValidationError

    if log_format not in ("text", "json"):
        raise ValidationError(f"--log-format must be text or json, got {log_format!r}")
    ctx.obj = GlobalState(
        db=db,
        config=config,
        output=output,
        no_color=no_color,
        quiet=quiet,
        verbose=verbose or debug,
        debug=debug,
        log_format=log_format,
    )
    set_no_color(no_color)
    logs.configure(verbose=verbose or debug, quiet=quiet, log_format=log_format)


# The command list: one line per command or group.
app.command("scan")(scan_cmd.scan)
app.command("scans")(scans_cmd.scans)
app.add_typer(scan_cmd.baseline_app, name="baseline")
drifts_cmd.register(app)
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(db_cmd.app, name="db")
app.add_typer(users_cmd.app, name="user")
auth_cmd.register(app)
app.command("demo")(demo_cmd.demo)
app.add_typer(alerts_cmd.app, name="alerts")
app.add_typer(secret_cmd.app, name="secret")
app.add_typer(pricing_cmd.app, name="pricing")
app.command("summary")(summary_cmd.summary)
app.command("report")(report_cmd.report)
app.command("types")(types_cmd.types)


class _Interrupted(Exception):
    """Ctrl-C, raised by our SIGINT handler so Click does not turn it into exit 1."""


def _on_sigint(_signum: int, _frame: Any) -> None:
    raise _Interrupted()


def _usage_error_class() -> type[Exception]:
    """Click's usage-error base, from the copy of Click that Typer carries."""
    import importlib

    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            cls: type[Exception] = importlib.import_module(name).ClickException
        except (ImportError, AttributeError):
            continue
        return cls
    raise RuntimeError("cannot find Click's exception classes")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the app and turns every outcome into an exit code."""
    from driftctl.errors import DriftctlError, InternalError, ValidationError

    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    as_json = output_format(args) == "json"
    debug = "--debug" in args
    signal.signal(signal.SIGINT, _on_sigint)
    usage_error = _usage_error_class()
    try:
        code = app(args=args, prog_name="driftctl", standalone_mode=False)
    except DriftctlError as exc:
        _report(exc, as_json=as_json, debug=debug)
        sys.exit(exc.exit_code)
    except usage_error as exc:
        if as_json:
            message = exc.format_message()  # type: ignore[attr-defined]
            _report(ValidationError(message), as_json=True, debug=False)
        else:
            exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    except typer.Abort:
        _report(ValidationError("aborted"), as_json=as_json, debug=False)
        sys.exit(2)
    except _Interrupted:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:
        err: DriftctlError = InternalError(
            f"internal error: {type(exc).__name__}: {_first_line(exc)}"
            + ("" if debug else " (run with --debug for a traceback)")
        )
        # --debug shows the traceback, but still never exits 1 ("drift found").
        _report(err, as_json=as_json, debug=False)
        if debug:
            import traceback

            traceback.print_exception(exc)
        sys.exit(err.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _report(exc: Any, *, as_json: bool, debug: bool) -> None:
    from driftctl.cli.console import write_err

    if debug:
        import traceback

        traceback.print_exception(exc)
    if as_json:
        from driftctl.render.json_ import dumps_line

        write_err(dumps_line(exc.to_json()))
    else:
        write_err(f"error: {exc.message}")
