"""scan and baseline: compare Infrastructure-as-Code with live AWS."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from driftctl.cli import runtime
from driftctl.cli.options import GO_OUTPUT_OPTION

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
        "tfstate+s3://BUCKET/KEY, tfstate+https://URL, tfstate+tfcloud://WORKSPACE_ID, "
        "baseline://NAME. Default: the s3 or local backend of ./*.tf, else ./terraform.tfstate.",
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
    filter_expr: str | None = typer.Option(
        None,
        "--filter",
        metavar="EXPR",
        help="Only drifts this JMESPath expression selects, e.g. \"Type=='aws_instance' && "
        "Attr.tags.Env=='prod'\" (fields: Type, Id, Attr and every drift field).",
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Also report what AWS creates itself (service-linked roles, default security "
        "groups) when no IaC manages it.",
    ),
    tfc_token: str | None = typer.Option(
        None,
        "--tfc-token",
        metavar="TOKEN",
        envvar="TFE_TOKEN",
        show_envvar=True,
        help="Terraform Cloud/Enterprise API token for tfstate+tfcloud://WORKSPACE_ID.",
    ),
    tfc_endpoint: str = typer.Option(
        "https://app.terraform.io/api/v2",
        "--tfc-endpoint",
        metavar="URL",
        help="Terraform Cloud/Enterprise API base URL.",
    ),
    to: str = typer.Option(
        "aws+tf", "--to", metavar="aws+tf", help="What is scanned: aws+tf (the only choice)."
    ),
    outputs: list[str] | None = typer.Option(
        None, GO_OUTPUT_OPTION, hidden=True, help="FORMAT://PATH outputs (from -o)."
    ),
    tf_provider_version: str | None = typer.Option(
        None, "--tf-provider-version", metavar="VERSION", hidden=True
    ),
    tf_lockfile: str | None = typer.Option(None, "--tf-lockfile", metavar="PATH", hidden=True),
    deep: bool = typer.Option(False, "--deep", hidden=True),
) -> None:
    """Compare IaC with live AWS, record every drift, print them, and exit 0/1/2/6.

    Exit codes: 0 no open unapproved drift at or above --fail-on; 1 drift found; 2 bad input;
    6 AWS unreachable or a partial scan (drifts found elsewhere are still recorded).

    Example: driftctl scan --from states/ --region us-east-1 -o sarif --output-file drift.sarif
    """
    from driftctl.cli.scan_output import check_destinations, compat_notes
    from driftctl.services.scanning import run_scan

    destinations = check_destinations(outputs or [])
    fmt = "table" if destinations else runtime.output_format(ctx, SCAN_FORMATS)
    compat_notes(
        to=to,
        filter_expr=filter_expr,
        destinations=destinations,
        ignored={
            "--tf-provider-version": tf_provider_version is not None,
            "--tf-lockfile": tf_lockfile is not None,
            "--deep": deep,
        },
    )
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
    options.filter_expr = filter_expr
    options.strict = strict
    options.tfc_token = tfc_token
    options.tfc_endpoint = tfc_endpoint
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
    with runtime.scan_progress("Scanning AWS") as tell:
        options.progress = tell
        outcome = run_scan(context, options, settings=runtime.settings(ctx))
    from driftctl.cli.scan_output import (
        emit_result,
        report_incomplete,
        report_not_compared,
        report_warnings,
    )

    report_warnings(outcome.result)
    if destinations:
        from driftctl.cli.scan_output import emit_destinations

        emit_destinations(outcome.result, destinations, tf_dirs=tf_dirs)
    else:
        emit_result(outcome.result, fmt, output_file, tf_dirs=tf_dirs)
    if fmt == "table":
        report_not_compared(outcome.result)  # a note: -q silences it
    if outcome.result["scan"]["status"] != "completed":
        report_incomplete(outcome.result, as_json=fmt == "json")
    raise typer.Exit(outcome.exit_code)


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
    all_regions: bool = typer.Option(False, "--all-regions", help="Every enabled region."),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (credential chain)."),
    role_arn: str | None = typer.Option(
        None, "--role-arn", help="Assume this role (another account)."
    ),
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
