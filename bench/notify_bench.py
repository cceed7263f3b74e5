"""Benchmark of notification delivery: ``alerts send`` over N pending rows to a local HTTP sink.

For each worker count it creates a fresh database with N drifts, N alerts and N pending outbox
rows for the signed webhook channel, and a threaded HTTP server on 127.0.0.1 (in its own process)
answers 200, optionally after ``--latency-ms`` like a remote endpoint, and counts requests per
alert id. The bench times one ``driftctl.services.alerts.send_pending`` call
(claim in batches, send, record). It prints deliveries per second and checks that every
notification reached the sink exactly once and every row is marked sent.

    .venv/bin/python bench/notify_bench.py                      # 10,000 rows, workers 1 and 4
    .venv/bin/python bench/notify_bench.py --rows 2000 --workers 1 4 8 --latency-ms 20
    .venv/bin/python bench/notify_bench.py --pg-url postgresql://postgres@127.0.0.1:5432/postgres

With ``--pg-url`` (an administrative URL) a throwaway PostgreSQL database is used instead of a
SQLite file, and dropped at the end.

``--kills 20`` then runs ``driftctl alerts send`` as a process, SIGKILLs it 20 times at random
moments mid-delivery and runs it once more to the end: every row must end up sent, with no more
duplicates than the requests that could have been in flight at the kills (workers x kills).

``--channels 4`` sends every alert to Slack, Teams, Opsgenie and the webhook (all pointed at the
sink, counted per channel and drift); ``--rate-429 0.05`` makes the sink refuse that share of
requests with 429 and ``Retry-After: --retry-after``; ``--scan-alerts 306`` also counts the
messages one scan of that many alerts sends with digests on (``digest_threshold`` 10):

    .venv/bin/python bench/notify_bench.py --channels 4 --latency-ms 20 --rate-429 0.05 \
        --workers 8 --scan-alerts 306
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import col

from driftctl.config import Settings
from driftctl.db import migrate
from driftctl.db.engine import create_engine
from driftctl.db.models import SEVERITY_RANK, Alert, Drift, NotificationOutbox
from driftctl.db.types import utcnow
from driftctl.domain import difference_hash, fingerprint
from driftctl.services import alerts as alerts_svc
from driftctl.services.context import Context, open_context

BATCH = 2_000


class _SinkServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections under a burst and costs 1 s SYN retries.
    request_queue_size = 256


_DRIFT_RE = re.compile(rb"driftctl show ([0-9a-f-]{36})")


def _key(path: str, body: bytes) -> str:
    """channel:drift id of one delivered message (the digest id for a digest)."""
    channel = path.strip("/").split("/")[0]
    if channel in ("hook", "og"):
        data = json.loads(body)
        drift = data["drift"]["id"] if channel == "hook" else data["details"]["drift_id"]
        return f"{channel}:{drift}"
    match = _DRIFT_RE.search(body)
    return f"{channel}:{match.group(1).decode() if match else 'digest'}"


def _serve(port_out: Any, latency: float, rate_429: float, retry_after: str) -> None:
    """The sink, in its own process so its work does not compete with the sender for the GIL."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()
    rng = random.Random(16)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/reset":
                with lock:
                    seen.clear()
            else:
                if latency:
                    time.sleep(latency)  # a remote endpoint's round trip
                with lock:
                    refuse = rng.random() < rate_429
                    if not refuse:
                        seen[_key(self.path, body)] += 1
                if refuse:
                    self._answer(b"rate limited", status=429, retry_after=retry_after)
                    return
            self._answer(b"ok")

        def do_GET(self) -> None:
            with lock:
                self._answer(json.dumps(seen).encode())

        def _answer(
            self, payload: bytes, *, status: int = 200, retry_after: str | None = None
        ) -> None:
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = _SinkServer(("127.0.0.1", 0), Handler)
    port_out.send(httpd.server_address[1])
    httpd.serve_forever()


class Sink:
    """A threaded HTTP server on 127.0.0.1 (another process) counting deliveries per alert."""

    def __init__(self, latency: float, rate_429: float = 0.0, retry_after: str = "0") -> None:
        import multiprocessing

        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(
            target=_serve, args=(child, latency, rate_429, retry_after), daemon=True
        )
        self.process.start()
        self.port = int(parent.recv())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        import urllib.request

        urllib.request.urlopen(f"http://127.0.0.1:{self.port}/reset", data=b"{}").read()

    def counts(self) -> Counter[str]:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/counts") as response:
            return Counter(json.loads(response.read()))

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(timeout=5)


@contextmanager
def database(pg_url: str | None, workdir: Path, name: str) -> Iterator[str]:
    """A fresh migrated database: a SQLite file, or a throwaway PostgreSQL database."""
    if not pg_url:
        url = f"sqlite:///{workdir / (name + '.db')}"
        _migrate(url)
        yield url
        return
    import psycopg

    admin = make_url(pg_url.replace("postgresql+psycopg://", "postgresql://"))
    admin_dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    db = f"driftctl_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    url = admin.set(drivername="postgresql+psycopg", database=db).render_as_string(
        hide_password=False
    )
    try:
        _migrate(url)
        yield url
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _migrate(url: str) -> None:
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def notify_blocks(sink: Sink, channels: int) -> dict[str, Any]:
    """The [notify] tables: the webhook, then Slack, Teams and Opsgenie, all at the sink."""
    blocks: dict[str, Any] = {
        "webhook": {"url": sink.url, "signing_secret": "secret:bench_signing"},
        "slack": {"webhook_url": f"{sink.base()}/slack"},
        "teams": {"webhook_url": f"{sink.base()}/teams"},
        "opsgenie": {"api_key": "secret:bench_signing", "api_url": f"{sink.base()}/og"},
    }
    return dict(list(blocks.items())[:channels])


def load(ctx: Context, rows: int, digest_threshold: int | None = None) -> float:
    """Insert ROWS drifts, alerts and pending outbox rows; returns the seconds it took."""
    started = time.perf_counter()
    cfg = alerts_svc.notify_config(ctx.settings)
    now = utcnow()
    for start in range(0, rows, BATCH):
        drifts, alerts = [], []
        for i in range(start, min(rows, start + BATCH)):
            rid = f"sg-{i:017x}"
            diff = {"ingress[tcp:22:0.0.0.0/0]": {"change": "added", "expected": None}}
            drift = Drift(
                resource_id=rid,
                resource_type="SECURITY_GROUP",
                region="us-east-1",
                account_id="123456789012",
                drift_type="modified",
                fingerprint=fingerprint("123456789012", "us-east-1", "SECURITY_GROUP", rid, "m"),
                expected_state={},
                actual_state={},
                difference=diff,
                difference_hash=difference_hash(diff),
                severity="critical",
                severity_rank=SEVERITY_RANK["critical"],
                detected_by="manual",
                detected_at=now,
                last_seen_at=now,
                created_at=now,
                updated_at=now,
            )
            drifts.append(drift)
            alerts.append(
                Alert(
                    drift_id=drift.id,
                    type="drift_detected",
                    severity="critical",
                    title=f"Critical drift on SECURITY_GROUP {rid}",
                    message=f"SECURITY_GROUP {rid} in us-east-1 is modified",
                    created_at=now,
                    updated_at=now,
                )
            )
        with ctx.write() as session:
            session.add_all(drifts)
            session.flush()
            alerts_svc.add_alerts(session, cfg, alerts, now=now, digest_threshold=digest_threshold)
    return time.perf_counter() - started


def run_once(url: str, sink: Sink, rows: int, workers: int, channels: int = 1) -> dict[str, Any]:
    settings = Settings(database_url=url, notify=notify_blocks(sink, channels))
    ctx = open_context(settings, command="notify-bench")
    try:
        load_s = load(ctx, rows)
        sink.reset()
        started = time.perf_counter()
        report = alerts_svc.send_pending(ctx, workers=workers)
        elapsed = time.perf_counter() - started
        with ctx.read() as session:
            sent = session.execute(
                select(func.count())
                .select_from(NotificationOutbox)
                .where(col(NotificationOutbox.status) == "sent")
            ).scalar_one()
    finally:
        ctx.dispose()
    seen = sink.counts()
    counts = Counter(seen.values())
    distinct = len(seen)
    total = rows * channels
    return {
        "workers": workers,
        "rows": total,
        "load_s": round(load_s, 2),
        "send_s": round(elapsed, 2),
        "per_second": round(total / elapsed, 1),
        "delivered": report.count("sent"),
        "exactly_once": distinct == total and set(counts) == {1} and sent == total,
        "duplicates": sum(n - 1 for n in seen.values() if n > 1),
    }


def scan_messages(url: str, sink: Sink, alerts: int, channels: int) -> tuple[int, int]:
    """(messages sent, outbox rows sent) for one scan raising ALERTS, digests on."""
    settings = Settings(database_url=url, notify=notify_blocks(sink, channels))
    ctx = open_context(settings, command="notify-bench")
    try:
        load(ctx, alerts, digest_threshold=10)
        sink.reset()
        report = alerts_svc.send_pending(ctx, workers=4)
    finally:
        ctx.dispose()
    return sum(sink.counts().values()), report.count("sent")


def kill_runs(
    url: str, sink: Sink, rows: int, kills: int, workdir: Path, workers: int = 4
) -> dict[str, Any]:
    """``alerts send`` as a process, SIGKILLed KILLS times at random moments mid-delivery, then
    once more to the end: duplicates against what could have been in flight at the kills."""
    import signal
    import subprocess

    settings = Settings(database_url=url, notify=notify_blocks(sink, 1))
    ctx = open_context(settings, command="notify-bench")
    try:
        load(ctx, rows)
    finally:
        ctx.dispose()
    sink.reset()
    config = workdir / "kill.toml"
    config.write_text(
        f'[notify.webhook]\nurl = "{sink.url}"\nsigning_secret = "secret:bench_signing"\n'
        'min_severity = "info"\n'
    )
    command = [sys.executable, "-m", "driftctl", "--db", url, "--config", str(config)]
    command += ["alerts", "send", "--workers", str(workers), "-q"]
    rng = random.Random(7)
    for _ in range(kills):
        proc = subprocess.Popen(command, env=dict(os.environ))
        time.sleep(rng.uniform(1.0, 3.0))  # let it get into its batch: start-up takes ~1 s
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    started = time.perf_counter()
    final = subprocess.run(command, env=dict(os.environ), check=False)
    final_s = time.perf_counter() - started
    seen = sink.counts()
    ctx = open_context(settings, command="notify-bench")
    try:
        with ctx.read() as session:
            pending = session.execute(
                select(func.count())
                .select_from(NotificationOutbox)
                .where(col(NotificationOutbox.status) == "pending")
            ).scalar_one()
    finally:
        ctx.dispose()
    return {
        "kills": kills,
        "delivered_distinct": len(seen),
        "duplicates": sum(n - 1 for n in seen.values() if n > 1),
        # Each kill can interrupt at most one request per worker after it went out.
        "in_flight_bound": kills * workers,
        "final_exit": final.returncode,
        "final_s": round(final_s, 1),
        "pending_after": int(pending),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--pg-url", default=None, help="administrative PostgreSQL URL")
    parser.add_argument(
        "--latency-ms", type=float, default=0, help="the sink's answer delay (a remote endpoint)"
    )
    parser.add_argument("--channels", type=int, default=1, choices=[1, 2, 3, 4])
    parser.add_argument("--rate-429", type=float, default=0.0, help="share of requests refused")
    parser.add_argument("--retry-after", default="0", help="Retry-After of a refusal (s)")
    parser.add_argument("--scan-alerts", type=int, default=0, help="alerts of one digest scan")
    parser.add_argument(
        "--kills", type=int, default=0, help="SIGKILL `alerts send` this many times mid-delivery"
    )
    args = parser.parse_args()
    os.environ["DRIFTCTL_SECRET_BENCH_SIGNING"] = "bench-signing-secret"
    engine = "postgresql" if args.pg_url else "sqlite"
    print(
        f"notify bench: {args.rows} alerts x {args.channels} channel(s), {engine}, local sink "
        f"answering after {args.latency_ms:g} ms, {args.rate_429:.0%} refused with 429 "
        f"(Retry-After {args.retry_after})"
    )
    print(f"{'workers':>7} {'load s':>8} {'send s':>8} {'per s':>9} {'delivered':>10}  once")
    ok = True
    sink_args = (args.latency_ms / 1000, args.rate_429, args.retry_after)
    with tempfile.TemporaryDirectory() as tmp, Sink(*sink_args) as sink:
        for workers in args.workers:
            with database(args.pg_url, Path(tmp), f"bench-{workers}") as url:
                r = run_once(url, sink, args.rows, workers, args.channels)
            ok = ok and r["exactly_once"]
            print(
                f"{r['workers']:>7} {r['load_s']:>8} {r['send_s']:>8} {r['per_second']:>9} "
                f"{r['delivered']:>10}  {'yes' if r['exactly_once'] else 'NO'}"
            )
        if args.scan_alerts:
            with database(args.pg_url, Path(tmp), "bench-scan") as url:
                messages, rows = scan_messages(url, sink, args.scan_alerts, args.channels)
            print(
                f"one scan raising {args.scan_alerts} alerts, {args.channels} channel(s), "
                f"digests on: {messages} messages for {rows} outbox rows sent "
                f"(without digests: {args.scan_alerts * args.channels})"
            )
        if args.kills:
            with database(args.pg_url, Path(tmp), "bench-kill") as url:
                k = kill_runs(url, sink, args.rows, args.kills, Path(tmp))
            print(
                f"{k['kills']} kills of `alerts send` mid-delivery, then one run to the end: "
                f"{k['delivered_distinct']}/{args.rows} delivered, {k['duplicates']} duplicates "
                f"(at most {k['in_flight_bound']} could be in flight at the kills); the last run "
                f"exited {k['final_exit']} in {k['final_s']} s, {k['pending_after']} rows pending"
            )
            ok = ok and k["duplicates"] <= k["in_flight_bound"] and k["pending_after"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
