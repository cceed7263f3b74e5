"""Benchmark of ``driftctl list`` and ``show`` against a large drifts table, on both engines.

Loads N drifts (default 1,000,000) with a realistic spread of status, severity, resource type,
region, drift type, cost and detection time: COPY on PostgreSQL, one transaction of executemany
batches on SQLite (secondary indexes are rebuilt afterwards from their own DDL). Then ANALYZE
(VACUUM ANALYZE on PostgreSQL, as autovacuum would do), and for every common filter and every
sort (both directions) it times, 20 times each after one warm-up run:

- ``service``: the real ``driftctl.services.drifts.list_drifts`` (count + page + JSON shaping);
- ``page``: the page query exactly as the service sends it (captured SQL and parameters);
- ``count``: the count query the service sends for the filter;

plus ``show_drift`` by an 8-character id prefix. It prints p50 and p95 in milliseconds per query
and engine, and the query plan of every page and count query (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN on PostgreSQL). Rows over the 20 ms p50 target are marked. Nothing is asserted.

    .venv/bin/python bench/db_bench.py --rows 100000 --engine sqlite
    .venv/bin/python bench/db_bench.py --rows 1000000 --engine both \\
        --pg-url postgresql://postgres@127.0.0.1:5432/postgres

The PostgreSQL URL is an administrative one: a throwaway database is created next to it and
dropped at the end (``--keep`` keeps it, and the SQLite file, for a look with psql/sqlite3).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from driftctl.config import load_settings
from driftctl.db import migrate
from driftctl.db.engine import create_engine
from driftctl.db.repositories import drifts as drifts_repo
from driftctl.db.repositories.drifts import DriftFilter
from driftctl.domain import fingerprint
from driftctl.services import drifts as drifts_svc
from driftctl.services.context import Context, open_context

TARGET_MS = 20.0
BATCH = 20_000
SEED = 20261122

FILTERS: dict[str, DriftFilter] = {
    "(none)": DriftFilter(),
    "--status detected": DriftFilter(statuses=["detected"]),
    "--severity critical": DriftFilter(severities=["critical"]),
    "--type EC2 --region us-east-1": DriftFilter(resource_types=["EC2"], regions=["us-east-1"]),
    "--status detected --severity critical": DriftFilter(
        statuses=["detected"], severities=["critical"]
    ),
}
SORTS = ("detected", "created", "cost", "severity")

# Shares chosen to look like a long-lived account: most drifts end up resolved, a quarter are
# waiting for someone, critical ones are rare.
STATUSES = (("resolved", 45), ("detected", 25), ("triaged", 8), ("approved", 17), ("rejected", 5))
SEVERITIES = (("info", 50), ("warning", 40), ("critical", 10))
TYPES = (("EC2", 35), ("SECURITY_GROUP", 25), ("S3", 20), ("RDS", 10), ("IAM_ROLE", 10))
REGIONS = (("us-east-1", 45), ("us-west-2", 20), ("eu-west-1", 20), ("ap-southeast-1", 15))
DRIFT_TYPES = (("modified", 70), ("unmanaged", 20), ("missing", 10))
RANK = {"critical": 3, "warning": 2, "info": 1}
RESOLVED_HOW = ("manual-fix", "acknowledged")
DRIFT_COLUMNS = (
    "id",
    "resource_id",
    "resource_type",
    "region",
    "account_id",
    "drift_type",
    "fingerprint",
    "expected_state",
    "actual_state",
    "difference",
    "difference_hash",
    "severity",
    "severity_rank",
    "cost_impact_monthly",
    "status",
    "detected_at",
    "detected_by",
    "last_seen_at",
    "iac_source",
    "approved_at",
    "approval_reason",
    "rejected_at",
    "rejection_reason",
    "resolved_at",
    "resolved_how",
    "created_at",
    "updated_at",
)
EXPECTED = json.dumps({"instance_type": "t3.medium", "tags": {"Owner": "team-api"}})
ACTUAL = json.dumps({"instance_type": "t3.large", "tags": {"Owner": "team-platform"}})
ACCOUNT = "123456789012"
ZERO = Decimal("0.00")
DIFF_HASH = "d" * 64
DIFFERENCE = json.dumps(
    {
        "instance_type": {"change": "changed", "expected": "t3.medium", "actual": "t3.large"},
        "tags.Owner": {"change": "changed", "expected": "team-api", "actual": "team-platform"},
    }
)


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...], n: int) -> list[str]:
    values = [c for c, _ in choices]
    weights = [w for _, w in choices]
    return rng.choices(values, weights=weights, k=n)


def generate(n: int, *, now: datetime, seed: int = SEED) -> Iterator[list[tuple[Any, ...]]]:
    """Batches of realistic drifts as tuples in DRIFT_COLUMNS order (Python values).

    Resource ids are unique, so every fingerprint is too (the open-fingerprint index holds).
    """
    rng = random.Random(seed)
    made = 0
    while made < n:
        size = min(BATCH, n - made)
        statuses = _weighted(rng, STATUSES, size)
        severities = _weighted(rng, SEVERITIES, size)
        types = _weighted(rng, TYPES, size)
        regions = _weighted(rng, REGIONS, size)
        drift_types = _weighted(rng, DRIFT_TYPES, size)
        batch = []
        for i in range(size):
            k = made + i
            rtype, status, severity, dtype = types[i], statuses[i], severities[i], drift_types[i]
            region = "global" if rtype == "IAM_ROLE" else regions[i]
            resource_id = f"r-{k:012d}"
            # Recent drifts are the common case: an exponential age, capped at two years.
            age = min(rng.expovariate(1 / (45 * 86400)), 730 * 86400)
            detected = now - timedelta(seconds=age)
            created = detected + timedelta(seconds=rng.randint(0, 120))
            decided = detected + timedelta(hours=rng.randint(1, 72))
            cost = Decimal(rng.randint(1, 250_000)) / 100 if rng.random() < 0.2 else ZERO
            batch.append(
                (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    resource_id,
                    rtype,
                    region,
                    ACCOUNT,
                    dtype,
                    fingerprint(ACCOUNT, region, rtype, resource_id, dtype),
                    EXPECTED,
                    ACTUAL,
                    DIFFERENCE,
                    DIFF_HASH,
                    severity,
                    RANK[severity],
                    cost,
                    status,
                    detected,
                    "scheduler",
                    created,
                    f"prod.tfstate#aws_{rtype.lower()}.r{k}",
                    decided if status == "approved" else None,
                    "intended change, CHG-1042" if status == "approved" else None,
                    decided if status == "rejected" else None,
                    "must be reverted" if status == "rejected" else None,
                    decided if status == "resolved" else None,
                    rng.choice(RESOLVED_HOW) if status == "resolved" else None,
                    created,
                    created,
                )
            )
        made += size
        yield batch


# --- loading ---------------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    # The storage formats of driftctl.db.types on SQLite: UUID text, naive-UTC ISO text.
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, Decimal):
        return float(value)
    return value


def secondary_indexes(engine: Engine) -> list[tuple[str, str]]:
    """(name, exact DDL) of the drifts indexes other than the primary key, from the catalogue."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'drifts' AND sql IS NOT NULL"
            ).all()
        else:
            rows = conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'drifts' "
                "AND indexname <> 'pk_drifts'"
            ).all()
    return [(str(r[0]), str(r[1])) for r in rows]


@contextmanager
def indexes_built_afterwards(engine: Engine) -> Iterator[None]:
    """Bulk-load practice: drop the secondary indexes, load, then rebuild them from their DDL."""
    indexes = secondary_indexes(engine)
    with engine.begin() as conn:
        for name, _ in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    start = time.perf_counter()
    with engine.begin() as conn:
        for _, ddl in indexes:
            conn.exec_driver_sql(ddl)
    print(
        f"  rebuilt {len(indexes)} indexes in {time.perf_counter() - start:.1f} s", file=sys.stderr
    )
    assert sorted(secondary_indexes(engine)) == sorted(indexes)


def load_sqlite(engine: Engine, n: int, now: datetime) -> None:
    """One write transaction, executemany per batch."""
    placeholders = ", ".join("?" for _ in DRIFT_COLUMNS)
    sql = f"INSERT INTO drifts ({', '.join(DRIFT_COLUMNS)}) VALUES ({placeholders})"
    with indexes_built_afterwards(engine), engine.begin() as conn:
        for batch in generate(n, now=now):
            rows = [tuple(_sqlite_value(v) for v in row) for row in batch]
            conn.exec_driver_sql(sql, rows)
            _progress(len(rows), n)


def load_postgres(engine: Engine, url: str, n: int, now: datetime) -> None:
    """COPY in text form through psycopg."""
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with indexes_built_afterwards(engine), psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY drifts ({', '.join(DRIFT_COLUMNS)}) FROM STDIN") as copy:
            for batch in generate(n, now=now):
                for row in batch:
                    copy.write_row(row)
                _progress(len(batch), n)
        conn.commit()


_loaded = 0


def _progress(added: int, total: int) -> None:
    global _loaded
    _loaded += added
    if _loaded % 200_000 < added or _loaded == total:
        print(f"  loaded {_loaded:,}/{total:,}", file=sys.stderr, flush=True)


# --- timing ----------------------------------------------------------------------------------


@dataclass
class Timing:
    engine: str
    query: str
    filter: str
    sort: str
    samples_ms: list[float] = field(default_factory=list)

    def pct(self, p: float) -> float:
        """Nearest-rank percentile."""
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def measure(fn: Callable[[], object], reps: int) -> list[float]:
    fn()  # warm-up: caches, prepared statements, connection
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


@contextmanager
def captured_sql(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) the engine sends while the block runs."""
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def _service_sql(ctx: Context, flt: DriftFilter, sort: str, asc: bool) -> tuple[Any, Any]:
    """The count and the page statement list_drifts sends, as (sql, params) pairs."""
    with captured_sql(ctx.read_engine) as seen:
        drifts_svc.list_drifts(ctx, filters=flt, sort=sort, ascending=asc, limit=20)
    selects = [s for s in seen if s[0].lstrip().upper().startswith("SELECT")]
    count = next(s for s in selects if "count(" in s[0].lower())
    page = next(s for s in selects if "count(" not in s[0].lower())
    return count, page


def _raw(engine: Engine, sql: str, params: Any) -> Callable[[], object]:
    def run() -> object:
        with engine.connect() as conn:
            return conn.exec_driver_sql(sql, params).fetchall()

    return run


def explain(engine: Engine, sql: str, params: Any) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            return [str(r[3]) for r in rows]
        rows = conn.exec_driver_sql("EXPLAIN " + sql, params).fetchall()
        return [str(r[0]) for r in rows]


def bench_engine(name: str, url: str, rows: int, reps: int) -> list[Timing]:
    now = datetime.now(UTC)
    engine = create_engine(url)
    print(f"\n== {name}: migrating and loading {rows:,} drifts", file=sys.stderr)
    migrate.upgrade(engine)
    start = time.perf_counter()
    global _loaded
    _loaded = 0
    if name == "sqlite":
        load_sqlite(engine, rows, now)
    else:
        load_postgres(engine, url, rows, now)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    if name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        # VACUUM as well: after COPY the visibility map is empty until autovacuum's first pass,
        # and without it counts cannot use index-only scans; a live database has it set.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) drifts")
    analyzed = time.perf_counter() - start
    engine.dispose()
    print(
        f"{name}: loaded {rows:,} rows in {loaded:.1f} s ({rows / loaded:,.0f} rows/s), "
        f"{'ANALYZE' if name == 'sqlite' else 'VACUUM (ANALYZE)'} {analyzed:.1f} s"
    )

    ctx = open_context(load_settings(database_url=url), command="bench")
    timings: list[Timing] = []
    plans: dict[str, list[str]] = {}
    try:
        for flt_name, flt in FILTERS.items():
            count_timing: Timing | None = None
            for sort in SORTS:
                for asc in (False, True):
                    label = f"{sort} {'asc' if asc else 'desc'}"
                    count_sql, page_sql = _service_sql(ctx, flt, sort, asc)
                    service = Timing(name, "service", flt_name, label)
                    service.samples_ms = measure(
                        lambda f=flt, s=sort, a=asc: drifts_svc.list_drifts(  # type: ignore[misc]
                            ctx, filters=f, sort=s, ascending=a, limit=20
                        ),
                        reps,
                    )
                    page = Timing(name, "page", flt_name, label)
                    page.samples_ms = measure(_raw(ctx.read_engine, *page_sql), reps)
                    timings += [service, page]
                    plans[f"page  {flt_name} | {label}"] = explain(ctx.read_engine, *page_sql)
                    if count_timing is None:
                        count_timing = Timing(name, "count", flt_name, "-")
                        count_timing.samples_ms = measure(_raw(ctx.read_engine, *count_sql), reps)
                        timings.append(count_timing)
                        plans[f"count {flt_name}"] = explain(ctx.read_engine, *count_sql)
                    _print_timing(service)
        prefixes = _sample_prefixes(ctx, reps + 1)
        shown = iter(prefixes)
        show = Timing(name, "show_drift", "8-char id prefix", "-")
        show.samples_ms = measure(lambda: drifts_svc.show_drift(ctx, next(shown)), reps)
        timings.append(show)
    finally:
        ctx.dispose()
    print(f"\n-- {name}: query plans")
    for key, plan in plans.items():
        print(f"{key}\n    " + "\n    ".join(plan))
    return timings


def _sample_prefixes(ctx: Context, n: int) -> list[str]:
    """8-character prefixes of random existing ids, skipping the rare ambiguous ones."""
    with ctx.read() as session:
        ids = drifts_repo.list_page(
            session, filters=DriftFilter(), sort="created", ascending=True, offset=0, limit=5000
        )
        prefixes = []
        for drift in random.Random(SEED).sample(ids, len(ids)):
            prefix = str(drift.id)[:8]
            if len(drifts_repo.ids_with_prefix(session, prefix, limit=2)) == 1:
                prefixes.append(prefix)
            if len(prefixes) == n:
                break
    return prefixes


def _print_timing(t: Timing) -> None:
    print(
        f"  {t.engine:10} {t.query:8} {t.filter:40} {t.sort:14} p50 {t.pct(50):8.2f} ms",
        file=sys.stderr,
    )


def report(timings: list[Timing]) -> None:
    print(f"\n{'engine':10} {'query':10} {'filter':38} {'sort':14} {'p50 ms':>8} {'p95 ms':>8}")
    slow = []
    for t in timings:
        mark = " *" if t.pct(50) > TARGET_MS else ""
        print(
            f"{t.engine:10} {t.query:10} {t.filter:38} {t.sort:14} "
            f"{t.pct(50):8.2f} {t.pct(95):8.2f}{mark}"
        )
        if mark:
            slow.append(t)
    print(
        f"\n{len(slow)} of {len(timings)} queries miss the {TARGET_MS:.0f} ms p50 target (*)",
        flush=True,
    )


# --- databases -------------------------------------------------------------------------------


@contextmanager
def postgres_database(admin_url: str, *, keep: bool) -> Iterator[str]:
    import psycopg

    admin = make_url(admin_url.replace("postgresql+psycopg://", "postgresql://"))
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"driftctl_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        if keep:
            print(f"kept PostgreSQL database {name}", file=sys.stderr)
        else:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database(path: str | None, *, keep: bool) -> Iterator[str]:
    if path:
        target = Path(path)
        if target.exists():
            raise SystemExit(f"{target} exists: give a new file for the benchmark")
        yield f"sqlite:///{target}"
        return
    tmp = Path(tempfile.mkdtemp(prefix="driftctl-bench-"))
    try:
        yield f"sqlite:///{tmp / 'bench.db'}"
    finally:
        if keep:
            print(f"kept SQLite database {tmp / 'bench.db'}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("DRIFTCTL_BENCH_POSTGRES_URL")
        or os.environ.get("DRIFTCTL_TEST_POSTGRES_URL"),
        help="administrative PostgreSQL URL (default: $DRIFTCTL_BENCH_POSTGRES_URL, "
        "then $DRIFTCTL_TEST_POSTGRES_URL)",
    )
    parser.add_argument(
        "--sqlite-path", help="where to build the SQLite file (default: a temp dir)"
    )
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)

    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    if "postgresql" in engines and not args.pg_url:
        parser.error("PostgreSQL needs --pg-url (or DRIFTCTL_BENCH_POSTGRES_URL)")
    print(
        f"driftctl db bench: {args.rows:,} drifts, {args.reps} repetitions per query, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    timings: list[Timing] = []
    for name in engines:
        if name == "sqlite":
            with sqlite_database(args.sqlite_path, keep=args.keep) as url:
                engine_timings = bench_engine(name, url, args.rows, args.reps)
        else:
            with postgres_database(args.pg_url, keep=args.keep) as url:
                engine_timings = bench_engine(name, url, args.rows, args.reps)
        report(engine_timings)
        timings += engine_timings
    if len(engines) > 1:
        slow = sum(t.pct(50) > TARGET_MS for t in timings)
        print(f"\nall engines: {slow} of {len(timings)} queries miss {TARGET_MS:.0f} ms p50")


if __name__ == "__main__":
    main()
