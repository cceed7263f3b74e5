"""Conformance entry of LB (fixture: load_balancer.tfstate)."""

from __future__ import annotations

from collections.abc import Callable

from tests.types.entries._common import tag_mutation
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "LB"

INTERNAL = "aws_lb.internal"
EDGE = "aws_lb.edge"
LEGACY = "aws_alb.legacy"


def _attributes(address: str, **settings: str) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("elbv2").modify_load_balancer_attributes(
            LoadBalancerArn=account.ids[address],
            Attributes=[{"Key": k, "Value": v} for k, v in settings.items()],
        )

    return apply


def _new_group(account: Account) -> None:
    ec2 = account.client("ec2")
    vpc = account.attributes(INTERNAL)["vpc_id"]
    group = ec2.create_security_group(GroupName="console-extra", Description="extra", VpcId=vpc)
    groups = [*account.attributes(INTERNAL)["security_groups"], group["GroupId"]]
    account.client("elbv2").set_security_groups(
        LoadBalancerArn=account.ids[INTERNAL], SecurityGroups=groups
    )


def _new_subnet(account: Account) -> None:
    vpc = account.attributes(INTERNAL)["vpc_id"]
    subnet = account.client("ec2").create_subnet(
        VpcId=vpc, CidrBlock="10.20.9.0/24", AvailabilityZone="us-east-1c"
    )["Subnet"]["SubnetId"]
    subnets = [*account.attributes(INTERNAL)["subnets"], subnet]
    account.client("elbv2").set_subnets(LoadBalancerArn=account.ids[INTERNAL], Subnets=subnets)


def _dualstack(account: Account) -> None:
    account.client("elbv2").set_ip_address_type(
        LoadBalancerArn=account.ids[EDGE], IpAddressType="dualstack"
    )


def _delete_legacy(account: Account) -> None:
    account.client("elbv2").delete_load_balancer(LoadBalancerArn=account.ids[LEGACY])


def _console_balancer(scheme: str) -> Callable[[Account], str]:
    def apply(account: Account) -> str:
        balancer = account.client("elbv2").create_load_balancer(
            Name=f"console-{scheme}",
            Subnets=account.attributes(INTERNAL)["subnets"],
            Scheme=scheme,
            Type="application",
        )["LoadBalancers"][0]
        return str(balancer["LoadBalancerArn"])

    return apply


ENTRY = Entry(
    fixture="load_balancer.tfstate",
    mutations=(
        Mutation(
            "deletion protection off",
            _attributes(INTERNAL, **{"deletion_protection.enabled": "false"}),
            INTERNAL,
            "deletion_protection",
            "critical",
        ),
        Mutation(
            "idle timeout shortened",
            _attributes(INTERNAL, **{"idle_timeout.timeout_seconds": "30"}),
            INTERNAL,
            "idle_timeout",
            "warning",
        ),
        Mutation(
            "invalid headers passed on",
            _attributes(INTERNAL, **{"routing.http.drop_invalid_header_fields.enabled": "false"}),
            INTERNAL,
            "drop_invalid_header_fields",
            "warning",
        ),
        Mutation(
            "access logs off",
            _attributes(INTERNAL, **{"access_logs.s3.enabled": "false"}),
            INTERNAL,
            "access_logs.enabled",
            "warning",
        ),
        Mutation(
            "access logs to another bucket",
            _attributes(INTERNAL, **{"access_logs.s3.bucket": "someone-elses-bucket"}),
            INTERNAL,
            "access_logs.bucket",
            "warning",
        ),
        Mutation("security group added", _new_group, INTERNAL, "security_groups[sg-*", "warning"),
        Mutation("subnet added", _new_subnet, INTERNAL, "subnets[subnet-*", "warning"),
        Mutation("dual-stack", _dualstack, EDGE, "ip_address_type", "warning"),
        tag_mutation("elbv2", EDGE),
        Mutation("deleted", _delete_legacy, LEGACY, "", "warning", "missing"),
        Mutation(
            "internet-facing one created in the console",
            _console_balancer("internet-facing"),
            None,
            "",
            "critical",
            "unmanaged",
        ),
        Mutation(
            "internal one created in the console",
            _console_balancer("internal"),
            None,
            "",
            "info",
            "unmanaged",
        ),
    ),
)
