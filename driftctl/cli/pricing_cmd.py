"""pricing refresh / pricing show: the price table cost impact is computed from."""

from __future__ import annotations

import typer

from driftctl.cli import runtime

app = typer.Typer(
    help="Inspect and refresh the on-demand price table used for cost impact.",
    no_args_is_help=True,
)


@app.command("show")
def show(
    ctx: typer.Context,
    instance_type: str = typer.Argument(
        ..., metavar="TYPE", help="EC2 instance type (t3.large) or RDS DB class (db.t3.micro)."
    ),
    region: str | None = typer.Option(
        None, "--region", help="Only this region (default: every region the table has)."
    ),
) -> None:
    """Show the hourly and monthly (730 h) on-demand price of an EC2 type or RDS class.

    Exit 3 when the table has no price for it: an unknown type gets "did you mean", a region
    without bundled prices the `driftctl pricing refresh` to run. No price is ever guessed.

    Example: driftctl pricing show db.t3.medium --region eu-west-1 -o json
    """
    from driftctl.services.costs import show_price

    fmt = runtime.output_format(ctx, ("table", "json"))
    quote = show_price(instance_type, region)
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(quote.to_dict()))
        return
    from driftctl.render.summary import money
    from driftctl.render.table import render_fields, render_heading, render_table

    console, tty = runtime.console(), runtime.tty()
    sources = quote.sources()
    # One source line, or one per source naming the regions it covers.
    source_lines = [
        ("source", source if len(sources) == 1 else f"{source} ({', '.join(regions)})")
        for source, regions in sources
    ]
    render_fields(
        console,
        [
            ("type", quote.instance_type),
            ("service", "RDS (PostgreSQL)" if quote.service == "rds" else "EC2 (Linux)"),
            ("prices as of", quote.as_of),
            *source_lines,
        ],
        tty=tty,
    )
    columns = ["region", "usd_hour", "usd_month"]
    if quote.service == "rds":
        columns += ["multi_az_usd_hour", "multi_az_usd_month"]
    rows = []
    for p in quote.prices:
        row = [p.region, _rate(p.hourly), money(p.monthly)]
        if quote.service == "rds":
            row += [_rate(p.multi_az_hourly), money(p.multi_az_monthly)]
        rows.append(row)
    render_heading(console, f"On-demand prices ({quote.currency})", tty=tty)
    render_table(console, columns, rows, tty=tty)


def _rate(value: object) -> str:
    return "" if value is None else f"{value}"


@app.command("refresh")
def refresh(
    ctx: typer.Context,
    regions: list[str] | None = typer.Option(
        None,
        "--region",
        help="Region to refresh (repeatable; default: every region of the current table).",
    ),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (credential chain)."),
) -> None:
    """Fetch current on-demand prices from the AWS Price List API into the user cache.

    Needs pricing:GetProducts. On an AWS failure nothing is written and the exit code is 6.

    Example: driftctl pricing refresh --region us-east-1 --region eu-west-1 --profile billing
    """
    from driftctl.services.costs import refresh_prices

    fmt = runtime.output_format(ctx, ("table", "json"))
    wanted = [r.strip() for value in regions or [] for r in value.split(",") if r.strip()]
    with runtime.progress("Reading the AWS Price List API"):
        result = refresh_prices(wanted or None, profile=profile)
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(result.to_dict()))
        return
    lines = [
        f"updated {result.path}",
        f"prices as of {result.as_of} (was {result.previous_as_of}), source: {result.source}",
        f"regions: {', '.join(result.regions)}",
        f"fetched: {result.ec2_prices} EC2, {result.rds_prices} RDS, "
        f"{result.storage_prices} RDS storage prices",
        f"{result.added} new and {result.changed} changed prices",
    ]
    changed = [c for c in result.changes if c.old is not None]
    for c in changed[:20]:
        lines.append(f"  {c.service} {c.region} {c.name}: {c.old} -> {c.new}")
    if len(changed) > 20:
        lines.append(f"  ... and {len(changed) - 20} more (-o json lists them all)")
    from driftctl.render.table import safe

    runtime.emit("".join(safe(line) + "\n" for line in lines))
