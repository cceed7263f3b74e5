"""SUBNET traps the conformance test cannot reach: tags EKS adds are not drift."""

from __future__ import annotations

from pathlib import Path

from tests.types.entries.subnet import ENTRY, PRIVATE_A, PUBLIC
from tests.types.harness import emulated_account, scan


def test_tags_eks_adds_are_not_drift_but_changed_declared_ones_are(tmp_path: Path) -> None:
    with emulated_account(ENTRY, tmp_path) as account:
        account.client("ec2").create_tags(
            Resources=[account.ids[PRIVATE_A], account.ids[PUBLIC]],
            Tags=[
                {"Key": "kubernetes.io/cluster/apps", "Value": "shared"},
                {"Key": "kubernetes.io/role/internal-elb", "Value": "1"},
            ],
        )
        assert scan(account, "SUBNET").findings("SUBNET") == []

        account.client("ec2").delete_tags(
            Resources=[account.ids[PUBLIC]], Tags=[{"Key": "kubernetes.io/role/elb"}]
        )
        [finding] = scan(account, "SUBNET").findings("SUBNET")
        assert list(finding.difference) == ["tags.kubernetes.io/role/elb"]
