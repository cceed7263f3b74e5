"""Conformance entry of EIP (fixture: eip.tfstate)."""

from __future__ import annotations

from tests.types.entries._common import tag_mutation
from tests.types.entries._net_estate import copies
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "EIP"

WEB = "aws_eip.web"
API = "aws_eip.api"
SPARE = "aws_eip.spare"


def _detach_web(account: Account) -> None:
    ec2 = account.client("ec2")
    [address] = ec2.describe_addresses(AllocationIds=[account.ids[WEB]])["Addresses"]
    ec2.disassociate_address(AssociationId=address["AssociationId"])


def _api_to_web_instance(account: Account) -> None:
    account.client("ec2").associate_address(
        AllocationId=account.ids[API],
        InstanceId=account.attributes("aws_instance.web")["id"],
        AllowReassociation=True,
    )


def _release_spare(account: Account) -> None:
    account.client("ec2").release_address(AllocationId=account.ids[SPARE])


def _console_address(account: Account) -> str:
    return str(account.client("ec2").allocate_address(Domain="vpc")["AllocationId"])


ENTRY = Entry(
    fixture="eip.tfstate",
    mutations=(
        tag_mutation("ec2", SPARE),
        Mutation("detached", _detach_web, WEB, "instance", "warning"),
        Mutation("moved to another instance", _api_to_web_instance, API, "instance", "warning"),
        Mutation("released", _release_spare, SPARE, "", "warning", "missing"),
        Mutation("allocated in the console", _console_address, None, "", "info", "unmanaged"),
    ),
    estate=copies("eip.tfstate", ("aws_instance", "aws_eip", "aws_eip_association")),
)
