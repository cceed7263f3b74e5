"""Benchmark of every registered resource type on its own: issues 10 and 12's "Measure".

For each type (``--type X``, repeatable; default every registered type) and each ``--scale``: the
type's conformance entry (``tests/types/entries/``) gives ``ENTRY.estate(n)``, a Terraform state
with n copies of its fixture's resources; n is chosen so the state declares about
``--count`` x scale resources of that type. The state is built in a moto server with the types'
own builders (``driftctl.types.build``), its ids rewritten to moto's, and then
``python -m driftctl -o json scan --from STATE --type X --no-store`` runs as a separate process
(``11b_bench.scan``) with every AWS call going through ``bench/latency_proxy.py`` with
``--delay-ms`` added. moto is reset before every build. A type without an estate, or whose
estate fails to build or scan, is reported as such and the run goes on. Nothing is asserted.

    python bench/types_bench.py --scale 0.05                       # every type, 10 resources
    python bench/types_bench.py --type SQS_QUEUE --type KMS_KEY    # --count 200 --scale 1 --scale 4
    python bench/types_bench.py --type KMS_KEY --count 50 --workdir /tmp/types-bench

Columns, per type and scale:

- ``res``: resources of the type the state declares (main resources, not their parts);
  ``copies``: the n given to ``ENTRY.estate``; ``build s``: moto building the estate.
- ``wall s``: the scan process from start to exit (interpreter start-up included);
  ``scan s``: the scan's own ``started_at`` to ``finished_at`` (reading AWS and comparing).
- ``cpu s``: user + system time of the scan process; ``peak MB``: its maximum RSS.
- ``calls``/``minimum``: API calls the scan made (without STS) and the fewest the type declares
  (``minimum_calls`` over its ``api_calls``, as ``tests/types/test_conformance.py`` counts them:
  the resources listed are the scan's ``summary.total_resources``, the parents the distinct
  parent values of the declared resources; a conditional call counts when it was made).
  ``calls!`` marks a type that made more than its minimum (the operations follow).
- ``drifts``: drifts found; the estate is clean, so anything but 0 is false drift (listed below).
- growth: last scale against the first, for wall and scan time and the resources declared; the
  issues' bar is scan time growing at most 4.2x for 4x the resources.

moto keeps a few AWS-owned objects that a scan lists and then skips (a zone's NS and SOA
records); the scan JSON does not count them, so a listing they would push over a page boundary
would show as calls above the minimum.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.types.entries

from latency_proxy import LatencyProxy
from scan_bench import fake_credentials, moto_server, reset_moto, speed_up_moto_tags

from driftctl.iac.sources import load_expected
from driftctl.resources import ExpectedResource
from driftctl.scanner.runner import ScanPlan, scan_actual
from driftctl.types import registry
from driftctl.types.build import BuildContext, build_state, instances, resource_ids, rewrite_ids
from driftctl.types.spec import ResourceSpec, minimum_calls
from tests.types.entries import ENTRIES
from tests.types.harness import Entry

lb_bench: Any = importlib.import_module("11b_bench")

REGION: str = lb_bench.REGION


@dataclass
class Measure:
    """One type at one scale: the estate, the scan's cost, its calls and drifts."""

    scale: float
    copies: int = 0
    resources: int = 0
    build_seconds: float = 0.0
    run: Any = None  # 11b_bench.Run
    calls: int = 0
    minimum: int = 0
    # operation -> (made, minimum), for operations above their minimum (or below it).
    differs: dict[str, tuple[int, int]] = field(default_factory=dict)
    drifts: list[str] = field(default_factory=list)
    error: str = ""


def type_count(doc: Mapping[str, Any], name: str) -> int:
    """Main resources of resource type ``name`` a state declares."""
    kinds = {where: rtype for rtype, where, _ in instances(doc)}
    count = 0
    for where in resource_ids(doc):
        found = registry.terraform_type(kinds[where])
        count += found is not None and found[0].resource_type == name
    return count


def copies_for(entry: Entry, name: str, wanted: int) -> int:
    """The n for ``entry.estate(n)`` that declares about ``wanted`` resources of ``name``."""
    assert entry.estate is not None
    one, two = type_count(entry.estate(1), name), type_count(entry.estate(2), name)
    per_copy = max(1, two - one)
    fixed = one - per_copy
    return max(1, round((wanted - fixed) / per_copy))


def configure_moto(url: str, *, managed_policies: bool) -> None:
    """Load AWS-managed IAM policies or not, then empty every backend (applies the setting).

    moto's ``/moto-api/config`` ignores the ``iam`` section, so the setting is made in this
    process, where the threaded server runs, as ``mock_aws(config=...)`` makes it.
    """
    from moto.core.config import default_user_config

    default_user_config["iam"] = {"load_aws_managed_policies": managed_policies}
    reset_moto(url)


def aws_queue_urls() -> None:
    """Make moto's SQS queue URLs AWS's (``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME``).

    A moto server puts the host of each request in the URL, so the URLs a state holds (which
    are the queues' ids) never match what a scan through another address lists; in-process
    moto, as the conformance test runs it, answers AWS's form.
    """
    from moto.sqs.models import Queue

    def url(self: Any, request_url: Any) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{self.name}"

    setattr(Queue, "url", url)  # noqa: B010


@contextlib.contextmanager
def undelayed(proxy: LatencyProxy) -> Iterator[None]:
    """The proxy without its delay: builds and recounts go through it (moto puts the host of
    the request in SQS queue URLs, so the estate must be built at the address it is scanned
    at), but only the measured scan pays the latency."""
    delay, proxy.delay = proxy.delay, 0.0
    try:
        yield
    finally:
        proxy.delay = delay


def listing(name: str, declared: list[ExpectedResource]) -> list[Any]:
    """What a scan of type ``name`` lists, read again in this process (uncounted, unmeasured).

    The scan JSON has no count of what was listed and then skipped as AWS's own (a zone's NS
    and SOA records) nor the parents' ids, both of which the declared minimum depends on.
    """
    actual = scan_actual(
        ScanPlan(
            resource_types=[name],
            regions=[REGION],
            session_factory=lambda: boto3.session.Session(region_name=REGION),
            expected_ids={name: frozenset(r.resource_id for r in declared)},
        )
    )
    return list(actual.resources)


def build(entry: Entry, copies: int, state: Path) -> None:
    """Build ``entry.estate(copies)`` in moto and write it, with moto's ids, to ``state``."""
    assert entry.estate is not None
    doc = entry.estate(copies)
    # AWS_ENDPOINT_URL (set in main) sends every client of this session to the proxy.
    context = BuildContext(boto3.session.Session(region_name=REGION), REGION)
    build_state(context, doc)
    state.write_text(rewrite_ids(json.dumps(doc), context.ids), encoding="utf-8")


def declared_minimum(
    spec: ResourceSpec, resources: list[Any], declared: int, made: Mapping[str, int]
) -> dict[str, int]:
    """The type's declared minimum for this scan, counted as ``test_conformance.py`` counts it;
    a conditional call counts where it was made."""
    listed: dict[str, int] = {}
    for resource in resources:
        listed[resource.region] = listed.get(resource.region, 0) + 1
    listed = listed or {REGION: 0}
    parents = {
        call.parent: len({r.attributes.get(call.parent) for r in resources})
        for call in spec.api_calls
        if call.parent
    }
    common: dict[str, Any] = {"managed": declared, "parents": parents}
    out = minimum_calls(spec.api_calls, listed, **common)
    conditional = minimum_calls(spec.api_calls, listed, include_conditional=True, **common)
    for call in spec.api_calls:
        if call.when is not None and made.get(call.operation, 0):
            out[call.operation] = conditional[call.operation]
    return out


def measure(
    url: str, proxy: LatencyProxy, spec: ResourceSpec, entry: Entry, args: Any, scale: float
) -> Measure:
    """Build, scan and check one type at one scale; any failure is recorded, not raised."""
    name = spec.resource_type
    out = Measure(scale=scale)
    label = f"{name}-{scale:g}"
    state = args.workdir / f"{label}.tfstate"
    try:
        assert entry.estate is not None
        out.copies = copies_for(entry, name, max(1, round(args.count * scale)))
        configure_moto(url, managed_policies=entry.managed_policies)
        started = time.perf_counter()
        with undelayed(proxy):
            build(entry, out.copies, state)
        out.build_seconds = time.perf_counter() - started
    except Exception as exc:  # a type that fails to build must not stop the run
        out.error = f"build failed: {type(exc).__name__}: {exc}"[:300]
        (args.workdir / f"{label}.build-error").write_text(traceback.format_exc())
        return out
    try:
        declared = [r for r in load_expected([str(state)]).resources if r.resource_type == name]
        out.resources = len(declared)
        out.run = run = lb_bench.scan(proxy, state, args.workdir, (name,), label)
        result = json.loads((args.workdir / f"{label}.json").read_text(encoding="utf-8"))
        with undelayed(proxy):
            resources = listing(name, declared)
    except Exception as exc:
        # A scan that fails prints its error (JSON with -o json) on stderr and nothing on stdout.
        stderr = args.workdir / f"{label}.stderr"
        said = stderr.read_text(errors="replace").strip()[-400:] if stderr.exists() else ""
        out.error = f"scan failed: {type(exc).__name__}: {exc} {said}"[:600]
        return out
    if run.errors:
        out.error = f"scan errors: {run.errors[:2]}"[:300]
    least = declared_minimum(spec, resources, len(declared), run.api_calls)
    out.calls, out.minimum = sum(run.api_calls.values()), sum(least.values())
    for operation in sorted(set(least) | set(run.api_calls)):
        made, wanted = run.api_calls.get(operation, 0), least.get(operation, 0)
        if made != wanted:
            out.differs[operation] = (made, wanted)
    out.drifts = [
        f"{d['drift_type']} {d['resource_id']}: {sorted(d.get('difference') or {})}"
        for d in result.get("drifts", [])
    ]
    return out


def row(name: str, m: Measure) -> str:
    if m.run is None:
        return f"  {name:<24} {m.resources or '':>5} {m.copies:>6}  {m.error}"
    run = m.run
    mark = "!" if m.calls > m.minimum else " "
    return (
        f"  {name:<24} {m.resources:>5} {m.copies:>6} {m.build_seconds:>7.1f} {run.wall:>7.2f}"
        f" {run.scan:>7.2f} {run.cpu:>6.2f} {run.peak_mb:>7.0f} {m.calls:>6}{mark}"
        f" {m.minimum:>7} {len(m.drifts):>6}{'  ' + m.error if m.error else ''}"
    )


HEADER = (
    f"  {'type':<24} {'res':>5} {'copies':>6} {'build s':>7} {'wall s':>7} {'scan s':>7}"
    f" {'cpu s':>6} {'peak MB':>7} {'calls':>6} {'minimum':>7} {'drifts':>6}"
)


def details(name: str, m: Measure) -> None:
    for operation, (made, wanted) in m.differs.items():
        print(f"      {name} {operation}: made {made}, minimum {wanted}")
    for line in m.drifts[:5]:
        print(f"      {name} drift: {line}")
    if len(m.drifts) > 5:
        print(f"      {name}: {len(m.drifts) - 5} more drifts")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--type", action="append", dest="types", help="repeatable; default all")
    parser.add_argument("--count", type=int, default=200, help="resources of a type at scale 1")
    parser.add_argument("--scale", type=float, action="append", help="repeatable; default 1, 4")
    parser.add_argument("--delay-ms", type=float, default=30.0, help="latency per AWS call")
    parser.add_argument("--workdir", type=Path, help="keep the states and outputs here")
    args = parser.parse_args(argv)
    scales: list[float] = args.scale or [1.0, 4.0]
    specs = [registry.resolve(t) for t in args.types] if args.types else list(registry.SPECS)
    args.workdir = args.workdir or Path(tempfile.mkdtemp(prefix="driftctl-types-"))
    args.workdir.mkdir(parents=True, exist_ok=True)
    # Fake credentials for the whole run: nothing here may reach a real AWS account.
    for variable in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[variable]
    os.environ.update(fake_credentials({}))
    speed_up_moto_tags()
    aws_queue_urls()
    # One scan opens many connections at once: the default listen backlog (5) drops some.
    ThreadingHTTPServer.request_queue_size = 256
    print(
        f"{len(specs)} types, about {args.count} resources each x scale {scales},"
        f" {args.delay_ms:g} ms added to every AWS call, region {REGION}",
        flush=True,
    )
    results: dict[str, list[Measure]] = {}
    with moto_server() as url, LatencyProxy(url, delay_ms=args.delay_ms) as proxy:
        os.environ["AWS_ENDPOINT_URL"] = proxy.url
        for scale in scales:
            print(f"\nscale {scale:g}\n{HEADER}", flush=True)
            for spec in specs:
                name = spec.resource_type
                entry = ENTRIES.get(name)
                if entry is None or entry.estate is None:
                    print(f"  {name:<24} no estate in its conformance entry", flush=True)
                    continue
                m = measure(url, proxy, spec, entry, args, scale)
                results.setdefault(name, []).append(m)
                print(row(name, m), flush=True)
                details(name, m)
    if len(scales) > 1:
        print(f"\ngrowth {scales[0]:g}x -> {scales[-1]:g}x (bar: scan time <= 4.2x for 4x)")
        print(f"  {'type':<24} {'res x':>6} {'wall x':>7} {'scan x':>7}")
        for name, ms in results.items():
            first, last = ms[0], ms[-1]
            if first.run is None or last.run is None or first is last:
                print(f"  {name:<24} not measured at both scales")
                continue
            print(
                f"  {name:<24} {last.resources / max(1, first.resources):>6.2f}"
                f" {last.run.wall / first.run.wall:>7.2f} {last.run.scan / first.run.scan:>7.2f}"
            )
    print(f"\noutputs in {args.workdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
