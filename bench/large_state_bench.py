"""Memory and time of ``driftctl scan --no-store`` over a very large state.

    python bench/large_state_bench.py [--instances 150000] [--instances 37500 ...]

Writes a state of N ``aws_instance`` instances (about 150 bytes each, like the 23 MB /
150,000-instance state this was first measured on) and scans it against an empty account in a
moto server, so every instance is a missing drift: the scan reads, compares, prices and prints
150,000 drifts. Prints the state size, wall time, CPU time and peak RSS of the scan process for
each N, and the growth between sizes (linear time and memory: ratio ~ the size ratio).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from moto.server import ThreadedMotoServer

REGION = "us-east-1"


def write_state(path: Path, instances: int) -> int:
    """A v4 state of ``instances`` aws_instance instances (count.index), returns its size."""
    attributes = [
        {
            "id": f"i-{n:017x}",
            "ami": "ami-0c02fb55956c7d316",
            "instance_type": "t3.micro",
            "arn": f"arn:aws:ec2:{REGION}:123456789012:instance/i-{n:017x}",
            "tags": {"Name": f"web-{n}"},
        }
        for n in range(instances)
    ]
    doc = {
        "version": 4,
        "terraform_version": "1.7.5",
        "serial": 1,
        "lineage": "0c5e8a3b-6f2d-4b71-9e0a-1d2c3b4a5f60",
        "outputs": {},
        "resources": [
            {
                "mode": "managed",
                "type": "aws_instance",
                "name": "fleet",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [
                    {"index_key": n, "schema_version": 1, "attributes": a}
                    for n, a in enumerate(attributes)
                ],
            }
        ],
    }
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path.stat().st_size


def run(url: str, state: Path, workdir: Path) -> tuple[float, float, float, int, int]:
    """(wall s, CPU s, peak RSS MB, exit code, drifts printed) of one scan process."""
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        XDG_CONFIG_HOME=str(workdir / "config"),
        XDG_CACHE_HOME=str(workdir / "cache"),
        XDG_DATA_HOME=str(workdir / "data"),
    )
    cmd = [sys.executable, "-m", "driftctl", "-o", "json", "scan", "--from", str(state)]
    cmd += ["--region", REGION, "--type", "EC2", "--no-store", "--fail-on", "never"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = workdir / "scan.json"
    with out.open("wb") as stdout:
        code = subprocess.run(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE).returncode
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    drifts = len(json.loads(out.read_text(encoding="utf-8"))["drifts"]) if code == 0 else -1
    # ru_maxrss of children is the largest child so far: run the sizes smallest first.
    return wall, cpu, after.ru_maxrss / 1024, code, drifts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, action="append", help="(repeatable)")
    args = parser.parse_args()
    sizes = sorted(args.instances or [37_500, 150_000])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            for n in sizes:
                state = workdir / f"fleet-{n}.tfstate"
                size = write_state(state, n)
                wall, cpu, peak, code, drifts = run(f"http://{host}:{port}", state, workdir)
                rows.append((n, size, wall, cpu, peak, code, drifts))
    finally:
        server.stop()
    print(
        f"{'instances':>10} {'state MB':>9} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} "
        f"{'exit':>4} {'drifts':>7}"
    )
    for n, size, wall, cpu, peak, code, drifts in rows:
        print(
            f"{n:>10} {size / 2**20:>9.1f} {wall:>7.1f} {cpu:>7.1f} {peak:>8.0f} {code:>4} "
            f"{drifts:>7}"
        )
    if len(rows) > 1:
        (n0, _, w0, c0, p0, *_), (n1, _, w1, c1, p1, *_) = rows[0], rows[-1]
        print(
            f"growth x{n1 / n0:.1f} instances: wall x{w1 / w0:.2f}, CPU x{c1 / c0:.2f}, "
            f"peak RSS x{p1 / p0:.2f}"
        )


if __name__ == "__main__":
    main()
