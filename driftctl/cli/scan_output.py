"""Where a scan's result goes: the table, -o formats, --output-file, the Go tool's
``--output FORMAT://PATH`` (several at once), and the stderr notes that go with them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from driftctl.cli import runtime


def report_warnings(result: dict[str, Any]) -> None:
    """One stderr line per warning of the scan (a .driftignore line that has no effect...)."""
    from driftctl.cli.console import write_err
    from driftctl.render.table import safe

    for note in result["scan"].get("notes") or []:
        write_err(f"note: {safe(note)}")
    for warning in result["scan"].get("warnings") or []:
        write_err(f"warning: {safe(warning)}")


def report_not_compared(result: dict[str, Any]) -> None:
    """One stderr line naming the state's resources that no resource type compares."""
    from driftctl.services.scanning import not_compared_line

    line = not_compared_line(result["scan"].get("skipped_types") or {})
    if line:
        from driftctl.cli.console import write_err

        write_err(line)


def report_incomplete(result: dict[str, Any], *, as_json: bool) -> None:
    """One stderr line for a partial scan: exit 6 must say why even when stdout is a file."""
    from driftctl.cli.console import write_error
    from driftctl.errors import ExternalServiceError

    errors = result["scan"]["errors"]
    unread = ", ".join(f"{e['resource_type']} in {e['region']} ({e['code']})" for e in errors)
    error = ExternalServiceError(
        f"scan incomplete: could not read {unread or 'every resource type'}; "
        "drift there was not checked",
        details={"errors": errors},
    )
    if as_json:
        from driftctl.render.json_ import dumps_line

        write_error(dumps_line(error.to_json()))
    else:
        write_error(f"error: {error.message}")


def emit_result(
    result: dict[str, Any], fmt: str, output_file: str | None, *, tf_dirs: list[str] | None = None
) -> None:
    """Print the scan result in ``fmt`` (to ``output_file`` if given, with the table on stdout)."""
    if output_file:
        if fmt == "table":
            from driftctl.errors import ValidationError

            raise ValidationError("--output-file needs -o json, sarif, junit, markdown or html")
        write(result, fmt, Path(output_file).expanduser(), "--output-file", tf_dirs)
    elif fmt != "table":
        write(result, fmt, None, "-o", tf_dirs)
        return
    from driftctl.render.scan_table import render_scan

    render_scan(runtime.console(), result, tty=runtime.tty())


def write(
    result: dict[str, Any], fmt: str, path: Path | None, flag: str, tf_dirs: list[str] | None
) -> None:
    """One non-table format to ``path`` (None: stdout). JSON is streamed: the JSON of a very
    large scan is never held whole in memory."""
    from driftctl.files import stream_output, write_output

    if fmt == "json":
        from driftctl.render.json_ import write as write_json

        if path is None:
            write_json(result, runtime.emit)
        else:
            stream_output(path, lambda out: write_json(result, out), flag)
    elif path is None:
        runtime.emit(render(result, fmt, tf_dirs))
    else:
        write_output(path, render(result, fmt, tf_dirs), flag)


def render(result: dict[str, Any], fmt: str, tf_dirs: list[str] | None = None) -> str:
    if fmt == "json":
        from driftctl.render.json_ import dumps

        return dumps(result)
    if fmt == "sarif":
        from driftctl.iac.tf_config import declarations
        from driftctl.render.sarif import render_sarif

        return render_sarif(result, declarations=declarations(_config_dirs(result, tf_dirs)))
    if fmt == "junit":
        from driftctl.render.junit import render_junit

        return render_junit(result)
    if fmt == "html":
        from driftctl.render.html_report import render_html
        from driftctl.services.report import report_from_scan

        return render_html(report_from_scan(result))
    from driftctl.render.markdown import render_markdown

    return render_markdown(result)


def _config_dirs(result: dict[str, Any], tf_dirs: list[str] | None) -> list[Path]:
    """--tf-dir, else the folders of the local state files read and the working directory."""
    if tf_dirs:
        return [Path(d).expanduser() for d in tf_dirs]
    folders = [
        Path(str(s).removeprefix("tfstate://")).parent
        for s in result["scan"].get("iac_sources") or []
        if "://" not in str(s).removeprefix("tfstate://")
    ]
    return [*folders, Path.cwd()]


# The Go tool's --output schemes; ``console`` is the table.
_SCHEMES = {
    "console": "table",
    "json": "json",
    "html": "html",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
}
_STDOUT = ("", "stdout", "-", "/dev/stdout")


def check_destinations(values: list[str]) -> list[tuple[str, Path | None]]:
    """``FORMAT://PATH`` values as (format, file or None for stdout), checked before the scan.

    Raises ValidationError for an unknown scheme or a file that cannot be written.
    """
    from driftctl.errors import ValidationError
    from driftctl.files import check_output_path

    out: list[tuple[str, Path | None]] = []
    for value in values:
        scheme, _, where = value.partition("://")
        fmt = _SCHEMES.get(scheme.lower())
        if fmt is None:
            raise ValidationError(
                f"--output {value}: unknown output; use one of "
                + ", ".join(f"{s}://" for s in _SCHEMES)
            )
        if fmt == "table" or where in _STDOUT:
            out.append((fmt, None))
        else:
            out.append((fmt, check_output_path(Path(where), f"--output {scheme}://")))
    return out


def emit_destinations(
    result: dict[str, Any],
    destinations: list[tuple[str, Path | None]],
    *,
    tf_dirs: list[str] | None = None,
) -> None:
    """Write the result once per ``--output FORMAT://PATH``, each to its own destination."""
    for fmt, path in destinations:
        if fmt == "table" and path is None:
            from driftctl.render.scan_table import render_scan

            render_scan(runtime.console(), result, tty=runtime.tty())
        else:
            where = path.expanduser() if path is not None else None
            write(result, fmt, where, f"--output {fmt}://", tf_dirs)


def compat_notes(
    *,
    to: str,
    filter_expr: str | None,
    destinations: list[tuple[str, Path | None]],
    ignored: dict[str, bool],
) -> None:
    """One stderr line per Go driftctl flag that means something different here."""
    from driftctl.cli.console import write_err
    from driftctl.errors import ValidationError

    if to.strip().lower() != "aws+tf":
        raise ValidationError(f"--to {to}: only aws+tf (AWS against Terraform) is supported")
    for flag, given in ignored.items():
        if given:
            why = (
                "attributes are always compared"
                if flag == "--deep"
                else "driftctl reads AWS with boto3, not with a Terraform provider"
            )
            write_err(f"note: {flag} is accepted and ignored: {why}")
    if any(fmt == "json" for fmt, _ in destinations):
        write_err(
            "note: json:// writes driftctl's JSON (scan, summary, drifts), not the Go tool's "
            "shape; `driftctl gen-driftignore` reads both"
        )
    if filter_expr:
        write_err(
            "note: --filter selects the drifts reported and recorded; the summary still "
            "counts every resource read"
        )
