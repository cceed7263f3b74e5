"""Every registered resource type, checked the same way against its fixture in moto.

For each type: its fixture state is built in a fresh emulated account; a scan finds no drift and
makes exactly the API calls the type declares as its minimum; AWS-owned objects are never
unmanaged; and each declared mutation is found with its difference key and severity, then put
back by the type's declared reverts (``harness.revert``) where it has one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.types import registry
from driftctl.types.spec import ResourceSpec, minimum_calls
from tests.types.entries import ENTRIES
from tests.types.harness import Entry, Scan, emulated_account, entry_severity, revert, scan

SPECS = registry.SPECS
IDS = [spec.resource_type for spec in SPECS]


def _entry(spec: ResourceSpec) -> Entry:
    entry = ENTRIES.get(spec.resource_type)
    assert entry is not None, (
        f"{spec.resource_type} has no conformance entry: add tests/types/entries/<name>.py"
    )
    return entry


def _describe(result: Scan, resource_type: str) -> list[str]:
    return [
        f"{f.drift_type.value} {f.resource_id}: {sorted(f.difference)}"
        for f in result.findings(resource_type)
    ]


def test_every_entry_names_a_registered_type() -> None:
    assert set(ENTRIES) <= set(registry.names())


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_clean_account_has_no_drift_and_costs_the_declared_calls(
    spec: ResourceSpec, tmp_path: Path
) -> None:
    entry = _entry(spec)
    name = spec.resource_type
    with emulated_account(entry, tmp_path) as account:
        result = scan(account, name)
        assert result.actual.errors == []
        assert _describe(result, name) == []
        declared = [r for r in result.expected.resources if r.resource_type == name]
        assert declared, f"the fixture {entry.fixture} declares no {name}"
        in_sync = {k.resource_id for k in result.comparison.in_sync if k.resource_type == name}
        assert in_sync == {r.resource_id for r in declared}

        listed: dict[str, int] = {}
        for resource in result.actual.resources:
            listed[resource.region] = listed.get(resource.region, 0) + 1
        if not listed:
            listed = dict.fromkeys(result.actual.regions, 0)
        # Calls made per parent (a load balancer's listeners): one per parent listed.
        parents = {
            call.parent: len({r.attributes.get(call.parent) for r in result.actual.resources})
            for call in spec.api_calls
            if call.parent
        }
        minimum = minimum_calls(spec.api_calls, listed, managed=len(declared), parents=parents)
        with_conditional = minimum_calls(
            spec.api_calls,
            listed,
            managed=len(declared),
            include_conditional=True,
            parents=parents,
        )
        calls = dict(result.actual.api_calls)
        calls.pop("sts:GetCallerIdentity", None)
        for call in spec.api_calls:
            if call.when is not None:
                made = calls.pop(call.operation, 0)
                assert made in (0, with_conditional[call.operation]), call.operation
        assert calls == minimum

        if entry.aws_owned is not None:
            owned = entry.aws_owned(account)
            assert owned
            again = scan(account, name, with_state=False)
            unmanaged = {f.resource_id for f in again.findings(name)}
            assert not unmanaged & set(owned)
            present = {r.resource_id for r in again.actual.resources}
            assert set(owned) <= present, "the AWS-owned objects must be listed, then skipped"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_declared_mutation_is_found(spec: ResourceSpec, tmp_path: Path) -> None:
    entry = _entry(spec)
    name = spec.resource_type
    assert entry.mutations, f"{name} declares no mutation"
    kinds = {m.drift_type for m in entry.mutations}
    assert {"modified", "unmanaged"} <= kinds if entry.unmanaged else "modified" in kinds
    used: set[str] = set()
    deleted = False
    with emulated_account(entry, tmp_path) as account:
        for mutation in entry.mutations:
            created = mutation.apply(account)
            result = scan(account, name)
            if not entry.unmanaged:
                assert not [f for f in result.findings(name) if f.drift_type.value == "unmanaged"]
            target = account.ids[mutation.target] if mutation.target else created
            assert target, f"{mutation.name}: no resource to look for"
            found = [
                f
                for f in result.findings(name)
                if f.resource_id == target and f.drift_type.value == mutation.drift_type
            ]
            assert found, f"{mutation.name}: not found in {_describe(result, name)}"
            [finding] = found
            if mutation.drift_type == "modified":
                keys = mutation.keys_in(finding.difference)
                assert keys, f"{mutation.name}: {sorted(finding.difference)}"
                for key in keys:
                    assert entry_severity(finding, key) == mutation.severity, mutation.name
            else:
                assert finding.severity.value == mutation.severity, mutation.name
            if mutation.drift_type != "missing" and (spec.fixes or spec.delete):
                fixes, gone = revert(account, mutation, spec, finding)
                used |= fixes
                deleted = deleted or gone
    unexercised = [f.path for f in spec.fixes if f.path not in used]
    assert not unexercised, f"no mutation of {name} exercises the revert of {unexercised}"
    if spec.delete is not None and entry.unmanaged:
        assert deleted, f"{name} declares delete but no unmanaged mutation ran it"
