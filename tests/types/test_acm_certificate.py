"""ACM traps the conformance test cannot reach (moto spells key algorithms like Terraform)."""

from __future__ import annotations

from driftctl.diff.compare import diff_attributes
from driftctl.iac.instance import StateInstance, read_schema
from driftctl.types.acm_certificate import RESOURCE_TYPE, SCHEMA, to_resource

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"


def test_described_key_algorithm_and_names_match_an_old_state() -> None:
    # Provider 3 states leave the domain name out of the alternative names.
    state = {
        "domain_name": "example.com",
        "subject_alternative_names": ["*.example.com"],
        "key_algorithm": "RSA_2048",
        "validation_method": "DNS",
    }
    expected = read_schema(StateInstance({"attributes": state}, "t"), SCHEMA)
    described = {
        "CertificateArn": ARN,
        "DomainName": "example.com",
        "SubjectAlternativeNames": ["example.com", "*.example.com"],
        "KeyAlgorithm": "RSA-2048",
        "DomainValidationOptions": [
            {"DomainName": "example.com", "ValidationMethod": "DNS"},
            {"DomainName": "*.example.com", "ValidationMethod": "DNS"},
        ],
        "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
    }
    actual = to_resource({"CertificateArn": ARN}, "us-east-1", None, described, []).attributes
    assert diff_attributes(RESOURCE_TYPE, expected, actual) == {}


def test_an_imported_certificate_has_no_validation_method() -> None:
    state = {"domain_name": "example.com", "validation_method": "NONE", "key_algorithm": ""}
    expected = read_schema(StateInstance({"attributes": state}, "t"), SCHEMA)
    described = {"CertificateArn": ARN, "DomainName": "example.com", "Type": "IMPORTED"}
    actual = to_resource({"CertificateArn": ARN}, "us-east-1", None, described, []).attributes
    assert diff_attributes(RESOURCE_TYPE, expected, actual) == {}
