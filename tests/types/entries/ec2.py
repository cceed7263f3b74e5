"""Conformance entry of EC2 (fixture: ec2.tfstate)."""

from __future__ import annotations

from tests.types.entries._common import tag_mutation
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "EC2"

BASTION = "aws_instance.bastion"


def _resize(account: Account) -> None:
    account.client("ec2").modify_instance_attribute(
        InstanceId=account.ids[BASTION], InstanceType={"Value": "t3.large"}
    )


def _ebs_optimized(account: Account) -> None:
    account.client("ec2").modify_instance_attribute(
        InstanceId=account.ids[BASTION], EbsOptimized={"Value": True}
    )


def _imdsv1(account: Account) -> None:
    account.client("ec2").modify_instance_metadata_options(
        InstanceId=account.ids[BASTION], HttpTokens="optional"
    )


def _other_group(account: Account) -> None:
    account.client("ec2").modify_instance_attribute(
        InstanceId=account.ids[BASTION], Groups=[account.ids["module.app.aws_security_group.web"]]
    )


def _stopped_and_resized(account: Account) -> None:
    ec2 = account.client("ec2")
    web = account.ids["module.app.aws_instance.web[0]"]
    ec2.stop_instances(InstanceIds=[web])
    ec2.modify_instance_attribute(InstanceId=web, InstanceType={"Value": "t3.xlarge"})


def _terminate_web_1(account: Account) -> None:
    account.client("ec2").terminate_instances(
        InstanceIds=[account.ids["module.app.aws_instance.web[1]"]]
    )


def _console_instance(account: Account) -> str:
    attrs = account.attributes(BASTION)
    return str(
        account.client("ec2").run_instances(
            ImageId=attrs["ami"], InstanceType="t3.nano", MinCount=1, MaxCount=1
        )["Instances"][0]["InstanceId"]
    )


ENTRY = Entry(
    fixture="ec2.tfstate",
    mutations=(
        Mutation("resized", _resize, BASTION, "instance_type", "warning"),
        Mutation(
            "resized while stopped",
            _stopped_and_resized,
            "module.app.aws_instance.web[0]",
            "instance_type",
            "warning",
        ),
        Mutation(
            "security group swapped",
            _other_group,
            BASTION,
            "vpc_security_group_ids[sg-*",
            "warning",
        ),
        Mutation("EBS-optimized on", _ebs_optimized, BASTION, "ebs_optimized", "warning"),
        Mutation("IMDSv1 allowed", _imdsv1, BASTION, "metadata_options.http_tokens", "warning"),
        tag_mutation("ec2", BASTION),
        Mutation(
            "terminated",
            _terminate_web_1,
            "module.app.aws_instance.web[1]",
            "",
            "warning",
            "missing",
        ),
        Mutation("launched in the console", _console_instance, None, "", "info", "unmanaged"),
    ),
)
