"""Every revert a resource type declares, checked the same way against its fixture in moto.

For each type with fixes: each declared mutation is applied, scanned, planned on its own
difference keys, the plan is run, and a rescan must no longer show those keys. Every fix a type
declares must be exercised by at least one of its mutations, and an unmanaged mutation of a type
that declares ``delete`` must be gone after its plan runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.remediation.execute import run_call
from driftctl.remediation.plan import plan_drift
from driftctl.scanner.session import AwsSession
from driftctl.types import registry
from driftctl.types.spec import ResourceSpec
from tests.types.entries import ENTRIES
from tests.types.harness import Account, Mutation, scan

REVERTING = [s for s in registry.SPECS if s.fixes or s.delete is not None]


def _run(account: Account, mutation: Mutation, spec: ResourceSpec) -> tuple[set[str], bool]:
    """Apply one mutation, put it back; returns (fix patterns used, whether it deleted)."""
    name = spec.resource_type
    created = mutation.apply(account)
    target = account.ids[mutation.target] if mutation.target else created
    [finding] = [
        f
        for f in scan(account, name).findings(name)
        if f.resource_id == target and f.drift_type.value == mutation.drift_type
    ]
    own = {k: finding.difference[k] for k in mutation.keys_in(finding.difference)}
    plan = plan_drift(
        resource_type=name,
        resource_id=finding.resource_id,
        region=finding.region,
        account_id=finding.account_id,
        drift_type=finding.drift_type.value,
        difference=own,
        expected=finding.expected_state,
        actual=finding.actual_state,
        allow_restart=True,
        delete_unmanaged=True,
    )
    if not plan.ready:
        # Not revertible: the plan must say why, naming each key it leaves alone.
        assert plan.refused, mutation.name
        if mutation.drift_type == "modified":
            assert set(own) <= set(plan.not_revertible), (mutation.name, plan.refused)
        return set(), False
    assert plan.calls, mutation.name
    aws = AwsSession(account.build.session)
    for call in plan.calls:
        run_call(aws, call, finding.region)
    after = [
        f
        for f in scan(account, name).findings(name)
        if f.resource_id == target and f.drift_type.value == mutation.drift_type
    ]
    if mutation.drift_type == "unmanaged":
        assert after == [], f"{mutation.name}: still there after its plan ran"
        return set(), True
    left = set(own) & {k for f in after for k in f.difference}
    assert not left, f"{mutation.name}: {sorted(left)} still differ after {plan.to_dict()}"
    used = {fix.path for fix in spec.fixes for key in own if _matches(fix.path, key)}
    return used, False


def _matches(pattern: str, path: str) -> bool:
    from driftctl.diff.severity import path_glob

    return pattern == path or bool(path_glob(pattern).fullmatch(path))


@pytest.mark.parametrize("spec", REVERTING, ids=[s.resource_type for s in REVERTING])
def test_every_declared_revert_puts_aws_back(spec: ResourceSpec, tmp_path: Path) -> None:
    from tests.types.harness import emulated_account

    entry = ENTRIES[spec.resource_type]
    used: set[str] = set()
    deleted = False
    with emulated_account(entry, tmp_path) as account:
        for mutation in entry.mutations:
            if mutation.drift_type == "missing":
                continue
            fixes, gone = _run(account, mutation, spec)
            used |= fixes
            deleted = deleted or gone
    unexercised = [f.path for f in spec.fixes if f.path not in used]
    assert not unexercised, f"no mutation of {spec.resource_type} exercises {unexercised}"
    if spec.delete is not None and entry.unmanaged:
        assert deleted, f"{spec.resource_type} declares delete but no unmanaged mutation ran it"


def test_every_fix_says_what_it_does() -> None:
    # `driftctl types --fixes` and README's table print these.
    undocumented = [
        f"{s.resource_type}:{f.path}" for s in registry.SPECS for f in s.fixes if not f.doc
    ]
    assert undocumented == []
