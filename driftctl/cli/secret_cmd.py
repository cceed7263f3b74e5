"""secret: store the values ``secret:NAME`` settings refer to in the system keyring."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from driftctl.cli import runtime

app = typer.Typer(
    help="Secrets for notification channels (webhook URLs, SMTP password, routing keys), kept "
    "in the system keyring. Lookup order: DRIFTCTL_SECRET_<NAME>, then the keyring.",
    no_args_is_help=True,
)


@app.command("set")
def set_(
    name: str = typer.Argument(..., metavar="NAME", help="As in 'secret:NAME' in driftctl.toml."),
) -> None:
    """Store secret NAME: prompted without echo on a terminal, else the first line of stdin.

    Example: printf '%s\\n' "$SLACK_URL" | driftctl secret set slack_webhook
    """
    from driftctl import secrets
    from driftctl.errors import ValidationError

    secrets.validate_name(name)
    if not secrets.keyring_usable():
        # Refuse before asking for the value: it could not be kept anywhere safe.
        raise ValidationError(
            f"no system keyring is available on this machine, so secret {name!r} cannot be "
            f"stored: set the environment variable {secrets.env_var_name(name)} instead"
        )
    if sys.stdin.isatty():
        value = typer.prompt(f"value of secret {name}", hide_input=True, err=True)
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    secrets.set_secret(name, value)
    runtime.emit(f"stored secret {name} in the keyring\n")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List secret names (never values): stored in the keyring, or used by driftctl.toml.

    Example: driftctl secret list -o json
    """
    from driftctl import secrets

    fmt = runtime.output_format(ctx, ("table", "json"))
    stored = set(secrets.list_secrets())
    used = _references(runtime.settings(ctx).notify)
    items = []
    for name in sorted(stored | set(used)):
        env = secrets.env_var_name(name)
        sources = [
            s for s, ok in (("env", bool(os.environ.get(env))), ("keyring", name in stored)) if ok
        ]
        items.append(
            {
                "name": name,
                "env_var": env,
                "found_in": sources,
                "used_by": sorted(used.get(name, [])),
            }
        )
    if fmt == "json":
        from driftctl.render.json_ import dumps

        runtime.emit(dumps({"items": items}))
        return
    from driftctl.render.table import render_table

    rows = [
        (i["name"], ",".join(i["found_in"]) or "MISSING", i["env_var"], ", ".join(i["used_by"]))
        for i in items
    ]
    render_table(
        runtime.console(), ("name", "found_in", "env_var", "used_by"), rows, tty=runtime.tty()
    )
    if not secrets.keyring_usable():
        from driftctl.cli.console import write_err

        write_err("no system keyring on this machine: secrets come from DRIFTCTL_SECRET_* only")


def _references(notify: dict[str, Any]) -> dict[str, list[str]]:
    """secret name -> the settings that refer to it (``notify.slack.webhook_url``)."""
    from driftctl.secrets import SECRET_PREFIX, is_secret_ref

    out: dict[str, list[str]] = {}
    for channel, block in (notify or {}).items():
        if not isinstance(block, dict):
            continue
        for key, value in block.items():
            if is_secret_ref(value):
                name = value[len(SECRET_PREFIX) :].strip()
                out.setdefault(name, []).append(f"notify.{channel}.{key}")
    return out


@app.command("delete")
def delete(
    name: str = typer.Argument(..., metavar="NAME", help="The secret to remove."),
) -> None:
    """Remove secret NAME from the keyring (exit 3 if it is not there).

    Example: driftctl secret delete slack_webhook
    """
    from driftctl import secrets

    secrets.delete_secret(name)
    runtime.emit(f"deleted secret {name}\n")
