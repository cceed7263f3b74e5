"""The Typer application: global options, the one list of commands, and error translation.

Exit codes (SPEC §6) are decided here and nowhere else: services raise DriftctlError subclasses,
``main`` prints one line on stderr (a JSON object with ``-o json``) and exits with the code the
error carries. An unexpected exception exits 2, never 1 (which means "drift found").
"""

from __future__ import annotations

import importlib
import signal
import sys
from typing import Any, NamedTuple

import typer

from driftctl import __version__
from driftctl.cli.options import (
    GlobalState,
    command_words,
    hoist_global_options,
    output_format,
    rewrite_go_outputs,
)

HELP_NAMES = ["-h", "--help"]

# Typer's settings of the top-level command, for build_app.
APP_SETTINGS: dict[str, Any] = dict(
    name="driftctl",
    help=(
        "Find configuration drift between Terraform state and live AWS, record it, "
        "and triage, approve, reject and resolve it.\n\n"
        "\b\nExamples:\n"
        "  driftctl scan --from terraform.tfstate --region eu-west-1\n"
        "  driftctl list --severity critical -o json\n\n"
        "New here? `driftctl demo` runs the whole job on an emulated AWS account "
        "(no credentials needed).\n\n"
        "Global options work before or after the command: "
        "`driftctl list -o json -v` = `driftctl -v -o json list`."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": HELP_NAMES},
)


def _version(value: bool) -> None:
    if value:
        from driftctl.cli.console import write_out

        write_out(f"driftctl {__version__}\n", requested=True)
        raise typer.Exit(0)


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
        None,
        "-o",
        "--output",
        metavar="FORMAT",
        help="table (default) or json; csv (list, audit); sarif, junit, markdown, html, "
        "FORMAT://PATH (scan).",
    ),
    no_color: bool = typer.Option(False, "--no-color", help="No colour (also: NO_COLOR=1)."),
    quiet: bool = typer.Option(
        False,
        "-q",
        "--quiet",
        help="Nothing on stdout unless -o names a format; only errors on stderr.",
    ),
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
    from driftctl.cli.console import set_no_color, set_quiet
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
    set_quiet(quiet=quiet, output_requested=output is not None)
    logs.configure(verbose=verbose or debug, quiet=quiet, log_format=log_format)


def version_cmd() -> None:
    """Print the version (the same as `driftctl --version`).

    Example: driftctl version
    """
    from driftctl.cli.console import write_out

    write_out(f"driftctl {__version__}\n", requested=True)


class Entry(NamedTuple):
    """A top-level command (or group, a Typer app) and the ``driftctl.cli`` module defining it."""

    name: str
    module: str
    attribute: str
    group: bool = False


# The command list, in the order --help shows it.
COMMANDS = (
    Entry("scan", "scan_cmd", "scan"),
    Entry("scans", "scans_cmd", "scans"),
    Entry("baseline", "scan_cmd", "baseline_app", group=True),
    Entry("list", "drifts_cmd", "list_drifts"),
    Entry("show", "drifts_cmd", "show"),
    Entry("triage", "drifts_cmd", "triage"),
    Entry("approve", "drifts_cmd", "approve"),
    Entry("reject", "drifts_cmd", "reject"),
    Entry("resolve", "drifts_cmd", "resolve"),
    Entry("remediate", "remediate_cmd", "remediate"),
    Entry("audit", "audit_cmd", "app", group=True),
    Entry("db", "db_cmd", "app", group=True),
    Entry("user", "users_cmd", "app", group=True),
    Entry("login", "auth_cmd", "login"),
    Entry("logout", "auth_cmd", "logout"),
    Entry("whoami", "auth_cmd", "whoami"),
    Entry("demo", "demo_cmd", "demo"),
    Entry("alerts", "alerts_cmd", "app", group=True),
    Entry("secret", "secret_cmd", "app", group=True),
    Entry("pricing", "pricing_cmd", "app", group=True),
    Entry("summary", "summary_cmd", "summary"),
    Entry("report", "report_cmd", "report"),
    Entry("types", "types_cmd", "types"),
    Entry("version", "app", "version_cmd"),
    Entry("gen-driftignore", "gen_driftignore_cmd", "gen_driftignore"),
)
COMMAND_NAMES = frozenset(entry.name for entry in COMMANDS)


def build_app(only: str | None = None) -> typer.Typer:
    """driftctl's Typer app: every command, or only the top-level command named ``only``.

    ``main`` builds only the command it runs: importing every command's module and having Typer
    build every command costs a short command like ``list`` a tenth of its start-up, and the
    command behaves the same either way (tests/cli/test_help.py compares their help).
    """
    built = typer.Typer(**APP_SETTINGS)
    built.callback()(_global)
    for entry in COMMANDS:
        if only is not None and entry.name != only:
            continue
        target = getattr(importlib.import_module(f"driftctl.cli.{entry.module}"), entry.attribute)
        if entry.group:
            built.add_typer(target, name=entry.name)
        else:
            built.command(entry.name)(target)
    return built


def command_name(args: list[str]) -> str | None:
    """The top-level command ``args`` runs (global options skipped), if it names one."""
    words = command_words(args)
    return words[0] if words and words[0] in COMMAND_NAMES else None


def click_command(args: list[str]) -> Any:
    """The Click command that runs ``args``, with tidy help and plain value conversion.

    Shell completion (Typer's ``_DRIFTCTL_COMPLETE`` variable) needs every command.
    """
    import os

    from driftctl.cli.help_format import tidy
    from driftctl.cli.plain_values import plain_values

    only = None if "_DRIFTCTL_COMPLETE" in os.environ else command_name(args)
    command = tidy(typer.main.get_command(build_app(only)))
    return plain_values(command, help_names=HELP_NAMES)


class _Interrupted(Exception):
    """Ctrl-C, raised by our SIGINT handler so Click does not turn it into exit 1."""


def _on_sigint(_signum: int, _frame: Any) -> None:
    raise _Interrupted()


def _click_exceptions() -> tuple[type[Exception], type[Exception], type[Exception]]:
    """Click's ClickException, UsageError and NoArgsIsHelpError, from the copy Typer carries."""
    import importlib

    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            module = importlib.import_module(name)
            return module.ClickException, module.UsageError, module.NoArgsIsHelpError
        except (ImportError, AttributeError):
            continue
    raise RuntimeError("cannot find Click's exception classes")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the app and turns every outcome into an exit code."""
    from driftctl.cli.console import flush_stdout, set_quiet
    from driftctl.errors import OutputError

    args = hoist_global_options(rewrite_go_outputs(list(sys.argv[1:] if argv is None else argv)))
    as_json = output_format(args) == "json"
    set_quiet(quiet=False, output_requested=False)  # the global options callback sets it
    signal.signal(signal.SIGINT, _on_sigint)
    code = _dispatch(args, as_json=as_json, debug="--debug" in args)
    try:
        flush_stdout()
    except OutputError as exc:
        _report(exc, as_json=as_json, debug=False)
        code = exc.exit_code
    sys.exit(code)


def _dispatch(args: list[str], *, as_json: bool, debug: bool) -> int:
    """Run the command; report any error as one line; return the exit code."""
    from driftctl.errors import DriftctlError, InternalError, OutputError, ValidationError

    click_error, usage_error, no_args_help = _click_exceptions()
    try:
        command = click_command(args)
        code = command.main(args=args, prog_name="driftctl", standalone_mode=False)
    except DriftctlError as exc:
        _report(exc, as_json=as_json, debug=debug)
        return exc.exit_code
    except no_args_help as exc:
        exc.show()  # type: ignore[attr-defined]  # the help text, on stderr
        return 2
    except click_error as exc:
        if isinstance(exc, usage_error):
            error = _usage_error(exc, args)
        else:
            error = ValidationError(_sentence(exc.format_message()))  # type: ignore[attr-defined]
        _report(error, as_json=as_json, debug=False)
        return 2
    except typer.Abort:
        _report(ValidationError("aborted"), as_json=as_json, debug=False)
        return 2
    except _Interrupted:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:
        if isinstance(exc, OSError) and _raised_while_printing(exc):
            failed = OutputError(f"cannot write to standard output: {exc.strerror or exc}")
            _report(failed, as_json=as_json, debug=False)
            return failed.exit_code
        err: DriftctlError = InternalError(
            f"internal error: {type(exc).__name__}: {_first_line(exc)}"
            + ("" if debug else " (run with --debug for a traceback)")
        )
        # --debug shows the traceback, but still never exits 1 ("drift found").
        _report(err, as_json=as_json, debug=False)
        if debug:
            import traceback

            traceback.print_exception(exc)
        return err.exit_code
    return code if isinstance(code, int) else 0


def _raised_while_printing(exc: BaseException) -> bool:
    """Did Click's ``echo`` (help text) raise it, i.e. is it stdout that cannot be written?"""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        module = str(frame.f_globals.get("__name__", ""))
        if frame.f_code.co_name == "echo" and module.endswith("click.utils"):
            return True
        tb = tb.tb_next
    return False


def _usage_error(exc: Any, args: list[str]) -> Any:
    """Click's Usage / Try / Error block as one error with the hint in the same line."""
    from driftctl.errors import ValidationError

    message = _sentence(exc.format_message()).rstrip(".")
    ctx = exc.ctx
    if ctx is None:  # some parser errors carry no context: find the command from argv
        ctx = _context_for(args)
    names = ctx.help_option_names
    hint = f"{ctx.command_path} {'--help' if '--help' in names else names[0]}"
    details = {"usage": ctx.get_usage().strip(), "hint": hint}
    return ValidationError(f"{message} (try '{hint}')", details=details)


def _context_for(args: list[str]) -> Any:
    """A Click context for the deepest command named at the start of ``args``."""
    command: Any = typer.main.get_command(build_app(command_name(args)))
    ctx = command.make_context("driftctl", [], resilient_parsing=True)
    for word in command_words(args):
        sub = command.get_command(ctx, word) if hasattr(command, "get_command") else None
        if sub is None:
            break
        command = sub
        ctx = sub.make_context(word, [], parent=ctx, resilient_parsing=True)
    return ctx


def _sentence(text: str) -> str:
    """Click's message as one line starting in lower case, like driftctl's own errors."""
    line = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    if line[:1].isupper() and not line[1:2].isupper():
        line = line[0].lower() + line[1:]
    return line


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _report(exc: Any, *, as_json: bool, debug: bool) -> None:
    from driftctl.cli.console import write_error

    if debug:
        import traceback

        traceback.print_exception(exc)
    if as_json:
        from driftctl.render.json_ import dumps_line

        write_error(dumps_line(exc.to_json()))
    else:
        write_error(f"error: {exc.message}")
