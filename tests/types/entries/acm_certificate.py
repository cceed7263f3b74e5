"""Conformance entry of ACM_CERTIFICATE (fixture: acm_certificate.tfstate)."""

from __future__ import annotations

from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.entries._fn_estate import copies
from tests.types.harness import REGION, Account, Entry, Mutation

RESOURCE_TYPE = "ACM_CERTIFICATE"
FIXTURE = "acm_certificate.tfstate"

API = "aws_acm_certificate.api"
WILDCARD = "aws_acm_certificate.wildcard"


def _tag(account: Account, arn: str, key: str, value: str) -> None:
    account.client("acm").add_tags_to_certificate(
        CertificateArn=arn, Tags=[{"Key": key, "Value": value}]
    )


def _transparency_off(account: Account) -> None:
    # moto lacks UpdateCertificateOptions: change what it would have changed.
    from moto.acm.models import acm_backends

    backend = acm_backends["123456789012"][REGION]
    backend.describe_certificate(account.ids[API]).cert_options[
        "CertificateTransparencyLoggingPreference"
    ] = "DISABLED"


def _delete_wildcard(account: Account) -> None:
    account.client("acm").delete_certificate(CertificateArn=account.ids[WILDCARD])


def _console_certificate(account: Account) -> str:
    answer = account.client("acm").request_certificate(
        DomainName="console.example.com", ValidationMethod="DNS"
    )
    return str(answer["CertificateArn"])


def estate(n: int) -> dict[str, Any]:
    """n copies of the fixture's certificates (and their validation)."""
    return copies(
        FIXTURE,
        ("aws_acm_certificate", "aws_acm_certificate_validation"),
        ("3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b", "7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"),
        n,
    )


ENTRY = Entry(
    fixture=FIXTURE,
    mutations=(
        Mutation(
            "transparency logging off",
            _transparency_off,
            API,
            "options.certificate_transparency_logging_preference",
            "warning",
        ),
        tag_mutation(_tag, WILDCARD),
        tag_mutation(_tag, WILDCARD, key="CostCenter"),
        Mutation("deleted", _delete_wildcard, WILDCARD, "", "warning", "missing"),
        Mutation("requested in the console", _console_certificate, None, "", "info", "unmanaged"),
    ),
    estate=estate,
)
