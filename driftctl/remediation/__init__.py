"""Remediation: plans that put AWS back to what the IaC says, and running them."""
