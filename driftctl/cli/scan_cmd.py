"""scan and baseline: compare Infrastructure-as-Code with live AWS."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from driftctl.cli import runtime

if TYPE_CHECKING:
    from driftctl.services.scanning import ScanOptions

SCAN_FORMATS = ("table", "json", "sarif", "junit", "markdown", "html")


def _headers(values: list[str] | None) -> dict[str, str]:
    from driftctl.errors import ValidationError

    out: dict[str, str] = {}
    for value in values or []:
        name, sep, header_value = value.partition("=")
        if not sep or not name.strip():
            raise ValidationError("--headers takes 'Name=value'")
        out[name.strip()] = header_value
    return out


def build_options(
    *,
    sources: list[str] | None,
    headers: list[str] | None,
    regions: list[str] | None,
    all_regions: bool,
    profile: str | None,
    role_arn: str | None,
    types: list[str] | None,
    only_managed: bool = False,
    only_unmanaged: bool = False,
    driftignore: str | None = None,
    fail_on: str = "info",
    fail_on_unsupported: bool = False,
    source: str = "manual",
    store: bool = True,
) -> ScanOptions:
    from driftctl.domain import DetectedBy
    from driftctl.errors import ValidationError
    from driftctl.services.scanning import ScanOptions

    try:
        detected_by = DetectedBy(source)
    except ValueError:
        raise ValidationError("--source must be manual, scheduler or api") from None
    type_list = [t.strip() for v in types or [] for t in v.split(",") if t.strip()]
    options = ScanOptions(
        sources=list(sources or []),
        headers=_headers(headers),
        regions=[r for v in regions or [] for r in v.split(",") if r],
        all_regions=all_regions,
        profile=profile,
        role_arn=role_arn,
        only_managed=only_managed,
        only_unmanaged=only_unmanaged,
        driftignore=Path(driftignore) if driftignore else None,
        fail_on=fail_on,
        fail_on_unsupported=fail_on_unsupported,
        source=detected_by,
        store=store,
    )
    if type_list:
        options.resource_types = type_list
    return options


def scan(
    ctx: typer.Context,
    sources: list[str] | None = typer.Option(
        None,
        "--from",
        "-f",
        metavar="SOURCE",
        help="IaC source (repeatable): a .tfstate path, a directory, a glob, tfstate://PATH, "
        "tfstate+s3://BUCKET/KEY, tfstate+https://URL, baseline://NAME. Default: "
        "./terraform.tfstate.",
    ),
    headers: list[str] | None = typer.Option(
        None, "--headers", metavar="NAME=VALUE", help="HTTP header for tfstate+https (repeatable)."
    ),
    regions: list[str] | None = typer.Option(
        None,
        "--region",
        metavar="REGION",
        help="Region to scan (repeatable). Default: the regions of the state's resources, "
        "else the profile's region.",
    ),
    all_regions: bool = typer.Option(False, "--all-regions", help="Scan every enabled region."),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (credential chain)."),
    role_arn: str | None = typer.Option(
        None, "--role-arn", help="Assume this role (another account)."
    ),
    types: list[str] | None = typer.Option(
        None,
        "--type",
        metavar="TYPE",
        help="Only this resource type (repeatable): a name such as EC2 or a Terraform type "
        "such as aws_instance. `driftctl types` lists them. Default: every type.",
    ),
    only_managed: bool = typer.Option(
        False, "--only-managed", help="Only drifts of resources in IaC (modified, missing)."
    ),
    only_unmanaged: bool = typer.Option(
        False, "--only-unmanaged", help="Only resources in no IaC source."
    ),
    driftignore: str | None = typer.Option(
        None, "--driftignore", metavar="PATH", help="Ignore file (default: ./.driftignore)."
    ),
    fail_on: str = typer.Option(
        "info",
        "--fail-on",
        help="Exit 1 when an open, unapproved drift is at or above: critical, warning, info, "
        "or never.",
    ),
    fail_on_unsupported: bool = typer.Option(
        False,
        "--fail-on-unsupported",
        help="Exit 2 before reading AWS when the state holds resources of Terraform types "
        "driftctl does not compare (the scan names them on stderr either way).",
    ),
    source: str = typer.Option(
        "manual", "--source", help="Who runs this scan: manual, scheduler or api."
    ),
    no_store: bool = typer.Option(
        False,
        "--no-store",
        help="Compare and print only: write nothing. Approvals and statuses of an existing "
        "database still apply.",
    ),
    output_file: str | None = typer.Option(
        None,
        "--output-file",
        metavar="PATH",
        help="Write the -o format to PATH (the table still goes to stdout).",
    ),
    tf_dirs: list[str] | None = typer.Option(
        None,
        "--tf-dir",
        metavar="DIR",
        help="Terraform configuration (repeatable) where SARIF locates each resource's "
        "declaration. Default: the state files' folders and the working directory.",
    ),
) -> None:
    """Compare IaC with live AWS, record every drift, print them, and exit 0/1/2/6.

    Exit codes: 0 no open unapproved drift at or above --fail-on; 1 drift found; 2 bad input;
    6 AWS unreachable or a partial scan (drifts found elsewhere are still recorded).

    Example: driftctl scan --from states/ --region us-east-1 -o sarif --output-file drift.sarif
    """
    from driftctl.services.scanning import run_scan

    fmt = runtime.output_format(ctx, SCAN_FORMATS)
    options = build_options(
        sources=sources,
        headers=headers,
        regions=regions,
        all_regions=all_regions,
        profile=profile,
        role_arn=role_arn,
        types=types,
        only_managed=only_managed,
        only_unmanaged=only_unmanaged,
        driftignore=driftignore,
        fail_on=fail_on,
        fail_on_unsupported=fail_on_unsupported,
        source=source,
        store=not no_store,
    )
    from driftctl.errors import ValidationError
    from driftctl.services.scanning import validate

    validate(options)
    if output_file and fmt == "table":
        raise ValidationError("--output-file needs -o json, sarif, junit, markdown or html")
    if output_file:
        from driftctl.files import check_output_path

        check_output_path(Path(output_file), "--output-file")  # before the scan, not after
    context = (
        runtime.existing_context(ctx, command="driftctl scan")
        if no_store
        else runtime.service_context(ctx, command="driftctl scan")
    )
    with runtime.progress("Scanning AWS"):
        outcome = run_scan(context, options, settings=runtime.settings(ctx))
    report_warnings(outcome.result)
    emit_result(outcome.result, fmt, output_file, tf_dirs=tf_dirs)
    if fmt == "table":
        report_not_compared(outcome.result)  # a note: -q silences it
    if outcome.result["scan"]["status"] != "completed":
        report_incomplete(outcome.result, as_json=fmt == "json")
    raise typer.Exit(outcome.exit_code)


def report_warnings(result: dict[str, Any]) -> None:
    """One stderr line per warning of the scan (a .driftignore line that has no effect...)."""
    from driftctl.cli.console import write_err
    from driftctl.render.table import safe

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
        from driftctl.files import write_output

        write_output(Path(output_file).expanduser(), render(result, fmt, tf_dirs), "--output-file")
    elif fmt != "table":
        runtime.emit(render(result, fmt, tf_dirs))
        return
    from driftctl.render.scan_table import render_scan

    render_scan(runtime.console(), result, tty=runtime.tty())


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


baseline_app = typer.Typer(
    help="Snapshots of the actual state, for accounts without IaC.", no_args_is_help=True
)


@baseline_app.command("capture")
def baseline_capture(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Name of the snapshot."),
    regions: list[str] | None = typer.Option(
        None, "--region", metavar="REGION", help="Region (repeatable)."
    ),
    all_regions: bool = typer.Option(False, "--all-regions"),
    profile: str | None = typer.Option(None, "--profile"),
    role_arn: str | None = typer.Option(None, "--role-arn"),
    types: list[str] | None = typer.Option(
        None, "--type", metavar="TYPE", help="Only these resource types."
    ),
) -> None:
    """Snapshot what AWS has now; later `driftctl scan --from baseline://NAME` shows what changed.

    Example: driftctl baseline capture before-migration --region eu-west-1
    """
    from driftctl.services.baselines import capture_baseline

    fmt = runtime.output_format(ctx, ("table", "json"))
    options = build_options(
        sources=None,
        headers=None,
        regions=regions,
        all_regions=all_regions,
        profile=profile,
        role_arn=role_arn,
        types=types,
    )
    context = runtime.service_context(ctx, command="driftctl baseline capture")
    with runtime.progress("Reading AWS"):
        info = capture_baseline(context, name, options)
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(info))
    else:
        runtime.emit(
            f"baseline {info['name']}: {info['resource_count']} resources in "
            f"{', '.join(info['regions'])}\n"
        )


@baseline_app.command("list")
def baseline_list(ctx: typer.Context) -> None:
    """List the captured baselines.

    Example: driftctl baseline list -o json
    """
    from driftctl.services.baselines import list_baselines

    fmt = runtime.output_format(ctx, ("table", "json"))
    items = list_baselines(runtime.service_context(ctx, command="driftctl baseline list"))
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": items}))
        return
    from driftctl.render.table import render_table

    render_table(
        runtime.console(),
        ("name", "resources", "regions", "created_at", "created_by"),
        [
            (
                b["name"],
                b["resource_count"],
                ",".join(b["regions"]),
                b["created_at"][:16],
                b["created_by"] or "",
            )
            for b in items
        ],
        tty=runtime.tty(),
    )
