"""Benchmark of the load-balancer types (LB, LB_LISTENER, LB_TARGET_GROUP) with 30 ms per AWS call.

The estate at ``--scale 1``: 50 VPCs, each with 6 subnets, a security group, an application load
balancer with two listeners (HTTP redirecting to HTTPS, and HTTPS forwarding to a target group,
with one path rule) and its target group. A Terraform v4 state is written for it; then 10% of
each type drifts: half modified after the state was written (idle timeout, TLS policy, health
check path), half created outside Terraform (a load balancer with its listener and target group).

Every AWS call goes through ``bench/latency_proxy.py`` with ``--delay-ms`` (30) added, in front of a
moto server. For every scale and type (each alone with ``--type``, then the three together) it
prints, for ``python -m driftctl scan`` run as a separate process: its wall time, the time from
the scan's start to its end (reading AWS and comparing, without interpreter start-up), its CPU
time and peak memory, the CPU moto and the proxy spent serving it, the API calls (attempts, as
driftctl counts them) next to the minimum the type declares (``ApiCall`` / ``minimum_calls``; the
DescribeLoadBalancers listing is shared by LB and LB_LISTENER in one scan) and to the requests
the proxy forwarded, whether the drifts found are the ones made, and the growth from the first
scale to the last. Nothing is asserted.

    python bench/11b_bench.py                     # --scale 1 --scale 4
    python bench/11b_bench.py --scale 0.2 --delay-ms 30
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).parent))

from http.server import ThreadingHTTPServer

from latency_proxy import LatencyProxy
from scan_bench import (
    _MEASURE,
    PROVIDER,
    child_env,
    fake_credentials,
    moto_server,
    reset_moto,
    write_state,
)

from driftctl.types import registry
from driftctl.types.spec import minimum_calls

REGION = "us-east-1"
BASE_VPCS = 50
SUBNETS_PER_VPC = 6
DRIFT_SHARE = 0.05  # modified, and again unmanaged
TYPES = ("LB", "LB_LISTENER", "LB_TARGET_GROUP")
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f")
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
SHARED_LISTING = "elastic-load-balancing-v2:DescribeLoadBalancers"


@dataclass
class Estate:
    """What was built: state resources, counts per type, the drifts made, build time."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    managed: Counter[str] = field(default_factory=Counter)
    listed: Counter[str] = field(default_factory=Counter)
    balancers: int = 0
    drifts: Counter[tuple[str, str]] = field(default_factory=Counter)
    build_seconds: float = 0.0
    drift_seconds: float = 0.0


def _instance(attrs: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        "index_key": index,
        "schema_version": 0,
        "attributes": attrs,
        "sensitive_attributes": [],
        "private": "bnVsbA==",
    }


def _tf(rtype: str, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider": PROVIDER,
        "instances": instances,
    }


def _tags(name: str) -> dict[str, Any]:
    own = {"Name": name}
    return {"tags": own, "tags_all": {"ManagedBy": "terraform", **own}}


def _forward(tg_arn: str) -> dict[str, Any]:
    return {
        "authenticate_cognito": [],
        "authenticate_oidc": [],
        "fixed_response": [],
        "forward": [],
        "order": 1,
        "redirect": [],
        "target_group_arn": tg_arn,
        "type": "forward",
    }


_REDIRECT = {
    **_forward(""),
    "redirect": [
        {
            "host": "#{host}",
            "path": "/#{path}",
            "port": "443",
            "protocol": "HTTPS",
            "query": "#{query}",
            "status_code": "HTTP_301",
        }
    ],
    "type": "redirect",
}


class Builder:
    """Creates the estate on the moto server (directly, without the proxy) and its state."""

    def __init__(self, url: str, vpcs: int) -> None:
        session = boto3.session.Session(region_name=REGION)
        config = Config(retries={"max_attempts": 2})
        self.ec2: Any = session.client("ec2", endpoint_url=url, config=config)
        self.elb: Any = session.client("elbv2", endpoint_url=url, config=config)
        self.acm: Any = session.client("acm", endpoint_url=url, config=config)
        self.vpcs = vpcs
        self.estate = Estate()
        self.made: list[dict[str, str]] = []

    def build(self) -> Estate:
        started = time.perf_counter()
        cert = self.acm.request_certificate(DomainName="bench.example.com")["CertificateArn"]
        lbs, listeners, rules, groups = [], [], [], []
        for i in range(self.vpcs):
            made = self._one(f"bench-{i:04d}", i, cert)
            self.made.append(made)
            lbs.append(_instance(made.pop("lb_state"), i))
            groups.append(_instance(made.pop("tg_state"), i))
            listeners.append(_instance(made.pop("http_state"), 2 * i))
            listeners.append(_instance(made.pop("https_state"), 2 * i + 1))
            rules.append(_instance(made.pop("rule_state"), i))
        self.estate.resources = [
            _tf("aws_lb", "app", lbs),
            _tf("aws_lb_target_group", "app", groups),
            _tf("aws_lb_listener", "app", listeners),
            _tf("aws_lb_listener_rule", "api", rules),
        ]
        self.estate.managed.update(
            LB=len(lbs), LB_LISTENER=len(listeners), LB_TARGET_GROUP=len(groups)
        )
        self.estate.build_seconds = time.perf_counter() - started
        return self.estate

    def _one(self, name: str, i: int, cert: str) -> dict[str, Any]:
        # VPC ranges may overlap (AWS allows it): only the subnets of one VPC must not.
        vpc = self.ec2.create_vpc(CidrBlock=f"10.{i % 256}.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            self.ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.{i % 256}.{s}.0/24", AvailabilityZone=zone
            )["Subnet"]["SubnetId"]
            for s, zone in enumerate(ZONES[:SUBNETS_PER_VPC])
        ]
        group = self.ec2.create_security_group(GroupName=name, Description="alb", VpcId=vpc)[
            "GroupId"
        ]
        lb = self.elb.create_load_balancer(
            Name=name,
            Subnets=subnets[:2],
            SecurityGroups=[group],
            Scheme="internet-facing",
            Type="application",
            Tags=[{"Key": "Name", "Value": name}, {"Key": "ManagedBy", "Value": "terraform"}],
        )["LoadBalancers"][0]
        lb_arn = lb["LoadBalancerArn"]
        self.elb.modify_load_balancer_attributes(
            LoadBalancerArn=lb_arn,
            Attributes=[
                {"Key": "deletion_protection.enabled", "Value": "false"},
                {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
                {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "false"},
            ],
        )
        tg = self.elb.create_target_group(
            Name=name,
            Protocol="HTTP",
            Port=80,
            VpcId=vpc,
            TargetType="ip",
            HealthCheckEnabled=True,
            HealthCheckPath="/health",
            HealthCheckPort="traffic-port",
            HealthCheckProtocol="HTTP",
            HealthCheckIntervalSeconds=30,
            HealthCheckTimeoutSeconds=5,
            HealthyThresholdCount=3,
            UnhealthyThresholdCount=3,
            Matcher={"HttpCode": "200"},
            Tags=[{"Key": "Name", "Value": name}, {"Key": "ManagedBy", "Value": "terraform"}],
        )["TargetGroups"][0]
        tg_arn = tg["TargetGroupArn"]
        http = self.elb.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[
                {
                    "Type": "redirect",
                    "RedirectConfig": {
                        "Protocol": "HTTPS",
                        "Port": "443",
                        "Host": "#{host}",
                        "Path": "/#{path}",
                        "Query": "#{query}",
                        "StatusCode": "HTTP_301",
                    },
                }
            ],
            Tags=[{"Key": "ManagedBy", "Value": "terraform"}],
        )["Listeners"][0]["ListenerArn"]
        https = self.elb.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="HTTPS",
            Port=443,
            SslPolicy=TLS_POLICY,
            Certificates=[{"CertificateArn": cert}],
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
            Tags=[{"Key": "ManagedBy", "Value": "terraform"}],
        )["Listeners"][0]["ListenerArn"]
        rule = self.elb.create_rule(
            ListenerArn=https,
            Priority=10,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
            Actions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
        )["Rules"][0]["RuleArn"]
        return {
            "lb": lb_arn,
            "tg": tg_arn,
            "https": https,
            "lb_state": {
                "arn": lb_arn,
                "id": lb_arn,
                "name": name,
                "load_balancer_type": "application",
                "internal": False,
                "subnets": subnets[:2],
                "security_groups": [group],
                "ip_address_type": "ipv4",
                "idle_timeout": 60,
                "enable_deletion_protection": False,
                "drop_invalid_header_fields": False,
                "access_logs": [{"bucket": "", "enabled": False, "prefix": ""}],
                **_tags(name),
                "vpc_id": vpc,
            },
            "tg_state": {
                "arn": tg_arn,
                "id": tg_arn,
                "name": name,
                "port": 80,
                "protocol": "HTTP",
                "target_type": "ip",
                "vpc_id": vpc,
                "deregistration_delay": "300",
                "health_check": [
                    {
                        "enabled": True,
                        "healthy_threshold": 3,
                        "interval": 30,
                        "matcher": "200",
                        "path": "/health",
                        "port": "traffic-port",
                        "protocol": "HTTP",
                        "timeout": 5,
                        "unhealthy_threshold": 3,
                    }
                ],
                "stickiness": [
                    {
                        "cookie_duration": 86400,
                        "cookie_name": "",
                        "enabled": False,
                        "type": "lb_cookie",
                    }
                ],
                **_tags(name),
            },
            "http_state": {
                "arn": http,
                "id": http,
                "load_balancer_arn": lb_arn,
                "port": 80,
                "protocol": "HTTP",
                "ssl_policy": "",
                "certificate_arn": None,
                "default_action": [_REDIRECT],
                "tags": {},
                "tags_all": {"ManagedBy": "terraform"},
            },
            "https_state": {
                "arn": https,
                "id": https,
                "load_balancer_arn": lb_arn,
                "port": 443,
                "protocol": "HTTPS",
                "ssl_policy": TLS_POLICY,
                "certificate_arn": cert,
                "default_action": [_forward(tg_arn)],
                "tags": {},
                "tags_all": {"ManagedBy": "terraform"},
            },
            "rule_state": {
                "arn": rule,
                "id": rule,
                "listener_arn": https,
                "priority": 10,
                "condition": [
                    {
                        "host_header": [],
                        "http_header": [],
                        "http_request_method": [],
                        "path_pattern": [{"values": ["/api/*"]}],
                        "query_string": [],
                        "source_ip": [],
                    }
                ],
                "action": [_forward(tg_arn)],
            },
        }

    def drift(self) -> None:
        """Modify 5% of each type and create 5% unmanaged (a load balancer with one listener
        and its target group)."""
        started = time.perf_counter()
        count = max(1, round(self.vpcs * DRIFT_SHARE))
        step = self.vpcs // count
        for made in self.made[::step][:count]:
            self.elb.modify_load_balancer_attributes(
                LoadBalancerArn=made["lb"],
                Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "300"}],
            )
            self.elb.modify_listener(
                ListenerArn=made["https"], SslPolicy="ELBSecurityPolicy-2016-08"
            )
            self.elb.modify_target_group(TargetGroupArn=made["tg"], HealthCheckPath="/")
        for name in ("LB", "LB_LISTENER", "LB_TARGET_GROUP"):
            self.estate.drifts[(name, "modified")] = count
        subnets = self.ec2.describe_subnets()["Subnets"]
        by_vpc: dict[str, list[str]] = {}
        for subnet in subnets:
            by_vpc.setdefault(subnet["VpcId"], []).append(subnet["SubnetId"])
        vpc, ids = next((v, s) for v, s in by_vpc.items() if len(s) >= 2)
        for k in range(count):
            name = f"console-{k:04d}"
            lb = self.elb.create_load_balancer(
                Name=name, Subnets=ids[:2], Scheme="internal", Type="application"
            )["LoadBalancers"][0]["LoadBalancerArn"]
            tg = self.elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc)[
                "TargetGroups"
            ][0]["TargetGroupArn"]
            self.elb.create_listener(
                LoadBalancerArn=lb,
                Protocol="HTTP",
                Port=80,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
            )
        for name in TYPES:
            self.estate.drifts[(name, "unmanaged")] = count
        self.estate.balancers = self.vpcs + count
        self.estate.listed.update(
            LB=self.vpcs + count,
            LB_LISTENER=2 * self.vpcs + count,
            LB_TARGET_GROUP=self.vpcs + count,
        )
        self.estate.drift_seconds = time.perf_counter() - started


@dataclass
class Run:
    wall: float
    # From the scan's started_at to its finished_at: reading AWS and comparing, no start-up.
    scan: float
    cpu: float
    # The benchmark process's CPU meanwhile: moto and the proxy serving the scan.
    server_cpu: float
    peak_mb: float
    exit_code: int
    api_calls: dict[str, int]
    found: Counter[tuple[str, str]]
    errors: list[Any]
    # Requests the proxy forwarded: below ``api_calls`` when attempts failed before reaching it.
    forwarded: int = 0


def scan(
    proxy: LatencyProxy, state: Path, workdir: Path, types: tuple[str, ...], label: str
) -> Run:
    """``python -m driftctl scan --type …`` through the proxy, measured from a small wrapper."""
    cmd = [sys.executable, "-m", "driftctl", "-o", "json", "scan", "--from", str(state)]
    cmd += ["--region", REGION, "--fail-on", "never", "--no-store"]
    for name in types:
        cmd += ["--type", name]
    out, err = workdir / f"{label}.json", workdir / f"{label}.stderr"
    before, cpu_before = proxy.requests, time.process_time()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(out), str(err), *cmd],
        env=child_env(proxy.url, workdir),
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    server_cpu = time.process_time() - cpu_before
    measured = json.loads(done.stdout)
    result = json.loads(out.read_text(encoding="utf-8"))
    info = result.get("scan", {})
    calls = {k: v for k, v in info.get("api_calls", {}).items() if not k.startswith("sts:")}
    found = Counter((d["resource_type"], d["drift_type"]) for d in result.get("drifts", []))
    return Run(
        wall=measured["wall"],
        scan=(
            datetime.fromisoformat(info["finished_at"]) - datetime.fromisoformat(info["started_at"])
        ).total_seconds(),
        cpu=measured["cpu"],
        server_cpu=server_cpu,
        peak_mb=measured["peak_mb"],
        exit_code=measured["exit_code"],
        api_calls=calls,
        found=found,
        errors=list(info.get("errors", [])),
        forwarded=proxy.requests - before - 1,  # less STS GetCallerIdentity
    )


def minimum(estate: Estate, types: tuple[str, ...]) -> dict[str, int]:
    """The declared minimum of a scan of ``types``; a shared listing counts once."""
    out: dict[str, int] = {}
    for name in types:
        spec = registry.get(name)
        assert spec is not None
        needed = minimum_calls(
            spec.api_calls,
            {REGION: estate.listed[name]},
            managed=estate.managed[name],
            parents={"load_balancer_arn": estate.balancers},
        )
        for operation, calls in needed.items():
            if operation == SHARED_LISTING:
                out[operation] = max(out.get(operation, 0), calls)
            else:
                out[operation] = out.get(operation, 0) + calls
    return dict(sorted(out.items()))


def _short(operation: str) -> str:
    return operation.split(":", 1)[1]


def report(scale: float, estate: Estate, runs: dict[tuple[str, ...], Run]) -> None:
    print(
        f"\nscale {scale:g}: {estate.listed['LB']} load balancers, {estate.listed['LB_LISTENER']} "
        f"listeners, {estate.listed['LB_TARGET_GROUP']} target groups "
        f"(built in {estate.build_seconds:.1f} s, drifted in {estate.drift_seconds:.1f} s)"
    )
    print(
        f"  {'types':<32} {'wall s':>7} {'scan s':>7} {'cpu s':>6} {'moto s':>6} {'peak MB':>8}"
        f" {'calls':>6}"
        f" {'minimum':>8} {'proxied':>8}  drifts found/made"
    )
    for types, run in runs.items():
        wanted = minimum(estate, types)
        made = sum(v for (t, _), v in estate.drifts.items() if t in types)
        found = sum(run.found.values())
        exact = all(
            run.found[(t, k)] == estate.drifts[(t, k)] for (t, k) in estate.drifts if t in types
        )
        label = "+".join(types) if len(types) > 1 else types[0]
        print(
            f"  {label:<32} {run.wall:>7.2f} {run.scan:>7.2f} {run.cpu:>6.2f}"
            f" {run.server_cpu:>6.2f} {run.peak_mb:>8.0f}"
            f" {sum(run.api_calls.values()):>6} {sum(wanted.values()):>8} {run.forwarded:>8}"
            f"  {found}/{made}{'' if exact else ' (MISMATCH)'}"
            f"{'' if not run.errors else f'  errors: {run.errors[:1]}'}"
        )
        for operation in sorted(set(wanted) | set(run.api_calls)):
            made_calls, least = run.api_calls.get(operation, 0), wanted.get(operation, 0)
            flag = "" if made_calls == least else "  <- differs"
            print(f"      {_short(operation):<34} {made_calls:>6} {least:>8}{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, action="append", help="repeatable; default 1 and 4")
    parser.add_argument("--delay-ms", type=float, default=30.0, help="latency per AWS call")
    parser.add_argument("--workdir", type=Path, help="keep the states and outputs here")
    args = parser.parse_args(argv)
    scales = args.scale or [1.0, 4.0]
    # Fake credentials for the whole run: nothing here may reach a real AWS account.
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(fake_credentials({}))
    print(f"load-balancer types, {args.delay_ms:g} ms added to every AWS call, region {REGION}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="driftctl-11b-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[tuple[float, Estate, dict[tuple[str, ...], Run]]] = []
    # A scan of the three types opens dozens of connections at once: the proxy's default listen
    # backlog (5) would drop some and turn them into retries and 1 s SYN waits.
    ThreadingHTTPServer.request_queue_size = 256
    with moto_server() as url, LatencyProxy(url, delay_ms=args.delay_ms) as proxy:
        for scale in scales:
            reset_moto(url)
            builder = Builder(url, max(1, round(BASE_VPCS * scale)))
            estate = builder.build()
            builder.drift()
            state = workdir / f"scale-{scale:g}.tfstate"
            write_state(state, estate.resources)
            runs = {
                (name,): scan(proxy, state, workdir, (name,), f"{scale:g}-{name}") for name in TYPES
            }
            runs[TYPES] = scan(proxy, state, workdir, TYPES, f"{scale:g}-all")
            report(scale, estate, runs)
            results.append((scale, estate, runs))
    if len(results) > 1:
        (first, _, before), (last, _, after) = results[0], results[-1]
        print(f"\ngrowth {first:g}x -> {last:g}x (resources x{last / first:g}):")
        for types in before:
            a, b = before[types], after[types]
            label = "+".join(types) if len(types) > 1 else types[0]
            calls_a, calls_b = sum(a.api_calls.values()), sum(b.api_calls.values())
            print(
                f"  {label:<32} wall x{b.wall / a.wall:.2f}  scan x{b.scan / a.scan:.2f}"
                f"  cpu x{b.cpu / a.cpu:.2f}  calls x{calls_b / max(1, calls_a):.2f}"
                f"  peak MB x{b.peak_mb / a.peak_mb:.2f}"
            )
    print(f"\noutputs in {workdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
