"""Remediation plans: the AWS calls that put one drift's resource back to what the IaC says.

Pure: no boto3, no database. A plan is built from a drift (type, id, region, kind, difference,
both states) and the fixes its resource type declares (``ResourceSpec.fixes``, ``.delete``);
``services.remediation`` checks, confirms and runs it.

The rules (README, "Remediation"): a missing resource is never re-created (``terraform apply``
does that); an unmanaged one is deleted only when asked (``delete_unmanaged``) and only where
its type declares how; a drift is reverted whole or not at all, so a difference entry no fix
takes, or whose expected value was masked, leaves the whole drift to ``terraform apply``;
calls that interrupt the resource run only with ``allow_restart``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from driftctl.diff.severity import path_glob
from driftctl.resources import SENSITIVE
from driftctl.types import registry
from driftctl.types.spec import Call, Fix, FixQuery, NotRevertible, ResourceSpec

READY = "ready"
REFUSED = "refused"


@dataclass
class DriftPlan:
    """What remediating one drift would do, or why it will not be done."""

    drift_id: str | None
    resource_type: str
    resource_id: str
    region: str
    drift_type: str
    calls: list[Call] = field(default_factory=list)
    # Difference path -> why driftctl leaves it to `terraform apply`.
    not_revertible: dict[str, str] = field(default_factory=dict)
    # Why nothing of this drift runs; None when the plan is ready.
    refused: str | None = None
    # The refusal is a state conflict (approved, changed since the scan): exit 4 either way,
    # but the message says "run scan again" for these.
    stale: bool = False
    # The refusal is AWS's doing (the resource could not be read again): exit 6.
    unreadable: bool = False

    @property
    def ready(self) -> bool:
        return self.refused is None

    @property
    def deletes(self) -> bool:
        return any(c.delete for c in self.calls)

    def refuse(self, reason: str, *, stale: bool = False, unreadable: bool = False) -> DriftPlan:
        self.refused = reason
        self.stale = stale
        self.unreadable = unreadable
        return self

    def to_dict(self) -> dict[str, Any]:
        """The plan as ``remediate -o json`` prints it: never a secret parameter's value."""
        return {
            "drift_id": self.drift_id,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "region": self.region,
            "drift_type": self.drift_type,
            "status": READY if self.ready else REFUSED,
            "reason": self.refused,
            "calls": [call_to_dict(c, self.region) for c in self.calls],
            "not_revertible": dict(self.not_revertible),
        }


def call_to_dict(call: Call, region: str) -> dict[str, Any]:
    """One call as plans, outputs and audit rows show it (secret parameters masked)."""
    return {
        "operation": call.name,
        "region": call.region or region,
        "params": masked_params(call),
        "fixes": list(call.fixes),
        "restart": call.restart,
        "delete": call.delete,
    }


def masked_params(call: Call) -> dict[str, Any]:
    """The call's parameters with every ``secret`` one replaced by SENSITIVE."""
    return {k: SENSITIVE if k in call.secret else v for k, v in call.params.items()}


def plan_drift(
    *,
    resource_type: str,
    resource_id: str,
    region: str,
    account_id: str | None,
    drift_type: str,
    difference: Mapping[str, Mapping[str, Any]],
    expected: Mapping[str, Any] | None,
    actual: Mapping[str, Any] | None,
    allow_restart: bool = False,
    delete_unmanaged: bool = False,
    drift_id: str | None = None,
) -> DriftPlan:
    """The plan for one drift; never raises for a drift it cannot revert (see ``refused``)."""
    plan = DriftPlan(drift_id, resource_type, resource_id, region, drift_type)
    spec = registry.get(resource_type)
    if spec is None:
        return plan.refuse(f"driftctl does not know the resource type {resource_type}")
    query = FixQuery(
        resource_id=resource_id,
        region=region,
        account_id=account_id,
        entries={},
        expected=expected or {},
        actual=actual or {},
    )
    if drift_type == "missing":
        return plan.refuse(
            "a missing resource is never re-created by driftctl: run `terraform apply`"
        )
    if drift_type == "unmanaged":
        return _plan_delete(plan, spec, query, delete_unmanaged)
    _plan_reverts(plan, spec, query, difference)
    if plan.not_revertible:
        plan.calls = []
        paths = ", ".join(sorted(plan.not_revertible))
        return plan.refuse(f"driftctl cannot revert {paths}: run `terraform apply`")
    if not plan.calls:
        return plan.refuse("nothing to revert: the drift has no difference")
    plan.calls = _merge_same(plan.calls)
    restarts = sorted({p for c in plan.calls if c.restart for p in c.fixes})
    if restarts and not allow_restart:
        return plan.refuse(
            f"reverting {', '.join(restarts)} interrupts the resource (stop and start): "
            "add --allow-restart"
        )
    return plan


def _plan_delete(
    plan: DriftPlan, spec: ResourceSpec, query: FixQuery, delete_unmanaged: bool
) -> DriftPlan:
    if spec.delete is None:
        return plan.refuse(
            f"driftctl never deletes {spec.with_article}: import it into the IaC or delete it "
            "yourself"
        )
    plan.calls = [
        dataclasses.replace(c, delete=True, fixes=c.fixes or ("(resource)",))
        for c in spec.delete(query)
    ]
    if not delete_unmanaged:
        return plan.refuse("an unmanaged resource is deleted only with --delete-unmanaged")
    return plan


def _plan_reverts(
    plan: DriftPlan,
    spec: ResourceSpec,
    query: FixQuery,
    difference: Mapping[str, Mapping[str, Any]],
) -> None:
    taken: dict[int, dict[str, Mapping[str, Any]]] = {}
    for path, entry in sorted(difference.items()):
        if _masked(entry.get("expected")):
            plan.not_revertible[path] = "its expected value is sensitive and never stored"
            continue
        fix = _fix_for(spec.fixes, path)
        if fix is None:
            plan.not_revertible[path] = "no revert is declared for this attribute"
            continue
        taken.setdefault(spec.fixes.index(fix), {})[path] = entry
    if plan.not_revertible:
        return
    for index, entries in sorted(taken.items()):
        fix = spec.fixes[index]
        try:
            calls = fix.plan(dataclasses.replace(query, entries=entries))
        except NotRevertible as exc:
            plan.not_revertible.update(dict.fromkeys(entries, str(exc)))
            continue
        if not calls:
            # A fix that makes no call for its entries cannot put them back exactly.
            reason = "its revert cannot put this back exactly here"
            plan.not_revertible.update(dict.fromkeys(entries, reason))
            continue
        for call in calls:
            plan.calls.append(
                call if call.fixes else dataclasses.replace(call, fixes=tuple(entries))
            )


def _merge_same(calls: list[Call]) -> list[Call]:
    """One call for identical calls of several fixes (a PutRule carrying the whole rule), with
    the paths of all of them, where the first of them was."""
    out: list[Call] = []
    seen: dict[str, int] = {}
    for call in calls:
        key = json.dumps(
            [call.service, call.operation, call.region, call.params], sort_keys=True, default=str
        )
        if key not in seen:
            seen[key] = len(out)
            out.append(call)
            continue
        first = out[seen[key]]
        merged = tuple(dict.fromkeys((*first.fixes, *call.fixes)))
        out[seen[key]] = dataclasses.replace(
            first, fixes=merged, restart=first.restart or call.restart
        )
    return out


def _fix_for(fixes: tuple[Fix, ...], path: str) -> Fix | None:
    for fix in fixes:
        if fix.path == path or path_glob(fix.path).fullmatch(path):
            return fix
    return None


def _masked(value: Any) -> bool:
    if value == SENSITIVE:
        return True
    if isinstance(value, Mapping):
        return any(_masked(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_masked(v) for v in value)
    return False


def revertible_paths(resource_type: str) -> list[str]:
    """The path patterns a type declares it can revert (``driftctl types``, README)."""
    spec = registry.get(resource_type)
    return [f.path for f in spec.fixes] if spec is not None else []
