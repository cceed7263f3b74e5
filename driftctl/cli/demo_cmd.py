"""demo: the whole job end to end on an emulated AWS account, no credentials needed."""

from __future__ import annotations

import typer

from driftctl.cli import runtime


def demo(
    ctx: typer.Context,
    workdir: str | None = typer.Option(
        None,
        "--workdir",
        metavar="DIR",
        help="Where to put the demo's state file and database (default: a new temp directory).",
    ),
) -> None:
    """Run a scan on a built-in emulated AWS account with drift, into a throwaway database.

    Nothing touches real AWS or your own database: the account is emulated in-process (moto,
    installed with pip install 'driftctl-aws[demo]'), the state file comes with driftctl, the
    SQLite database lives in a temp directory.

    Example: driftctl demo
    """
    import shlex
    import tempfile
    from pathlib import Path

    from driftctl.cli.console import write_err
    from driftctl.services.demo import require_emulator, run_demo

    fmt = runtime.output_format(ctx, ("table", "json"))
    require_emulator()  # before a temp directory is made
    where = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="driftctl-demo-"))
    with runtime.progress("Building the emulated account and scanning it"):
        outcome = run_demo(where)
    from driftctl.cli.scan_output import emit_result

    db = shlex.quote(outcome.database_url)
    if fmt == "json":
        emit_result(outcome.scan, "json", None)
        return
    write_err("driftctl demo: an emulated AWS account (no credentials, no network)")
    write_err(f"  state file: {outcome.state_path}")
    write_err("  drift injected into the account after it matched the state:")
    for line in outcome.injected:
        write_err(f"    - {line}")
    write_err("")
    emit_result(outcome.scan, "table", None)
    write_err("")
    write_err("Next, try (the demo database stays until you delete its directory):")
    write_err(f"  driftctl --db {db} list")
    write_err(f"  driftctl --db {db} list --severity critical -o json")
    drifts = [d for d in outcome.scan["drifts"] if d.get("id")]
    resized = next((d for d in drifts if "instance_type" in d.get("difference", {})), None)
    if resized:
        short = resized["id"][:8]
        write_err(f"  driftctl --db {db} show {short}")
        write_err(
            f'  driftctl --db {db} approve {short} --reason "resized on purpose for the launch"'
        )
    write_err(f"  driftctl --db {db} audit")
    write_err(f"  driftctl --db {db} audit verify")
