"""Benchmark of the VPC network types with 30 ms per AWS call: issue 11's estate.

The estate at ``--scale 1``: 50 VPCs, each with 6 subnets, 4 route tables (one public, three
private routing 0.0.0.0/0 through the NAT gateway) and their subnet associations, a NAT gateway
with its Elastic IP, the default network ACL managed as ``aws_default_network_acl``, an S3
gateway endpoint on the main route table, and the application load balancer of
``bench/11b_bench.py`` with two listeners (HTTP redirecting to HTTPS, HTTPS forwarding to a
target group, with one path rule). A Terraform v4 state is written for it (provider v5 shapes).
Then 5% of each measured type drifts after the state was written and 5% more is created outside
Terraform: a NAT gateway and an Elastic IP retagged, SSH opened to the internet on a default ACL,
an endpoint policy narrowed; unmanaged NAT gateways (each with a new Elastic IP), network ACLs
and endpoints; and the load-balancer drifts of ``11b_bench.py``.

Measured: every network type this build registers (VPC, SUBNET, INTERNET_GATEWAY, ROUTE_TABLE,
NAT_GATEWAY, EIP, NETWORK_ACL, VPC_ENDPOINT, LB, LB_LISTENER, LB_TARGET_GROUP; those not
registered are left out), each alone with ``--type``, then all together. Every AWS call goes
through ``bench/latency_proxy.py`` with ``--delay-ms`` (30) added, in front of a moto server. For
``python -m driftctl scan`` run as a separate process it prints, as ``11b_bench.py`` does: wall
time, scan time (reading AWS and comparing, no interpreter start-up), CPU, peak memory, moto's
CPU, the API calls next to the minimum the type declares (``minimum_calls``, from the resources
each type lists in moto) and the requests the proxy forwarded, the drifts found against those
made (drifts are made only for the types of this estate that have a drift recipe below), and
the growth from the first scale to the last. Nothing is asserted.

    python bench/11_bench.py                     # --scale 1 --scale 4
    python bench/11_bench.py --scale 0.2 --delay-ms 30
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from http.server import ThreadingHTTPServer

from latency_proxy import LatencyProxy
from scan_bench import fake_credentials, moto_server, reset_moto, speed_up_moto_tags, write_state

from driftctl.types import registry
from driftctl.types.spec import minimum_calls

lb_bench: Any = importlib.import_module("11b_bench")

REGION = lb_bench.REGION
ACCOUNT = "123456789012"
DRIFT_SHARE = lb_bench.DRIFT_SHARE
NETWORK_TYPES = (
    "VPC",
    "SUBNET",
    "INTERNET_GATEWAY",
    "ROUTE_TABLE",
    "NAT_GATEWAY",
    "EIP",
    "NETWORK_ACL",
    "VPC_ENDPOINT",
    "LB",
    "LB_LISTENER",
    "LB_TARGET_GROUP",
)
LB_TYPES = frozenset(lb_bench.TYPES)
DEFAULT_TAGS = {"ManagedBy": "terraform"}
WORLD = "0.0.0.0/0"
S3_SERVICE = f"com.amazonaws.{REGION}.s3"
DYNAMODB_SERVICE = f"com.amazonaws.{REGION}.dynamodb"
FULL_ACCESS = '{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}]}'


def measured_types() -> tuple[str, ...]:
    """The network types this build registers, in the issue's order."""
    return tuple(t for t in NETWORK_TYPES if registry.get(t) is not None)


def _arn(kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{rid}"


def _tags(name: str) -> dict[str, Any]:
    own = {"Name": name}
    return {"tags": own, "tags_all": {**DEFAULT_TAGS, **own}}


def _route(**target: str) -> dict[str, str]:
    route = dict.fromkeys(
        (
            "carrier_gateway_id",
            "cidr_block",
            "core_network_arn",
            "destination_prefix_list_id",
            "egress_only_gateway_id",
            "gateway_id",
            "ipv6_cidr_block",
            "local_gateway_id",
            "nat_gateway_id",
            "network_interface_id",
            "transit_gateway_id",
            "vpc_endpoint_id",
            "vpc_peering_connection_id",
        ),
        "",
    )
    route.update(target)
    return route


def _acl_rule(number: int, cidr: str) -> dict[str, Any]:
    return {
        "action": "allow",
        "cidr_block": cidr,
        "from_port": 0,
        "icmp_code": None,
        "icmp_type": None,
        "ipv6_cidr_block": "",
        "protocol": "-1",
        "rule_no": number,
        "to_port": 0,
    }


class Builder(lb_bench.Builder):  # type: ignore[misc]
    """The load-balancer estate of ``11b_bench.py`` plus the rest of each VPC's network."""

    def __init__(self, url: str, vpcs: int) -> None:
        super().__init__(url, vpcs)
        self.network: dict[str, list[dict[str, Any]]] = {}
        self.per_vpc: list[dict[str, Any]] = []

    def build(self) -> Any:
        estate = super().build()
        started = time.perf_counter()
        for i, made in enumerate(self.made):
            self._network(i, made)
        for rtype, instances in self.network.items():
            name = rtype.removeprefix("aws_")
            estate.resources.append(
                lb_bench._tf(
                    rtype, name, [lb_bench._instance(a, n) for n, a in enumerate(instances)]
                )
            )
        estate.managed = managed_counts(estate.resources)
        estate.build_seconds += time.perf_counter() - started
        return estate

    def _add(self, rtype: str, attrs: dict[str, Any]) -> None:
        self.network.setdefault(rtype, []).append(attrs)

    def _network(self, i: int, made: dict[str, Any]) -> None:
        ec2 = self.ec2
        name = f"bench-{i:04d}"
        vpc_id = self.elb.describe_load_balancers(LoadBalancerArns=[made["lb"]])["LoadBalancers"][
            0
        ]["VpcId"]
        in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
        vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        subnets = sorted(
            ec2.describe_subnets(Filters=in_vpc)["Subnets"], key=lambda s: s["CidrBlock"]
        )
        main_table = ec2.describe_route_tables(
            Filters=[*in_vpc, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"][0]["RouteTableId"]
        acl = ec2.describe_network_acls(Filters=[*in_vpc, {"Name": "default", "Values": ["true"]}])[
            "NetworkAcls"
        ][0]["NetworkAclId"]
        group = ec2.describe_security_groups(
            Filters=[*in_vpc, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"][0]["GroupId"]
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": name}, *_aws_tags()])
        self._add(
            "aws_vpc",
            {
                "arn": _arn("vpc", vpc_id),
                "assign_generated_ipv6_cidr_block": False,
                "cidr_block": vpc["CidrBlock"],
                "default_network_acl_id": acl,
                "default_route_table_id": main_table,
                "default_security_group_id": group,
                "dhcp_options_id": vpc.get("DhcpOptionsId", ""),
                "enable_dns_hostnames": False,
                "enable_dns_support": True,
                "enable_network_address_usage_metrics": False,
                "id": vpc_id,
                "instance_tenancy": "default",
                "ipv6_association_id": "",
                "ipv6_cidr_block": "",
                "main_route_table_id": main_table,
                "owner_id": ACCOUNT,
                **_tags(name),
            },
        )
        for s in subnets:
            ec2.create_tags(Resources=[s["SubnetId"]], Tags=_aws_tags())
            self._add(
                "aws_subnet",
                {
                    "arn": _arn("subnet", s["SubnetId"]),
                    "assign_ipv6_address_on_creation": False,
                    "availability_zone": s["AvailabilityZone"],
                    "cidr_block": s["CidrBlock"],
                    "id": s["SubnetId"],
                    "ipv6_cidr_block": "",
                    "map_public_ip_on_launch": False,
                    "owner_id": ACCOUNT,
                    "tags": {},
                    "tags_all": dict(DEFAULT_TAGS),
                    "vpc_id": vpc_id,
                },
            )
        ids = [s["SubnetId"] for s in subnets]
        eip = ec2.allocate_address(Domain="vpc", TagSpecifications=_spec("elastic-ip", name))
        nat = ec2.create_nat_gateway(
            SubnetId=ids[0],
            AllocationId=eip["AllocationId"],
            TagSpecifications=_spec("natgateway", name),
        )["NatGateway"]
        address = nat["NatGatewayAddresses"][0]
        self._add(
            "aws_eip",
            {
                "allocation_id": None,
                "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:elastic-ip/{eip['AllocationId']}",
                "association_id": address.get("AssociationId") or "",
                "domain": "vpc",
                "id": eip["AllocationId"],
                "instance": "",
                "network_interface": address["NetworkInterfaceId"],
                "private_ip": address["PrivateIp"],
                "public_ip": eip["PublicIp"],
                "public_ipv4_pool": "amazon",
                **_tags(name),
            },
        )
        self._add(
            "aws_nat_gateway",
            {
                "allocation_id": eip["AllocationId"],
                "association_id": address.get("AssociationId") or "",
                "connectivity_type": "public",
                "id": nat["NatGatewayId"],
                "network_interface_id": address["NetworkInterfaceId"],
                "private_ip": address["PrivateIp"],
                "public_ip": eip["PublicIp"],
                "secondary_allocation_ids": [],
                "subnet_id": ids[0],
                **_tags(name),
            },
        )
        # One public table (subnets 0-1) and three private ones through the NAT gateway.
        for t, members in enumerate((ids[0:2], ids[2:4], ids[4:5], ids[5:6])):
            table = ec2.create_route_table(
                VpcId=vpc_id, TagSpecifications=_spec("route-table", f"{name}-{t}")
            )["RouteTable"]["RouteTableId"]
            routes = []
            if t:
                ec2.create_route(
                    RouteTableId=table, DestinationCidrBlock=WORLD, NatGatewayId=nat["NatGatewayId"]
                )
                routes.append(_route(cidr_block=WORLD, nat_gateway_id=nat["NatGatewayId"]))
            self._add(
                "aws_route_table",
                {
                    "arn": _arn("route-table", table),
                    "id": table,
                    "owner_id": ACCOUNT,
                    "propagating_vgws": [],
                    "route": routes,
                    **_tags(f"{name}-{t}"),
                    "vpc_id": vpc_id,
                },
            )
            for subnet in members:
                association = ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
                self._add(
                    "aws_route_table_association",
                    {
                        "gateway_id": "",
                        "id": association["AssociationId"],
                        "route_table_id": table,
                        "subnet_id": subnet,
                    },
                )
        ec2.create_tags(Resources=[acl], Tags=[{"Key": "Name", "Value": name}, *_aws_tags()])
        self._add(
            "aws_default_network_acl",
            {
                "arn": _arn("network-acl", acl),
                "default_network_acl_id": acl,
                "egress": [_acl_rule(100, WORLD)],
                "id": acl,
                "ingress": [_acl_rule(100, WORLD)],
                "owner_id": ACCOUNT,
                "subnet_ids": ids,
                **_tags(name),
                "vpc_id": vpc_id,
            },
        )
        endpoint = ec2.create_vpc_endpoint(
            VpcId=vpc_id,
            ServiceName=S3_SERVICE,
            VpcEndpointType="Gateway",
            RouteTableIds=[main_table],
            TagSpecifications=_spec("vpc-endpoint", name),
        )["VpcEndpoint"]["VpcEndpointId"]
        self._add(
            "aws_vpc_endpoint",
            {
                "arn": _arn("vpc-endpoint", endpoint),
                "id": endpoint,
                "policy": FULL_ACCESS,
                "private_dns_enabled": False,
                "route_table_ids": [main_table],
                "security_group_ids": [],
                "service_name": S3_SERVICE,
                "subnet_ids": [],
                **_tags(name),
                "vpc_endpoint_type": "Gateway",
                "vpc_id": vpc_id,
            },
        )
        self.per_vpc.append(
            {
                "vpc": vpc_id,
                "subnets": ids,
                "nat": nat["NatGatewayId"],
                "eip": eip,
                "acl": acl,
                "endpoint": endpoint,
            }
        )

    def drift(self) -> None:
        super().drift()
        started = time.perf_counter()
        ec2 = self.ec2
        count = max(1, round(self.vpcs * DRIFT_SHARE))
        step = max(1, self.vpcs // count)
        chosen = self.per_vpc[::step][:count]
        retag = [{"Key": "Owner", "Value": "someone-else"}]
        for one in chosen:
            ec2.create_tags(Resources=[one["nat"], one["eip"]["AllocationId"]], Tags=retag)
            ec2.create_network_acl_entry(
                NetworkAclId=one["acl"],
                RuleNumber=150,
                Protocol="6",
                RuleAction="allow",
                Egress=False,
                CidrBlock=WORLD,
                PortRange={"From": 22, "To": 22},
            )
            ec2.modify_vpc_endpoint(
                VpcEndpointId=one["endpoint"],
                PolicyDocument=json.dumps(
                    {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": "s3:GetObject",
                                "Resource": "*",
                            }
                        ]
                    }
                ),
            )
            # Outside Terraform: a NAT gateway with its address, an ACL, an endpoint.
            address = ec2.allocate_address(Domain="vpc")["AllocationId"]
            ec2.create_nat_gateway(SubnetId=one["subnets"][1], AllocationId=address)
            ec2.create_network_acl(VpcId=one["vpc"])
            ec2.create_vpc_endpoint(
                VpcId=one["vpc"], ServiceName=DYNAMODB_SERVICE, VpcEndpointType="Gateway"
            )
        for name in ("NAT_GATEWAY", "EIP", "NETWORK_ACL", "VPC_ENDPOINT"):
            self.estate.drifts[(name, "modified")] = count
            self.estate.drifts[(name, "unmanaged")] = count
        self.estate.listed.update(listed_counts(ec2))
        self.estate.drift_seconds += time.perf_counter() - started


def _aws_tags() -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in DEFAULT_TAGS.items()]


def _spec(resource_type: str, name: str) -> list[Any]:
    tags = [{"Key": "Name", "Value": name}, *_aws_tags()]
    return [{"ResourceType": resource_type, "Tags": tags}]


def managed_counts(resources: list[dict[str, Any]]) -> Counter[str]:
    """Resources the state declares per resource type (main Terraform types only)."""
    out: Counter[str] = Counter()
    for resource in resources:
        found = registry.terraform_type(resource["type"])
        if found is not None and not found[1].parent:
            out[found[0].resource_type] += len(resource["instances"])
    return out


_LIVE = ("pending", "available")
_LISTINGS: dict[str, Callable[[Any], int]] = {
    "VPC": lambda ec2: len(ec2.describe_vpcs()["Vpcs"]),
    "SUBNET": lambda ec2: len(ec2.describe_subnets()["Subnets"]),
    "INTERNET_GATEWAY": lambda ec2: len(ec2.describe_internet_gateways()["InternetGateways"]),
    "ROUTE_TABLE": lambda ec2: len(ec2.describe_route_tables()["RouteTables"]),
    "NAT_GATEWAY": lambda ec2: sum(
        g["State"] in _LIVE for g in ec2.describe_nat_gateways()["NatGateways"]
    ),
    "EIP": lambda ec2: len(ec2.describe_addresses()["Addresses"]),
    "NETWORK_ACL": lambda ec2: len(ec2.describe_network_acls()["NetworkAcls"]),
    "VPC_ENDPOINT": lambda ec2: sum(
        e["State"].lower() in _LIVE for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
    ),
}


def listed_counts(ec2: Any) -> dict[str, int]:
    """What each EC2 network type lists in moto (AWS-created defaults included)."""
    return {name: count(ec2) for name, count in _LISTINGS.items()}


def minimum(estate: Any, types: tuple[str, ...]) -> dict[str, int]:
    """The declared minimum of a scan of ``types``; the shared load-balancer listing counts
    once."""
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
            if operation == lb_bench.SHARED_LISTING:
                out[operation] = max(out.get(operation, 0), calls)
            else:
                out[operation] = out.get(operation, 0) + calls
    return dict(sorted(out.items()))


def report(scale: float, vpcs: int, estate: Any, runs: dict[tuple[str, ...], Any]) -> None:
    """The figures of one scale, in the table ``11b_bench.py`` prints."""
    listed = ", ".join(f"{estate.listed[t]} {t}" for t in measured_types())
    print(
        f"\nscale {scale:g}: {vpcs} VPCs; listed: {listed} "
        f"(built in {estate.build_seconds:.1f} s, drifted in {estate.drift_seconds:.1f} s)"
    )
    print(
        f"  {'types':<32} {'wall s':>7} {'scan s':>7} {'cpu s':>6} {'moto s':>6} {'peak MB':>8}"
        f" {'calls':>6} {'minimum':>8} {'proxied':>8}  drifts found/made"
    )
    for types, run in runs.items():
        wanted = minimum(estate, types)
        made = sum(v for (t, _), v in estate.drifts.items() if t in types)
        found = sum(run.found.values())
        exact = (
            all(
                run.found[(t, k)] == estate.drifts[(t, k)] for (t, k) in estate.drifts if t in types
            )
            and found == made
        )
        label = "all" if len(types) > 1 else types[0]
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
            print(f"      {operation.split(':', 1)[1]:<34} {made_calls:>6} {least:>8}{flag}")


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
    types = measured_types()
    print(f"VPC network types ({', '.join(types)}), {args.delay_ms:g} ms added to every AWS call")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="driftctl-11-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[tuple[float, Any, dict[tuple[str, ...], Any]]] = []
    # Dozens of connections open at once: the proxy's default listen backlog (5) drops some.
    ThreadingHTTPServer.request_queue_size = 256
    speed_up_moto_tags()
    with moto_server() as url, LatencyProxy(url, delay_ms=args.delay_ms) as proxy:
        for scale in scales:
            reset_moto(url)
            builder = Builder(url, max(1, round(lb_bench.BASE_VPCS * scale)))
            estate = builder.build()
            builder.drift()
            state = workdir / f"scale-{scale:g}.tfstate"
            write_state(state, estate.resources)
            runs = {
                (name,): lb_bench.scan(proxy, state, workdir, (name,), f"{scale:g}-{name}")
                for name in types
            }
            runs[types] = lb_bench.scan(proxy, state, workdir, types, f"{scale:g}-all")
            report(scale, builder.vpcs, estate, runs)
            results.append((scale, estate, runs))
    if len(results) > 1:
        (first, _, before), (last, _, after) = results[0], results[-1]
        print(f"\ngrowth {first:g}x -> {last:g}x (resources x{last / first:g}):")
        for key in before:
            a, b = before[key], after[key]
            label = "all" if len(key) > 1 else key[0]
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
