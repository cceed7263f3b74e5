"""gen-driftignore: print a .driftignore covering the drifts of a scan or of the database."""

from __future__ import annotations

import typer

from driftctl.cli import runtime


def gen_driftignore(
    ctx: typer.Context,
    input_path: str | None = typer.Option(
        None,
        "--input",
        "-i",
        metavar="FILE",
        help="A scan's JSON (`driftctl scan -o json`, or the Go driftctl tool's); - reads "
        "stdin. Without it: the database's open drifts.",
    ),
    exclude_unmanaged: bool = typer.Option(
        False, "--exclude-unmanaged", help="Leave out resources in no IaC source."
    ),
    exclude_missing: bool = typer.Option(
        False, "--exclude-missing", help="Leave out resources missing from AWS."
    ),
    exclude_changed: bool = typer.Option(
        False, "--exclude-changed", help="Leave out resources that changed in AWS."
    ),
) -> None:
    """Print a .driftignore that covers the current drifts (to accept them as they are).

    Example: driftctl scan -o json | driftctl gen-driftignore -i - > .driftignore
    """
    from driftctl.services import driftignore_gen as gen

    if input_path is None:
        context = runtime.service_context(ctx, command="driftctl gen-driftignore")
        entries = gen.entries_from_database(context)
    else:
        entries = gen.entries_from_json(_read(input_path))
    runtime.emit(
        gen.render(
            entries,
            exclude_unmanaged=exclude_unmanaged,
            exclude_missing=exclude_missing,
            exclude_changed=exclude_changed,
        )
    )


def _read(path: str) -> str:
    import sys
    from pathlib import Path

    from driftctl.errors import ValidationError

    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ValidationError(f"cannot read --input {path}: {reason}") from None
