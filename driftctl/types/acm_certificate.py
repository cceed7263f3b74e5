"""ACM certificates (``aws_acm_certificate``): one paginated ListCertificates per region, then
DescribeCertificate and ListTagsForCertificate for the certificates the IaC declares (ACM has
no batch call for either).

resource_id is the certificate ARN. ListCertificates lists only RSA-2048 (and RSA-1024)
certificates unless asked for other key types: every key type is asked for, so EC and larger
RSA certificates are seen too. DescribeCertificate spells key algorithms ``RSA-2048`` where
Terraform writes ``RSA_2048``: both read as the latter. The subject alternative names compare
as a set that always holds the domain name (AWS includes it; older provider states do not).
Renewal changes the dates, status, serial and validation records: none is compared.

``aws_acm_certificate_validation`` has no AWS object of its own (it only waits for a
certificate to be issued): it is read, never compared.

moto does not implement UpdateCertificateOptions, ignores the requested key algorithm (always
RSA-2048) and spells key algorithms with an underscore.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl import normalize
from driftctl.iac.instance import StateInstance, strings
from driftctl.resources import SENSITIVE, ActualResource, mask_secret_values
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types.build import BuildContext, Builder, tag_list, tags_of
from driftctl.types.fixes import tags_fix
from driftctl.types.spec import ApiCall, Attr, Kind, ResourceSpec, Scope, TerraformType

RESOURCE_TYPE = "ACM_CERTIFICATE"
SERVICE = "acm"
KEY_TYPES = (
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
)
# ListCertificates accepts 1..1000 per page.
_PAGE = (1, 1000)
_NOT_FOUND = "ResourceNotFoundException"


def key_algorithm(value: Any) -> Any:
    """``RSA-2048`` (DescribeCertificate) and ``RSA_2048`` (Terraform, ListCertificates) alike."""
    return value.replace("-", "_") if isinstance(value, str) else value


def _names(inst: StateInstance) -> Any:
    names = inst.get("subject_alternative_names")
    domain = inst.get("domain_name")
    if SENSITIVE in (names, domain):
        return SENSITIVE
    listed = strings(names) if isinstance(names, list) else []
    return sorted({*listed, *([str(domain)] if domain else [])}) or None


SCHEMA: dict[str, Attr] = {
    "domain_name": Attr(empty_is_unset=True),
    "subject_alternative_names": Attr(Kind.SET, read=_names, doc="always includes domain_name"),
    "validation_method": Attr(empty_is_unset=True),
    "key_algorithm": Attr(
        empty_is_unset=True, read=lambda inst: key_algorithm(inst.get("key_algorithm") or None)
    ),
    "certificate_authority_arn": Attr(empty_is_unset=True),
    "options": Attr(
        Kind.OBJECT,
        fields={
            "certificate_transparency_logging_preference": Attr(
                empty_is_unset=True, default="ENABLED"
            ),
            "export": Attr(empty_is_unset=True, default="DISABLED"),
        },
    ),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every certificate of ``region`` (every key type); details and tags of declared ones."""
    client = ctx.aws.client(SERVICE, region)
    pages = client.get_paginator("list_certificates").paginate(
        Includes={"keyTypes": list(KEY_TYPES)},
        PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)},
    )
    listed = [
        c
        for page in pages
        for c in page.get("CertificateSummaryList", [])
        if c.get("CertificateArn")
    ]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())

    def read(summary: Mapping[str, Any]) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        arn = str(summary["CertificateArn"])
        if arn not in managed:
            return Detail(resource=to_resource(summary, region, ctx.account_id))
        try:
            certificate = client.describe_certificate(CertificateArn=arn)["Certificate"]
            tags = client.list_tags_for_certificate(CertificateArn=arn).get("Tags") or []
        except (BotoCoreError, ClientError) as exc:
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == (
                _NOT_FOUND
            ):
                return Detail()
            return failed((region,), f"certificate {summary.get('DomainName', arn)}", exc)
        resource = to_resource(summary, region, ctx.account_id, certificate, tags)
        return Detail(resource=resource)

    return read_each(ctx, RESOURCE_TYPE, listed, read, noun="certificates")


def to_resource(
    summary: Mapping[str, Any],
    region: str,
    account_id: str | None,
    certificate: Mapping[str, Any] | None = None,
    tags: list[Any] | None = None,
) -> ActualResource:
    """One certificate in the canonical form (from its summary, or its full description)."""
    source = certificate or summary
    domain = source.get("DomainName")
    attributes: dict[str, Any] = {
        "domain_name": domain,
        "key_algorithm": key_algorithm(source.get("KeyAlgorithm")),
        "type": source.get("Type"),
        "status": source.get("Status"),
    }
    if certificate is not None:
        names = certificate.get("SubjectAlternativeNames") or []
        attributes["subject_alternative_names"] = sorted(
            {str(n) for n in names} | ({str(domain)} if domain else set())
        )
        validations = certificate.get("DomainValidationOptions") or []
        methods = {v.get("ValidationMethod") for v in validations if v.get("ValidationMethod")}
        # Imported and private certificates have no validation: the provider writes "NONE".
        attributes["validation_method"] = (
            methods.pop() if len(methods) == 1 else ",".join(sorted(methods)) or "NONE"
        )
        attributes["certificate_authority_arn"] = certificate.get("CertificateAuthorityArn")
        options = certificate.get("Options") or {}
        attributes["options"] = {
            "certificate_transparency_logging_preference": options.get(
                "CertificateTransparencyLoggingPreference"
            ),
            "export": options.get("Export"),
        }
    if tags is not None:
        attributes["tags"] = mask_secret_values(normalize.tags(tags))
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=str(summary["CertificateArn"]),
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------

# Only tags: moto lacks UpdateCertificateOptions, so an options revert could not be tested.
FIXES = (
    tags_fix(
        SERVICE,
        "AddTagsToCertificate",
        "RemoveTagsFromCertificate",
        lambda q: {"CertificateArn": q.resource_id},
        untag_as_tags=True,
    ),
)


# -- building in an emulated account ---------------------------------------------------------


def _build_certificate(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    domain = attrs["domain_name"]
    others = [n for n in attrs.get("subject_alternative_names") or [] if n != domain]
    if others:
        extra["SubjectAlternativeNames"] = [domain, *others]
    if attrs.get("certificate_authority_arn"):
        extra["CertificateAuthorityArn"] = attrs["certificate_authority_arn"]
    else:
        extra["ValidationMethod"] = attrs.get("validation_method") or "DNS"
    if attrs.get("key_algorithm"):
        extra["KeyAlgorithm"] = attrs["key_algorithm"]
    options = (attrs.get("options") or [{}])[0]
    wanted = {}
    if options.get("certificate_transparency_logging_preference"):
        wanted["CertificateTransparencyLoggingPreference"] = options[
            "certificate_transparency_logging_preference"
        ]
    if options.get("export"):
        wanted["Export"] = options["export"]
    if wanted:
        extra["Options"] = wanted
    tags = tags_of(attrs)
    if tags:
        extra["Tags"] = tag_list(tags)
    arn = ctx.client(SERVICE).request_certificate(DomainName=domain, **extra)["CertificateArn"]
    ctx.remember(attrs.get("arn"), arn)


def _build_validation(_ctx: BuildContext, _attrs: dict[str, Any]) -> None:
    # No AWS object: Terraform only waits for the certificate to be issued.
    return None


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="ACM certificate",
    with_article="an ACM certificate",
    sarif_name="ACMCertificate",
    terraform=(
        TerraformType(
            "aws_acm_certificate",
            id=("arn", "id"),
            not_compared={
                "private_key": "secret: never read",
                "certificate_body": "imported material: not compared",
                "certificate_chain": "imported material: not compared",
                "early_renewal_duration": "Terraform-only",
                "not_before": "changes on renewal",
                "not_after": "changes on renewal",
                "status": "changes on renewal",
                "renewal_summary": "changes on renewal",
                "domain_validation_options": "changes on renewal",
                "validation_option": "Terraform-only (e-mail validation domains)",
            },
        ),
        TerraformType(
            "aws_acm_certificate_validation",
            id=("certificate_arn",),
            read=lambda _inst: None,
            parent=True,
            not_compared={"*": "no AWS object of its own: never compared"},
        ),
    ),
    scope=Scope.REGIONAL,
    service=SERVICE,
    collect=collect,
    api_calls=(
        ApiCall("acm:ListCertificates", per="region", page_size=1000),
        ApiCall("acm:DescribeCertificate", per="resource", managed_only=True),
        ApiCall("acm:ListTagsForCertificate", per="resource", managed_only=True),
    ),
    schema=SCHEMA,
    id_doc="certificate ARN",
    fixes=FIXES,
    builders={
        "aws_acm_certificate": Builder(_build_certificate),
        "aws_acm_certificate_validation": Builder(
            _build_validation, after=("aws_acm_certificate",)
        ),
    },
)
