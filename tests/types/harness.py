"""The conformance harness: a type's fixture state built in moto, scanned, mutated, scanned again.

An ``Entry`` is what a resource type adds to the conformance test (see ``entries/``): its
fixture state (written the way the AWS provider writes it), the mutations it must detect (each
with its difference key and severity) and the AWS-created objects it must never call unmanaged.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from driftctl.demo import demo_environment
from driftctl.diff.compare import compare
from driftctl.diff.findings import Comparison, Finding
from driftctl.diff.severity import assess
from driftctl.iac.sources import ExpectedState, load_expected
from driftctl.remediation.execute import run_call
from driftctl.remediation.plan import plan_drift
from driftctl.scanner.runner import ActualScan, ScanPlan, scan_actual
from driftctl.scanner.session import AwsSession
from driftctl.types.build import BuildContext, build_state, resource_ids, rewrite_ids
from driftctl.types.spec import ResourceSpec

REGION = "us-east-1"
FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Account:
    """The emulated account a fixture was built in, and the fixture with the emulator's ids."""

    build: BuildContext
    state_path: Path
    # Terraform address -> resource id in the emulated account.
    ids: dict[str, str]
    doc: dict[str, Any]

    def client(self, service: str) -> Any:
        return self.build.client(service)

    def attributes(self, address: str) -> dict[str, Any]:
        """The (rewritten) state attributes of one instance, by Terraform address."""
        from driftctl.types.build import instances

        for _, where, attrs in instances(self.doc):
            if where == address:
                return attrs
        raise KeyError(address)


@dataclass(frozen=True)
class Mutation:
    """A change made behind Terraform's back and the drift it must produce.

    ``target`` is the Terraform address of the resource it changes, or None for an unmanaged
    resource: then ``apply`` returns the new resource's id. ``key`` is the difference key of a
    modified resource ("" for missing and unmanaged ones); ``severity`` that entry's default.
    A key naming an id the emulator makes up (``subnets[subnet-…]``) ends in ``*``, which matches
    anything.
    """

    name: str
    apply: Callable[[Account], str | None]
    target: str | None
    key: str
    severity: str
    drift_type: str = "modified"

    def keys_in(self, difference: dict[str, Any]) -> list[str]:
        """The difference keys this mutation's ``key`` names: itself, else its ``*`` matches."""
        if self.key in difference:
            return [self.key]
        if "*" not in self.key:
            return []
        pattern = re.compile(".*".join(re.escape(part) for part in self.key.split("*")))
        return [k for k in difference if pattern.fullmatch(k)]


@dataclass(frozen=True)
class Entry:
    """One resource type's conformance: fixture, mutations, AWS-owned objects."""

    fixture: str
    mutations: tuple[Mutation, ...]
    # Creates objects AWS itself owns (service-linked roles...); returns their resource ids.
    aws_owned: Callable[[Account], list[str]] | None = None
    # The emulation must have AWS-managed IAM policies (states attach ReadOnlyAccess...).
    managed_policies: bool = False
    regions: tuple[str, ...] = (REGION,)
    extra: dict[str, Any] = field(default_factory=dict)
    # A state with ``n`` copies of the fixture's resources of this type (names made unique),
    # for bench/types_bench.py: the estates it measures scans on.
    estate: Callable[[int], dict[str, Any]] | None = None
    # False for a type whose objects are not resources (a tag): none is ever unmanaged, so it
    # declares no unmanaged mutation and every scan is checked to report none.
    unmanaged: bool = True


@contextmanager
def emulated_account(entry: Entry, workdir: Path) -> Iterator[Account]:
    """The fixture of ``entry`` built in a fresh emulated account."""
    config = {"iam": {"load_aws_managed_policies": True}} if entry.managed_policies else None
    with demo_environment(), mock_aws(config=config):
        session = boto3.session.Session(region_name=REGION)
        build = BuildContext(session, REGION)
        text = (FIXTURES / entry.fixture).read_text(encoding="utf-8")
        build_state(build, json.loads(text))
        rewritten = rewrite_ids(text, build.ids)
        state_path = workdir / "terraform.tfstate"
        state_path.write_text(rewritten, encoding="utf-8")
        doc = json.loads(rewritten)
        yield Account(build=build, state_path=state_path, ids=resource_ids(doc), doc=doc)


@dataclass
class Scan:
    expected: ExpectedState
    actual: ActualScan
    comparison: Comparison

    def findings(self, resource_type: str) -> list[Finding]:
        return [f for f in self.comparison.findings if f.resource_type == resource_type]


def scan(account: Account, resource_type: str, *, with_state: bool = True) -> Scan:
    """Scan one resource type of the account against its state (or against nothing)."""
    session = account.build.session
    expected = (
        load_expected([str(account.state_path)])
        if with_state
        else ExpectedState(resources=[], origins=[])
    )
    ids: dict[str, set[str]] = {}
    for resource in expected.resources:
        ids.setdefault(resource.resource_type, set()).add(resource.resource_id)
    actual = scan_actual(
        ScanPlan(
            resource_types=[resource_type],
            regions=[REGION],
            session_factory=lambda: _fresh(session),
            expected_ids={t: frozenset(v) for t, v in ids.items()},
        )
    )
    comparison = compare(
        expected.resources, actual.resources, read_ok=actual.read_ok, default_region=REGION
    )
    return Scan(expected, actual, comparison)


def _fresh(session: boto3.session.Session) -> boto3.session.Session:
    # A session of its own per scan, so its API-call counts are this scan's only.
    return boto3.session.Session(region_name=session.region_name)


def revert(
    account: Account, mutation: Mutation, spec: ResourceSpec, finding: Finding
) -> tuple[set[str], bool]:
    """Plan the mutation's own difference keys of FINDING, run the plan, rescan: those keys (or,
    for an unmanaged resource, the resource) must be gone. Returns (fix patterns used, whether
    it deleted); a mutation no fix reverts must be refused naming its keys."""
    name = spec.resource_type
    target = finding.resource_id
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


def entry_severity(finding: Finding, key: str) -> str:
    """The severity of one difference entry of a finding, judged on its own."""
    single = dataclasses.replace(finding, difference={key: finding.difference[key]})
    return assess(single)[0].value
