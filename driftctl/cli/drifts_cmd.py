"""list, show, triage, approve, reject, resolve: the drift workflow commands."""

from __future__ import annotations

from typing import Any

import typer

from driftctl.cli import runtime

LIST_COLUMNS = (
    "id",
    "severity",
    "status",
    "drift_type",
    "resource_type",
    "resource_id",
    "region",
    "cost_impact_monthly",
    "detected_at",
)
# The table's headers, in words; on a narrow terminal the columns go in DROP_ORDER.
LIST_HEADERS = (
    "ID",
    "Severity",
    "Status",
    "Kind",
    "Type",
    "Resource",
    "Region",
    "Cost/mo",
    "Detected",
)
DROP_ORDER = (8, 6, 3, 7, 2, 4)
CSV_COLUMNS = (
    "id",
    "resource_id",
    "resource_type",
    "region",
    "account_id",
    "drift_type",
    "severity",
    "cost_impact_monthly",
    "status",
    "detected_at",
    "detected_by",
    "last_seen_at",
    "approved_at",
    "approved_by",
    "approval_reason",
    "rejected_at",
    "rejected_by",
    "rejection_reason",
    "resolved_at",
    "resolved_how",
    "created_at",
    "updated_at",
    "difference",
)


def _resource_types(values: list[str]) -> list[str]:
    """--type values (names or Terraform types) as registered type names."""
    if not values:
        return []  # the registry is not loaded for a plain `list`
    from driftctl.errors import ValidationError
    from driftctl.types.registry import resolve

    try:
        return list(dict.fromkeys(resolve(v).resource_type for v in values))
    except ValidationError as exc:
        raise ValidationError(f"--type: {exc.message}") from None


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def _check_enum(name: str, values: list[str], allowed: tuple[str, ...]) -> list[str]:
    from driftctl.errors import ValidationError

    for v in values:
        if v not in allowed:
            raise ValidationError(f"invalid {name} {v!r}: choose from {', '.join(allowed)}")
    return values


def list_drifts(
    ctx: typer.Context,
    status: list[str] | None = typer.Option(
        None, "--status", help="detected, triaged, approved, rejected, resolved (repeatable)."
    ),
    severity: list[str] | None = typer.Option(
        None, "--severity", help="critical, warning, info (repeatable)."
    ),
    resource_type: list[str] | None = typer.Option(
        None,
        "--type",
        help="Resource type (repeatable): EC2, aws_instance, … (`driftctl types` lists them).",
    ),
    region: list[str] | None = typer.Option(None, "--region", help="Region (repeatable)."),
    drift_type: list[str] | None = typer.Option(
        None, "--drift-type", help="modified, missing, unmanaged (repeatable)."
    ),
    search: str | None = typer.Option(
        None, "--search", help="Text in the resource id or IaC address."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Detected since: an ISO date, or an age like 24h or 7d."
    ),
    sort: str = typer.Option("detected", "--sort", help="detected, created, cost or severity."),
    asc: bool = typer.Option(False, "--asc", help="Ascending order (default: descending)."),
    page: int | None = typer.Option(None, "--page", min=1, help="Page number (default 1)."),
    limit: int | None = typer.Option(None, "--limit", help="Rows per page, 1-100 (default 20)."),
    all_pages: bool = typer.Option(
        False,
        "--all",
        help="Every page, streamed (the default for -o json and -o csv without --page/--limit).",
    ),
) -> None:
    """List drifts, newest first: one page of the table, or every drift as JSON or CSV.

    -o json and -o csv give every drift the filters select (streamed), so a pipe sees all of
    them; --page or --limit asks for one page instead.

    Example: driftctl list --status detected --severity critical -o json | jq -r '.items[].id'
    """
    from driftctl.db.repositories.drifts import DriftFilter
    from driftctl.domain import DriftStatus, DriftType, Severity
    from driftctl.services import drifts as svc

    fmt = runtime.output_format(ctx, ("table", "json", "csv"))
    filters = DriftFilter(
        statuses=_check_enum("--status", _split(status), tuple(s.value for s in DriftStatus)),
        severities=_check_enum("--severity", _split(severity), tuple(s.value for s in Severity)),
        resource_types=_resource_types(_split(resource_type)),
        regions=_split(region),
        drift_types=_check_enum(
            "--drift-type", _split(drift_type), tuple(t.value for t in DriftType)
        ),
        search=search,
        since=svc.parse_since(since),
    )
    context = runtime.service_context(ctx, command="driftctl list")
    paged = page is not None or limit is not None
    if not (all_pages or (fmt != "table" and not paged)):
        result = svc.list_drifts(
            context,
            filters=filters,
            sort=sort,
            ascending=asc,
            page=1 if page is None else page,
            limit=svc.DEFAULT_LIMIT if limit is None else limit,
        )
        _print_page(fmt, result.items, result.pagination(), header=True)
        return
    # Every page, streamed, so a million rows never sit in memory at once.
    current, first = 1, True
    while True:
        result = svc.list_drifts(
            context, filters=filters, sort=sort, ascending=asc, page=current, limit=svc.MAX_LIMIT
        )
        if fmt == "json":
            _stream_json(result.items, result.pagination(), first=first, last=not result.has_more)
        else:
            _print_page(fmt, result.items, None, header=first)
        first = False
        if not result.has_more:
            break
        current += 1


def _stream_json(
    items: list[dict[str, Any]], pagination: dict[str, Any], *, first: bool, last: bool
) -> None:
    import json

    from driftctl.domain import jsonable

    chunks = []
    if first:
        chunks.append('{"items": [')
    for i, item in enumerate(items):
        sep = "" if first and i == 0 else ","
        chunks.append(sep + "\n  " + json.dumps(jsonable(item), ensure_ascii=False))
    if last:
        total = pagination["total"]
        summary = {
            "total": total,
            "page": 1,
            "page_size": total,
            "total_pages": 1,
            "has_more": False,
        }
        chunks.append("\n], " + '"pagination": ' + json.dumps(summary) + "}\n")
    runtime.emit("".join(chunks))


def _print_page(
    fmt: str, items: list[dict[str, Any]], pagination: dict[str, Any] | None, *, header: bool
) -> None:
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": items, "pagination": pagination}))
        return
    if fmt == "csv":
        from driftctl.render.csv_ import dumps as csv_dumps

        text = csv_dumps(items, CSV_COLUMNS)
        runtime.emit(text if header else text.split("\n", 1)[1])
        return
    from driftctl.cli.console import write_err
    from driftctl.render.table import SEVERITY_STYLE, STATUS_STYLE, render_table

    rows = [[_cell(item, c) for c in LIST_COLUMNS] for item in items]
    tty = runtime.tty()
    if not rows and header and tty:
        write_err("No drifts match.")
        return
    if not header and not tty:
        # --all: later pages continue the first page's rows under its single header line.
        from driftctl.render.table import plain_table

        runtime.emit(plain_table(LIST_COLUMNS, rows).split("\n", 1)[1])
        return
    styles = [None, SEVERITY_STYLE, STATUS_STYLE, None, None, None, None, None, None]
    # Piped, the header is the stable column names (a script's awk or cut reads them), and it
    # is printed even above no rows; on a terminal, words.
    render_table(
        runtime.console(),
        LIST_HEADERS if tty else LIST_COLUMNS,
        rows,
        tty=tty,
        styles=styles,
        drop_order=DROP_ORDER,
        fold=(5,),
    )
    if pagination is not None:
        total = pagination["total"]
        write_err(
            f"page {pagination['page']} of {pagination['total_pages']} "
            f"({total} drift{'' if total == 1 else 's'})"
        )


def _cell(item: dict[str, Any], column: str) -> Any:
    value = item.get(column)
    if column == "id" and isinstance(value, str):
        return value[:8]
    if column == "cost_impact_monthly":
        return f"{float(value or 0):.2f}"
    if column == "detected_at" and isinstance(value, str):
        return value[:16].replace("T", " ")
    return value


def show(
    ctx: typer.Context,
    drift_id: str = typer.Argument(..., metavar="ID", help="Drift id or a unique prefix (6+)."),
) -> None:
    """Show one drift with its full difference, cost history, alerts and audit trail.

    Example: driftctl show 3f2a1b
    """
    from driftctl.services import drifts as svc

    fmt = runtime.output_format(ctx, ("table", "json"))
    detail = svc.show_drift(runtime.service_context(ctx, command="driftctl show"), drift_id)
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps(detail))
        return
    from driftctl.render.drift_detail import render_detail

    render_detail(runtime.console(), detail, tty=runtime.tty())


def _print_changed(ctx: typer.Context, changed: list[dict[str, Any]], verb: str) -> None:
    fmt = runtime.output_format(ctx, ("table", "json"))
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": changed}))
        return
    for item in changed:
        runtime.emit(f"{verb} {item['id']} ({item['resource_type']} {item['resource_id']})\n")


def _reason(reason: str | None, ids: list[str], verb: str) -> str | None:
    """--reason, asked for on a terminal when it is missing (not when ids come from stdin)."""
    from driftctl.cli import console

    if reason is not None or "-" in ids or not console.stdin_is_tty():
        return reason
    if console.is_quiet():
        return None
    return str(typer.prompt(f"Why {verb} (at least 10 characters)", err=True))


IDS_HELP = "Drift ids or unique prefixes (6+ characters); - reads ids from stdin, one per line."


def triage(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(..., metavar="ID...", help=IDS_HELP),
    note: str | None = typer.Option(None, "--note", help="Why, for the audit trail."),
) -> None:
    """Mark drifts as triaged (someone is looking at them).

    Example: driftctl triage 3f2a1b 9c0d4e --note "checking with the app team"
    """
    from driftctl.services import drifts as svc

    context = runtime.service_context(ctx, command="driftctl triage")
    _print_changed(ctx, svc.triage(context, runtime.read_ids(ids), note=note), "triaged")


def approve(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(..., metavar="ID...", help=IDS_HELP),
    reason: str | None = typer.Option(
        None,
        "--reason",
        help="Why this change is intended (at least 10 characters). Required; asked for on "
        "a terminal.",
    ),
) -> None:
    """Approve drifts: the change is intended, and stops failing CI while it stays the same.

    Example: driftctl list --status detected -o json | jq -r '.items[].id' |
      driftctl approve - --reason "scaled up for the launch"
    """
    from driftctl.services import drifts as svc

    reason = _reason(reason, ids, "approve")
    context = runtime.service_context(ctx, command="driftctl approve")
    _print_changed(ctx, svc.approve(context, runtime.read_ids(ids), reason=reason), "approved")


def reject(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(..., metavar="ID...", help=IDS_HELP),
    reason: str | None = typer.Option(
        None,
        "--reason",
        help="Why this must be fixed (at least 10 characters). Required; asked for on a terminal.",
    ),
) -> None:
    """Reject drifts: unwanted, must be fixed; they keep failing CI until resolved.

    Example: driftctl reject 3f2a1b --reason "port 22 must not be open to the world"
    """
    from driftctl.services import drifts as svc

    reason = _reason(reason, ids, "reject")
    context = runtime.service_context(ctx, command="driftctl reject")
    _print_changed(ctx, svc.reject(context, runtime.read_ids(ids), reason=reason), "rejected")


def resolve(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(..., metavar="ID...", help=IDS_HELP),
    how: str = typer.Option(
        ...,
        "--how",
        help="manual-fix (after approve/reject), acknowledged (from any open status), "
        "auto-remediate (driftctl puts AWS back: the same as `driftctl remediate ID --yes`).",
    ),
    reason: str | None = typer.Option(None, "--reason", help="Optional note for the audit trail."),
) -> None:
    """Resolve drifts.

    Example: driftctl resolve 3f2a1b --how manual-fix --reason "reverted in the console"
    """
    from driftctl.domain import ResolvedHow
    from driftctl.errors import ValidationError
    from driftctl.services import drifts as svc

    try:
        how_value = ResolvedHow(how)
    except ValueError:
        raise ValidationError(
            f"invalid --how {how!r}: choose manual-fix, acknowledged or auto-remediate"
        ) from None
    if how_value is ResolvedHow.AUTO_REMEDIATE:
        # The same as `driftctl remediate ID... --yes`: the plan runs, then the drift resolves.
        from driftctl.cli.remediate_cmd import run_for_ids

        run_for_ids(ctx, ids)
        return
    context = runtime.service_context(ctx, command="driftctl resolve")
    changed = svc.resolve(context, runtime.read_ids(ids), how=how_value, reason=reason)
    _print_changed(ctx, changed, "resolved")
