"""Conformance entry of SECURITY_GROUP (fixture: security_group.tfstate)."""

from __future__ import annotations

from tests.types.entries._common import WORLD, tag_mutation
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "SECURITY_GROUP"

WEB_SG = "module.app.aws_security_group.web"


def _open_ssh(account: Account) -> None:
    account.client("ec2").authorize_security_group_ingress(
        GroupId=account.ids[WEB_SG],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": WORLD}]}
        ],
    )


def _close_https(account: Account) -> None:
    account.client("ec2").revoke_security_group_ingress(
        GroupId=account.ids[WEB_SG],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": WORLD}]}
        ],
    )


def _close_metrics(account: Account) -> None:
    account.client("ec2").revoke_security_group_ingress(
        GroupId=account.ids[WEB_SG],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 9100,
                "ToPort": 9100,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            }
        ],
    )


def _open_egress_smtp(account: Account) -> None:
    account.client("ec2").authorize_security_group_egress(
        GroupId=account.ids[WEB_SG],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 25, "ToPort": 25, "IpRanges": [{"CidrIp": WORLD}]}
        ],
    )


def _wizard_group(account: Account) -> str:
    ec2 = account.client("ec2")
    vpc = account.attributes(WEB_SG)["vpc_id"]
    group = ec2.create_security_group(GroupName="launch-wizard-1", Description="wizard", VpcId=vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": WORLD}]}
        ],
    )
    return str(group["GroupId"])


ENTRY = Entry(
    fixture="security_group.tfstate",
    mutations=(
        Mutation(
            "SSH opened to the world", _open_ssh, WEB_SG, f"ingress[tcp:22:{WORLD}]", "critical"
        ),
        Mutation("HTTPS closed", _close_https, WEB_SG, f"ingress[tcp:443:{WORLD}]", "warning"),
        Mutation(
            "separate rule revoked",
            _close_metrics,
            WEB_SG,
            "ingress[tcp:9100:10.0.0.0/16]",
            "warning",
        ),
        Mutation(
            "SMTP out to the world", _open_egress_smtp, WEB_SG, f"egress[tcp:25:{WORLD}]", "warning"
        ),
        tag_mutation("ec2", WEB_SG),
        Mutation("RDP-open group", _wizard_group, None, "", "critical", "unmanaged"),
    ),
)
