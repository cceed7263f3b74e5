"""``driftctl remediate``: show the plan that puts AWS back to the IaC, ask, run it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer

from driftctl.cli import runtime

if TYPE_CHECKING:
    from driftctl.remediation.plan import DriftPlan
    from driftctl.services.remediation import Applied, DriftResult, Prepared, RemediateOptions

FORMATS = ("table", "json", "markdown")
# Parameters wider than this are cut in the table (the JSON output has them whole).
PARAMS_WIDTH = 100


def remediate(
    ctx: typer.Context,
    ids: list[str] | None = typer.Argument(
        None,
        metavar="[ID]...",
        help="Drift ids or unique prefixes (6+ characters); - reads ids from stdin.",
    ),
    all_rejected: bool = typer.Option(
        False, "--all-rejected", help="Every rejected drift (rejected = must be fixed)."
    ),
    status: list[str] | None = typer.Option(
        None, "--status", help="detected, triaged, rejected (repeatable; default: all three)."
    ),
    severity: list[str] | None = typer.Option(
        None, "--severity", help="critical, warning, info (repeatable)."
    ),
    resource_type: list[str] | None = typer.Option(
        None, "--type", help="Resource type (repeatable): SECURITY_GROUP, aws_s3_bucket, …"
    ),
    region: list[str] | None = typer.Option(None, "--region", help="Region (repeatable)."),
    drift_type: list[str] | None = typer.Option(
        None, "--drift-type", help="modified or unmanaged (repeatable)."
    ),
    search: str | None = typer.Option(
        None, "--search", metavar="TEXT", help="Text in the resource id or IaC address."
    ),
    since: str | None = typer.Option(
        None, "--since", metavar="WHEN", help="Detected since: an ISO date, or an age like 7d."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the plan only; change nothing (exit 0)."
    ),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Run the plan without asking (needed without a terminal)."
    ),
    allow_restart: bool = typer.Option(
        False,
        "--allow-restart",
        help="Allow reverts that interrupt the resource (EC2 instance type: stop and start; "
        "RDS instance class).",
    ),
    delete_unmanaged: bool = typer.Option(
        False,
        "--delete-unmanaged",
        help="Delete unmanaged resources whose type allows it; each deletion must also be "
        "confirmed by typing the resource id (or --confirm-delete).",
    ),
    confirm_delete: list[str] | None = typer.Option(
        None,
        "--confirm-delete",
        metavar="RESOURCE_ID",
        help="Confirm deleting this unmanaged resource without a prompt (repeatable).",
    ),
    skip_refused: bool = typer.Option(
        False,
        "--skip-refused",
        help="Run the plans that are ready even when others are refused (default: run none).",
    ),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (credential chain)."),
    role_arn: str | None = typer.Option(
        None, "--role-arn", metavar="ARN", help="Role to assume for the calls."
    ),
) -> None:
    """Put AWS back to what the IaC says: print the plan of AWS calls, ask, run it.

    Only drifts that are detected, triaged or rejected; an approved drift is intended and is
    refused (exit 4). Missing resources are never re-created (that is terraform apply's
    job) and unmanaged ones are never deleted without --delete-unmanaged. Before planning,
    each resource is read again: if AWS no longer shows the recorded difference, the drift is
    refused (exit 4, run scan again). On success the drift is resolved (auto-remediate); when a
    call fails it stays open, a remediation_failed alert is raised, and the exit code is 6.

    \b
    Example: driftctl remediate 3f2a1b --dry-run
             driftctl remediate --all-rejected --yes
             driftctl remediate --all-rejected --dry-run -o markdown > plan.md
    """
    from driftctl.services import remediation as svc

    fmt = runtime.output_format(ctx, FORMATS)
    options = _options(
        ids,
        all_rejected=all_rejected,
        filters=_filters(status, severity, resource_type, region, drift_type, search, since),
        allow_restart=allow_restart,
        delete_unmanaged=delete_unmanaged,
        profile=profile,
        role_arn=role_arn,
    )
    context = runtime.service_context(ctx, command="driftctl remediate")
    prepared = svc.prepare(context, options)
    run(
        context,
        prepared,
        options,
        fmt=fmt,
        dry_run=dry_run,
        yes=yes,
        confirmed_deletes=set(confirm_delete or []),
        skip_refused=skip_refused,
        ids_from_stdin="-" in (ids or []),
    )


def run_for_ids(ctx: typer.Context, ids: list[str]) -> None:
    """``resolve --how auto-remediate ID...``: ``remediate ID... --yes`` with the defaults."""
    from driftctl.services import remediation as svc

    fmt = runtime.output_format(ctx, FORMATS)
    options = _options(ids)
    context = runtime.service_context(ctx, command="driftctl resolve")
    run(
        context,
        svc.prepare(context, options),
        options,
        fmt=fmt,
        dry_run=False,
        yes=True,
        confirmed_deletes=set(),
        skip_refused=False,
        ids_from_stdin="-" in ids,
    )


def _options(ids: list[str] | None, **kwargs: Any) -> RemediateOptions:
    from driftctl.services.remediation import RemediateOptions

    return RemediateOptions(ids=runtime.read_ids(ids) if ids else [], **kwargs)


def _filters(
    status: list[str] | None,
    severity: list[str] | None,
    resource_type: list[str] | None,
    region: list[str] | None,
    drift_type: list[str] | None,
    search: str | None,
    since: str | None,
) -> Any:
    from driftctl.cli.drifts_cmd import _check_enum, _resource_types, _split
    from driftctl.db.repositories.drifts import DriftFilter
    from driftctl.domain import DriftType, Severity
    from driftctl.services.drifts import parse_since
    from driftctl.services.remediation import REMEDIABLE

    given = (status, severity, resource_type, region, drift_type, search, since)
    if not any(given):
        return None
    return DriftFilter(
        statuses=_check_enum("--status", _split(status), REMEDIABLE),
        severities=_check_enum("--severity", _split(severity), tuple(s.value for s in Severity)),
        resource_types=_resource_types(_split(resource_type)),
        regions=_split(region),
        drift_types=_check_enum(
            "--drift-type", _split(drift_type), tuple(t.value for t in DriftType)
        ),
        search=search,
        since=parse_since(since),
    )


def run(
    context: Any,
    prepared: Prepared,
    options: RemediateOptions,
    *,
    fmt: str,
    dry_run: bool,
    yes: bool,
    confirmed_deletes: set[str],
    skip_refused: bool,
    ids_from_stdin: bool = False,
) -> None:
    """Print PREPARED's plan, then (unless refused or declined) run it and print the results."""
    from driftctl.cli import console
    from driftctl.errors import ConflictError, ExitCode, ExternalServiceError, ValidationError
    from driftctl.services import remediation as svc

    if not prepared.items:
        _print(fmt, prepared, None)
        console.write_err("No drifts to remediate.")
        return
    if dry_run:
        _print(fmt, prepared, None)
        return
    if prepared.refused and not (skip_refused and prepared.ready):
        _print(fmt, prepared, None)
        first = prepared.refused[0].plan
        more = len(prepared.refused) - 1
        message = (
            f"cannot remediate drift {first.drift_id}: {first.refused}"
            + (f" (and {more} more refused)" if more else "")
            + (
                "; nothing was changed"
                + ("; --skip-refused runs the others" if prepared.ready else "")
            )
        )
        if prepared.refusal_exit_code == ExitCode.EXTERNAL:
            raise ExternalServiceError(message)
        raise ConflictError(message)
    _confirm_deletes(prepared, confirmed_deletes, interactive=not ids_from_stdin)
    if not yes:
        if ids_from_stdin or not console.stdin_is_tty():
            _print(fmt, prepared, None)
            raise ValidationError(
                "not asking without a terminal: add --yes to run this plan "
                "(--dry-run only prints it)"
            )
        _print(fmt, prepared, None)
        calls = sum(len(i.plan.calls) for i in prepared.ready)
        account = f" in account {prepared.account_id}" if prepared.account_id else ""
        question = (
            f"Run {calls} AWS call{'s' if calls != 1 else ''} on "
            f"{len(prepared.ready)} resource{'s' if len(prepared.ready) != 1 else ''}{account}?"
        )
        if not typer.confirm(question, default=False, err=True):
            console.write_err("Nothing was changed.")
            return
    elif fmt == "table":
        _print(fmt, prepared, None)

    def told(result: DriftResult) -> None:
        if fmt == "table":
            runtime.emit(_result_line(result) + "\n")

    applied = svc.apply(context, prepared, options, told=told)
    if fmt != "table":
        _print(fmt, prepared, applied)
    if applied.exit_code != ExitCode.OK:
        bad = [r for r in applied.results if r.outcome != "resolved"]
        others = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        console.write_error(
            f"error: drift {bad[0].drift_id} not remediated: {bad[0].error}{others}; it stays open"
        )
        raise typer.Exit(applied.exit_code)


def _confirm_deletes(prepared: Prepared, confirmed: set[str], *, interactive: bool) -> None:
    """Every deletion is confirmed by its resource id: --confirm-delete or typed at a prompt."""
    from driftctl.cli import console
    from driftctl.errors import ValidationError

    for item in prepared.ready:
        plan = item.plan
        if not plan.deletes or plan.resource_id in confirmed:
            continue
        if not interactive or not console.stdin_is_tty():
            raise ValidationError(
                f"deleting {plan.resource_type} {plan.resource_id} needs its id confirmed: "
                f"add --confirm-delete {plan.resource_id}"
            )
        typed = typer.prompt(
            f"Type {plan.resource_id} to delete this unmanaged {plan.resource_type}", err=True
        )
        if str(typed).strip() != plan.resource_id:
            raise ValidationError(f"{typed!r} does not name {plan.resource_id}: nothing deleted")


# --- output -----------------------------------------------------------------------------------


def _print(fmt: str, prepared: Prepared, applied: Applied | None) -> None:
    if fmt == "json":
        from driftctl.render.json_ import dumps

        out = prepared.to_dict()
        if applied is not None:
            out.update(applied.to_dict())
        runtime.emit(dumps(out))
    elif fmt == "markdown":
        runtime.emit(markdown(prepared, applied))
    else:
        runtime.emit(plain(prepared))


def _params(params: dict[str, Any]) -> str:
    text = json.dumps(params, sort_keys=True, default=str)
    return text if len(text) <= PARAMS_WIDTH else text[: PARAMS_WIDTH - 1] + "…"


def plain(prepared: Prepared) -> str:
    """The plan as stable plain text (no markup, so AWS values print as they are)."""
    from driftctl.remediation.plan import masked_params

    summary = prepared.to_dict()["summary"]
    lines = [
        f"Remediation plan: {summary['ready']} of {summary['drifts']} "
        f"drift{'s' if summary['drifts'] != 1 else ''} ready, {summary['calls']} AWS "
        f"call{'s' if summary['calls'] != 1 else ''}"
    ]
    for plan in prepared.plans:
        lines.append("")
        lines.append(f"{_head(plan)}  {'ready' if plan.ready else 'refused: ' + str(plan.refused)}")
        if not plan.ready:
            continue
        for number, call in enumerate(plan.calls, start=1):
            flags = " (restart)" if call.restart else " (delete)" if call.delete else ""
            lines.append(f"  {number}. {call.name}{flags}  fixes {', '.join(call.fixes)}")
            lines.append(f"     {_params(masked_params(call))}")
    return "\n".join(lines) + "\n"


def _head(plan: DriftPlan) -> str:
    drift = (plan.drift_id or "")[:8]
    return f"{drift}  {plan.resource_type} {plan.resource_id}  {plan.region}  {plan.drift_type}"


def _md(value: Any) -> str:
    """A value fit for a Markdown table cell: pipes, backticks and newlines neutralised."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")
    return " ".join(text.split())


def markdown(prepared: Prepared, applied: Applied | None = None) -> str:
    """The plan (and results) as Markdown, for a pull-request comment."""
    from driftctl.remediation.plan import masked_params

    summary = prepared.to_dict()["summary"]
    lines = [
        "### driftctl remediation plan",
        "",
        f"{summary['ready']} of {summary['drifts']} drifts ready, {summary['calls']} AWS calls.",
        "",
        "| Drift | Resource | Region | Plan |",
        "|---|---|---|---|",
    ]
    for plan in prepared.plans:
        if plan.ready:
            steps = "<br>".join(
                f"{n}. `{c.name}` {_md(_params(masked_params(c)))}"
                for n, c in enumerate(plan.calls, start=1)
            )
        else:
            steps = f"refused: {_md(plan.refused)}"
        lines.append(
            f"| `{(plan.drift_id or '')[:8]}` | {_md(plan.resource_type)} "
            f"{_md(plan.resource_id)} | {_md(plan.region)} | {steps} |"
        )
    if applied is not None:
        lines += ["", "| Drift | Outcome | Detail |", "|---|---|---|"]
        for result in applied.results:
            lines.append(
                f"| `{result.drift_id[:8]}` | {result.outcome} | {_md(result.error or '')} |"
            )
    return "\n".join(lines) + "\n"


def _result_line(result: DriftResult) -> str:
    made = [c.operation for c in result.calls if c.result == "ok"]
    head = f"{result.outcome} {result.drift_id[:8]} ({result.resource_type} {result.resource_id})"
    if result.outcome == "resolved":
        return f"{head}: {len(made)} call{'s' if len(made) != 1 else ''}, drift resolved"
    done = f"; calls made: {', '.join(made)}" if made else "; no call was made"
    return f"{head}: {result.error}{done}"
