"""``scan -o sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run, one rule per (drift kind, resource type) so rule ids stay stable across scans
(``driftctl/modified/EC2``), one result per drift located in the state file that declares the
resource, and the drift fingerprint as ``partialFingerprints`` so a drift that persists keeps one
alert. GitHub rejects a run with more than 25,000 results, so the most severe 25,000 are kept and
the cut is recorded in ``run.properties``. The same input always gives the same bytes.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from driftctl import __version__
from driftctl.domain import fingerprint as drift_fingerprint
from driftctl.render.sarif_locations import (
    artifact_uri,
    fallback_artifact,
    first_source,
    relative,
    short_hash,
)
from driftctl.render.scan_table import (
    SEVERITY_ORDER,
    drift_difference_lines,
    error_text,
    format_cost,
    one_line,
    severity_rank,
    short_id,
)
from driftctl.types import registry

if TYPE_CHECKING:
    from driftctl.iac.tf_config import Declarations

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/driftctl-aws/"
MAX_RESULTS = 25_000
FINGERPRINT_KEY = "driftctl/v1"

LEVEL = {"critical": "error", "warning": "warning", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.0", "warning": "5.0", "info": "2.0"}

# A result message shows at most this many differences, each clipped, so one drift with a huge
# policy cannot blow up the file.
_MAX_MESSAGE_LINES = 25
_MAX_LINE = 400
_INDENT_UP_TO = 1000

_RULE_TEXT = {
    "modified": (
        "{noun} differs from its IaC definition",
        "{Lower} managed by Infrastructure-as-Code has attributes in AWS that differ from the "
        "Terraform state: someone or something changed it outside the IaC workflow.",
        "Re-apply the IaC (terraform apply) to restore the expected state, or change the IaC to "
        "match if the live change should stay. If the change is intended, record the decision "
        "with `driftctl approve ID --reason ...`: approved drifts no longer fail CI.",
    ),
    "missing": (
        "{noun} declared in IaC is missing from AWS",
        "{Lower} declared in the Terraform state no longer exists in AWS: it was deleted "
        "outside the IaC workflow.",
        "Recreate it with terraform apply, or, if it was removed on purpose, remove it from the "
        "IaC and the state (terraform state rm). Record the decision with "
        "`driftctl approve ID --reason ...` or `driftctl resolve ID`.",
    ),
    "unmanaged": (
        "{noun} exists in AWS but in no IaC source",
        "{Lower} exists in the scanned AWS account and region but no Terraform state declares "
        "it: it is not under IaC control.",
        "Import it into the IaC (terraform import), delete it if nobody needs it, or list it in "
        "`.driftignore` if it is managed elsewhere on purpose.",
    ),
}


@dataclass(frozen=True)
class _Rule:
    drift_type: str
    resource_type: str

    @property
    def rule_id(self) -> str:
        return f"driftctl/{self.drift_type}/{self.resource_type}"


def render_sarif(result: Mapping[str, Any], *, declarations: Declarations | None = None) -> str:
    """The scan result (SPEC §6 JSON shape) as a SARIF 2.1.0 log; raises nothing itself.

    With ``declarations`` (the Terraform configuration), a drift is located at the ``.tf`` line
    that declares its resource, with the state file as a related location.
    """
    log = sarif_log(result, declarations=declarations)
    # Indented for people reading small logs; compact for big ones, where indentation alone
    # would add half again to the size of a file that is uploaded and parsed by machines.
    indent = 2 if len(log["runs"][0]["results"]) <= _INDENT_UP_TO else None
    separators = None if indent else (",", ":")
    return json.dumps(log, indent=indent, separators=separators, ensure_ascii=False) + "\n"


def sarif_log(
    result: Mapping[str, Any], *, declarations: Declarations | None = None
) -> dict[str, Any]:
    """The SARIF log as JSON-ready data (what ``render_sarif`` serialises)."""
    scan: Mapping[str, Any] = result.get("scan") or {}
    drifts: Sequence[Mapping[str, Any]] = result.get("drifts") or []
    ordered = sorted(drifts, key=_result_order)
    kept = ordered[:MAX_RESULTS]
    worst: dict[_Rule, int] = {}
    for drift in kept:
        rule = _rule_of(drift)
        worst[rule] = min(worst.get(rule, 99), severity_rank(drift.get("severity")))
    rules = sorted(worst, key=lambda r: r.rule_id)
    index = {rule: i for i, rule in enumerate(rules)}
    fallback_uri = fallback_artifact(scan)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "driftctl",
                "informationUri": INFORMATION_URI,
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule_descriptor(rule, worst[rule]) for rule in rules],
            }
        },
        "invocations": [_invocation(result, scan)],
        "results": [_result(d, index[_rule_of(d)], fallback_uri, declarations) for d in kept],
        "properties": _run_properties(result, scan, total=len(drifts), kept=len(kept)),
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _result_order(drift: Mapping[str, Any]) -> tuple[Any, ...]:
    rule = _rule_of(drift)
    return (
        severity_rank(drift.get("severity")),
        rule.rule_id,
        str(drift.get("resource_id") or ""),
        str(drift.get("region") or ""),
        str(drift.get("account_id") or ""),
        _fingerprint(drift),
    )


def _rule_of(drift: Mapping[str, Any]) -> _Rule:
    return _Rule(
        drift_type=_id_part(drift.get("drift_type")) or "unknown",
        resource_type=_id_part(drift.get("resource_type")) or "UNKNOWN",
    )


@functools.lru_cache(maxsize=256)
def _id_part(value: Any) -> str:
    # Rule ids are identifiers: keep them to characters every consumer accepts.
    return re.sub(r"[^A-Za-z0-9_.-]", "_", str(value or ""))


def _rule_descriptor(rule: _Rule, worst_rank: int) -> dict[str, Any]:
    spec = registry.get(rule.resource_type)
    if spec is not None:
        noun, lower, pascal = spec.display_name, spec.with_article, spec.sarif_name
    else:
        noun = rule.resource_type
        lower = f"a resource of type {rule.resource_type}"
        pascal = _pascal(rule.resource_type)
    words = {"noun": noun, "Lower": lower[0].upper() + lower[1:]}
    short, full, help_text = _RULE_TEXT.get(
        rule.drift_type,
        ("{noun} drift", "{Lower} differs between IaC and AWS.", "Review the drift."),
    )
    severity = _severity_name(worst_rank)
    tags = ["drift", "iac", rule.drift_type, rule.resource_type]
    if severity == "critical":
        tags.insert(0, "security")
    properties: dict[str, Any] = {"tags": tags, "precision": "very-high"}
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    return {
        "id": rule.rule_id,
        "name": f"{rule.drift_type.capitalize()}{pascal}",
        "shortDescription": {"text": short.format(**words)},
        "fullDescription": {"text": full.format(**words)},
        "help": {
            "text": help_text.replace("`", ""),
            "markdown": help_text,
        },
        "defaultConfiguration": {"level": LEVEL.get(severity, "warning")},
        "properties": properties,
    }


def _severity_name(rank: int) -> str:
    return SEVERITY_ORDER[rank] if 0 <= rank < len(SEVERITY_ORDER) else "unknown"


def _pascal(value: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", value) if part)


def _result(
    drift: Mapping[str, Any],
    rule_index: int,
    fallback_uri: str,
    declarations: Declarations | None,
) -> dict[str, Any]:
    rule = _rule_of(drift)
    severity = str(drift.get("severity") or "")
    source, address = first_source(drift.get("iac_source"))
    state_location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(source) if source else fallback_uri},
            "region": {"startLine": 1},
        }
    }
    if address:
        state_location["logicalLocations"] = [
            {"fullyQualifiedName": _message_text(address), "kind": "resource"}
        ]
    declared = declarations.find(address) if declarations is not None and address else None
    locations = [state_location]
    related: list[dict[str, Any]] = []
    if declared is not None:
        path, line = declared
        code_location: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(relative(path))},
                "region": {"startLine": line},
            },
            "logicalLocations": state_location["logicalLocations"],
        }
        locations = [code_location]
        related = [{"id": 1, **state_location, "message": {"text": "Terraform state"}}]
    fingerprint = _fingerprint(drift)
    out: dict[str, Any] = {
        "ruleId": rule.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL.get(severity, "warning"),
        "message": {"text": _message(drift)},
        "locations": locations,
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint,
            # GitHub code scanning matches alerts across commits by this one.
            "primaryLocationLineHash": f"{short_hash(fingerprint)}:1",
        },
        "properties": _result_properties(drift),
    }
    if related:
        out["relatedLocations"] = related
    if drift.get("status") == "approved":
        # An approved drift is an accepted deviation: viewers show it as suppressed, not open.
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if drift.get("approval_reason"):
            suppression["justification"] = one_line(drift["approval_reason"])
        out["suppressions"] = [suppression]
    return out


def _message(drift: Mapping[str, Any]) -> str:
    what = {
        "modified": "differs from IaC",
        "missing": "is in IaC but missing from AWS",
        "unmanaged": "is in AWS but in no IaC source",
    }.get(str(drift.get("drift_type")), f"has drift ({one_line(drift.get('drift_type'))})")
    where = ", ".join(
        one_line(v) for v in (drift.get("region"), drift.get("account_id")) if v not in (None, "")
    )
    head = (
        f"{one_line(drift.get('severity'))}: {one_line(drift.get('resource_type'))} "
        f"{one_line(drift.get('resource_id'))}"
        f"{f' ({where})' if where else ''} {what}"
    )
    cost = format_cost(drift)
    if cost:
        head += f"; cost impact {cost}"
    head += f"; drift {short_id(drift)}, status {one_line(drift.get('status') or 'detected')}."
    lines = drift_difference_lines(drift, max_len=_MAX_LINE)
    shown = lines[:_MAX_MESSAGE_LINES]
    body = [f"- {line}" for line in shown]
    if len(lines) > len(shown):
        body.append(f"- ... and {len(lines) - len(shown)} more differences")
    return _message_text("\n".join([head, *body]))


def _message_text(text: str) -> str:
    # SARIF plain-text messages turn "[text](target)" into an embedded link; a tag value must not
    # be able to forge one, so that shape has its brackets (and backslashes) escaped. Brackets that
    # cannot form a link ("app[0]") are left as they are, which keeps messages readable.
    if not _LINK_SHAPE.search(text):
        return text
    return re.sub(r"([\\\[\]])", r"\\\1", text)


_LINK_SHAPE = re.compile(r"\]\s*\(")


def _result_properties(drift: Mapping[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "drift_id": drift.get("id"),
        "resource_type": drift.get("resource_type"),
        "resource_id": drift.get("resource_id"),
        "region": drift.get("region"),
        "account_id": drift.get("account_id"),
        "drift_type": drift.get("drift_type"),
        "severity": drift.get("severity"),
        "status": drift.get("status"),
        "cost_impact_monthly": _money(drift.get("cost_impact_monthly")),
        "iac_source": drift.get("iac_source"),
    }
    return {k: v for k, v in props.items() if v is not None}


def _money(value: Any) -> float:
    try:
        return round(float(value or 0), 2)
    except (TypeError, ValueError):
        return 0.0


def _fingerprint(drift: Mapping[str, Any]) -> str:
    value = drift.get("fingerprint")
    if value:
        return str(value)
    return drift_fingerprint(
        drift.get("account_id"),
        str(drift.get("region") or ""),
        str(drift.get("resource_type") or ""),
        str(drift.get("resource_id") or ""),
        str(drift.get("drift_type") or ""),
    )


def _invocation(result: Mapping[str, Any], scan: Mapping[str, Any]) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": scan.get("status") == "completed"}
    for key, field in (("startTimeUtc", "started_at"), ("endTimeUtc", "finished_at")):
        stamp = _utc(scan.get(field))
        if stamp:
            invocation[key] = stamp
    if isinstance(result.get("exit_code"), int):
        invocation["exitCode"] = result["exit_code"]
    errors: Sequence[Mapping[str, Any]] = scan.get("errors") or []
    if errors:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": _message_text(error_text(e))},
                "descriptor": {"id": _id_part(e.get("code")) or "ScanError"},
                "properties": {
                    k: str(e[k]) for k in ("resource_type", "region", "code") if e.get(k)
                },
            }
            for e in sorted(errors, key=lambda e: error_text(e))
        ]
    return invocation


def _utc(value: Any) -> str | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _run_properties(
    result: Mapping[str, Any], scan: Mapping[str, Any], *, total: int, kept: int
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "scan_id": scan.get("id"),
        "status": scan.get("status"),
        "source": scan.get("source"),
        "account_ids": list(scan.get("account_ids") or []),
        "regions": list(scan.get("regions") or []),
        "iac_sources": list(scan.get("iac_sources") or []),
        "summary": dict(result.get("summary") or {}),
        "exit_code": result.get("exit_code"),
        "total_results": total,
        "reported_results": kept,
        "truncated": kept < total,
    }
    if kept < total:
        props["truncation_note"] = (
            f"{total - kept} of {total} drifts left out: a SARIF run holds at most "
            f"{MAX_RESULTS} results; the most severe were kept. Use -o json for all of them."
        )
    return props
