"""types: the resource types driftctl compares, from its registry."""

from __future__ import annotations

import typer

from driftctl.cli import runtime


def types(
    ctx: typer.Context,
    name: str | None = typer.Argument(
        None, metavar="TYPE", help="One type (EC2, or a Terraform type such as aws_instance)."
    ),
    markdown: bool = typer.Option(
        False, "--markdown", help="Print the table as Markdown (the README's Resource types)."
    ),
) -> None:
    """List the resource types driftctl compares; with TYPE, what it reads and compares.

    Each type names its Terraform types (accepted by --type, .driftignore and severity rules),
    its scope, the AWS calls a scan makes, its compared attributes and its severity rules.

    Example: driftctl types aws_s3_bucket -o json
    """
    from driftctl.types import catalog, registry

    fmt = runtime.output_format(ctx, ("table", "json"))
    if markdown:
        runtime.emit(catalog.markdown_table())
        return
    if name is not None:
        info = catalog.describe(registry.resolve(name))
        if fmt == "json":
            from driftctl.render.json_ import dumps

            runtime.emit(dumps(info))
            return
        from driftctl.render.types_detail import render_type

        render_type(runtime.console(), info, tty=runtime.tty())
        return
    items = catalog.describe_all()
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": items}))
        return
    from driftctl.render.table import render_table

    render_table(
        runtime.console(),
        ("type", "name", "terraform types", "scope"),
        [
            (
                i["resource_type"],
                i["display_name"],
                ", ".join(t["name"] for t in i["terraform_types"]),
                i["scope"],
            )
            for i in items
        ],
        tty=runtime.tty(),
    )
