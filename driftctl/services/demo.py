"""The demo: build an emulated account with drift, scan it into a throwaway database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftctl.services.context import timed


@dataclass
class DemoOutcome:
    scan: dict[str, Any]
    database_url: str
    state_path: Path
    injected: list[str]


# The AWS emulator the demo runs on; an optional extra, so production installs go without it.
EMULATOR_MODULE = "moto"
DEMO_INSTALL = "pip install 'driftctl-aws[demo]'"


def require_emulator() -> None:
    """Raise ValidationError (exit 2) naming the one command to run when moto is missing."""
    import importlib.util

    from driftctl.errors import ValidationError

    try:
        found = importlib.util.find_spec(EMULATOR_MODULE) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ValidationError(
            f"driftctl demo needs its AWS emulator, which is not installed: run {DEMO_INSTALL}"
        )


@timed
def run_demo(workdir: Path) -> DemoOutcome:
    """Build the emulated estate in ``workdir``, scan it, record into ``workdir/demo.db``.

    Raises ValidationError when the emulator (the ``demo`` extra) is not installed.
    """
    require_emulator()
    import boto3

    from driftctl.config import load_settings
    from driftctl.demo import build_demo_estate, demo_environment, demo_mock
    from driftctl.services.context import open_context
    from driftctl.services.scanning import ScanOptions, run_scan

    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{(workdir / 'demo.db').resolve()}"
    ctx = open_context(load_settings(database_url=database_url), command="driftctl demo")
    try:
        with demo_environment(), demo_mock():
            estate = build_demo_estate(boto3.Session(region_name="us-east-1"), workdir)

            def session_factory() -> Any:
                return boto3.Session(region_name=estate.region)

            outcome = run_scan(
                ctx,
                ScanOptions(
                    sources=[str(estate.state_path)],
                    regions=[estate.region],
                    session_factory=session_factory,
                    cwd=workdir,
                    fail_on="never",
                ),
            )
    finally:
        ctx.dispose()
    injected = [
        f"{rtype} {rid}: {description} ({dtype})"
        for rtype, rid, dtype, description in estate.injected
    ]
    return DemoOutcome(
        scan=outcome.result,
        database_url=database_url,
        state_path=estate.state_path,
        injected=injected,
    )
