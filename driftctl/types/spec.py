"""What a resource type module declares: one ``ResourceSpec``, all about the type in one place.

A spec names the type (``resource_type`` and display names), the Terraform types it reads
(``terraform``: the main resource and its child or split resources, each with how its
``resource_id`` is formed), how AWS is read (``scope``, ``service``, ``collect`` and the API calls
that reading costs), the attribute schema that both the state reader and the comparer follow,
which AWS-created objects are defaults, the default severity rules as data, and optional hooks
(a monthly cost estimator, builders that create the resource in an emulated account).

Nothing here imports boto3, botocore or SQLAlchemy: the registry must be cheap to load.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from driftctl.domain import Severity

if TYPE_CHECKING:
    from driftctl.diff.findings import DiffEntry, Finding
    from driftctl.diff.pricing import CostImpact, PriceTable
    from driftctl.iac.instance import StateInstance
    from driftctl.scanner.base import Collected, ScanContext
    from driftctl.types.build import Builder


class Scope(StrEnum):
    """How a resource type is laid out across regions, which decides how it is read."""

    # One read per scanned region (EC2, security groups, RDS).
    REGIONAL = "regional"
    # One read per scan, recorded under domain.GLOBAL_REGION (IAM).
    GLOBAL = "global"
    # One account-wide listing whose items each live in a region (S3): the read answers for
    # every scanned region and returns only the items in them.
    ACCOUNT_WIDE = "account-wide"


class Kind(StrEnum):
    """How an attribute is compared (and, for sets and policy maps, merged across fragments)."""

    # A string, number or bool; "20" equals 20 and "true" equals True.
    SCALAR = "scalar"
    # A list of scalars compared as a set: one difference entry per member, ``path[member]``.
    SET = "set"
    # A nested object: its keys are compared one by one (``path.key``), only those IaC sets.
    OBJECT = "object"
    # A tag map managed as a whole: a key only AWS has is drift too (``aws:*`` keys excepted).
    TAGS = "tags"
    # A policy document compared semantically as one value (statement order, scalar vs list).
    POLICY = "policy"
    # A map of name -> policy document; each name is compared as one policy.
    POLICY_MAP = "policy_map"
    # A map of string values managed as a whole (environment variables): one entry per key,
    # ``path.key``; a key only AWS has is drift too.
    MAP = "map"
    # A JSON document (text or object: an event pattern, a redrive policy) compared as one
    # value after parsing, whatever its key order or spacing.
    DOCUMENT = "document"
    # Any other structure compared as a whole by its canonical JSON (ordered lists of objects).
    JSON = "json"


@dataclass(frozen=True)
class Attr:
    """One compared attribute of a canonical resource.

    ``tf`` is where the main Terraform type keeps it: alternative dotted paths (``"a.0.b"``), the
    first one set wins; default: the attribute's own name. ``type`` converts a scalar read from
    the state (str, int, float, bool; numbers then compare numerically). ``empty_is_unset``
    treats ``""`` in the state as "not managed". ``default`` is what AWS means when it reports
    nothing (compared as equal to an absent value). ``same`` adds an equivalence the kind does
    not know (``"15"`` vs ``"15.4"``). ``read`` replaces the generic state reading for this
    attribute. ``aws_added`` (tags and maps): key prefixes something other than the IaC adds on
    its own (EKS's ``kubernetes.io/``): such a key only AWS has is not drift.
    """

    kind: Kind = Kind.SCALAR
    tf: tuple[str, ...] = ()
    type: type = str
    empty_is_unset: bool = False
    default: Any = None
    same: Callable[[Any, Any], bool] | None = None
    fields: Mapping[str, Attr] = field(default_factory=dict)
    read: Callable[[StateInstance], Any] | None = None
    doc: str = ""
    aws_added: tuple[str, ...] = ()


Schema = Mapping[str, Attr]

# Condition of a default severity rule: (difference entry, finding) -> does the rule apply.
Condition = Callable[["DiffEntry", "Finding"], bool]


@dataclass(frozen=True)
class Rule:
    """A default severity rule: entries whose path matches ``path`` (``*`` is the only wildcard)
    and whose change is ``change`` get ``severity`` when ``when`` holds."""

    path: str
    when: Condition
    severity: Severity = Severity.CRITICAL
    change: str = "*"
    doc: str = ""


# Reads one instance of a Terraform type into canonical attributes of its resource; None when
# the instance contributes nothing (e.g. an inline policy without a name).
Reader = Callable[["StateInstance"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class TerraformType:
    """A Terraform resource type that describes (part of) this resource type.

    ``id`` names the attributes that hold the resource id, first non-empty wins; ``parent`` marks
    a child or split resource whose values merge into the parent's expected state (``overrides``:
    its values win over the parent's inline ones). ``read`` is None for the main type: the
    attribute schema reads it. ``account_from_arn`` is off where the instance's ARN may name
    another account. ``not_compared`` lists its arguments that are never compared, with why.
    ``compose_id`` builds the id from the instance's attributes where no single attribute holds
    it (a Lambda permission: ``function/statement``); it wins over ``id``.
    """

    name: str
    id: tuple[str, ...] = ("id",)
    read: Reader | None = None
    parent: bool = False
    overrides: bool = False
    account_from_arn: bool = True
    not_compared: Mapping[str, str] = field(default_factory=dict)
    compose_id: Callable[[Mapping[str, Any]], str | None] | None = None


@dataclass(frozen=True)
class ApiCall:
    """One AWS operation a scan of this type makes, and how many it takes for N resources.

    ``per`` is ``region`` (a paginated listing in every scanned region), ``account`` (one
    paginated listing for the whole account), ``resource`` (one call per ``page_size``
    resources listed, or per resource when ``page_size`` is None) or ``parent`` (one call per
    parent resource, where a listing takes its parent's id: a load balancer's listeners;
    ``parent`` names the attribute of each listed resource that holds that id; with a
    ``page_size``, the paginated listing of the parents themselves, at least one per region).
    ``managed_only``: made only for resources the IaC declares. ``when`` says when a call is
    conditional (None: always).
    """

    operation: str
    per: str = "region"
    page_size: int | None = None
    managed_only: bool = False
    when: str | None = None
    parent: str | None = None


@dataclass(frozen=True)
class CostQuery:
    """What a cost estimator is asked: the drift kind, region, and both canonical states."""

    region: str
    drift_type: str
    expected: Mapping[str, Any]
    actual: Mapping[str, Any]
    table: PriceTable


@dataclass(frozen=True)
class Call:
    """One AWS request of a remediation plan, and the difference entries it puts back.

    ``operation`` is the API's own name (``RevokeSecurityGroupIngress``); ``service`` the boto3
    client (``ec2``). ``region`` None means the resource's region (the session's home region
    for global resources). ``secret`` names parameters whose values are never printed or
    audited (they are sent, but shown as SENSITIVE). ``restart``: the call interrupts the
    resource (stopping an instance), so it runs only with ``--allow-restart``. ``delete``: the
    call deletes the resource (an unmanaged one, with ``--delete-unmanaged`` only).
    """

    service: str
    operation: str
    params: Mapping[str, Any]
    fixes: tuple[str, ...] = ()
    region: str | None = None
    secret: tuple[str, ...] = ()
    restart: bool = False
    delete: bool = False
    # Wait for this boto3 waiter (name, params) after the call (an instance stopped).
    wait: tuple[str, Mapping[str, Any]] | None = None

    @property
    def name(self) -> str:
        """``ec2:RevokeSecurityGroupIngress``, as scans count calls."""
        return f"{self.service}:{self.operation}"


class NotRevertible(Exception):
    """Raised by a fix that cannot put these entries back exactly (an API that replaces a whole
    map whose other values are masked): the planner leaves the drift to ``terraform apply``,
    giving this reason."""


@dataclass(frozen=True)
class FixQuery:
    """What a fix is asked to revert: the difference entries it matched, and both states."""

    resource_id: str
    region: str
    account_id: str | None
    # Path -> difference entry ({"change", "expected", "actual"}), only those the fix matched.
    entries: Mapping[str, Mapping[str, Any]]
    expected: Mapping[str, Any]
    actual: Mapping[str, Any]


@dataclass(frozen=True)
class Fix:
    """How a type puts back the difference entries whose path matches ``path``.

    ``path`` is matched like a severity rule's (``*`` is the only wildcard: ``tags.*``,
    ``ingress[*``); the first fix of a spec that matches an entry takes it. ``plan`` gets every
    entry it took at once and returns the calls, in order, that make AWS match the expected
    values, or raises NotRevertible when it cannot for these entries. Only what one or two API
    calls revert safely is declared; anything else stays for ``terraform apply``.
    """

    path: str
    plan: Callable[[FixQuery], Sequence[Call]]
    doc: str = ""


@dataclass(frozen=True)
class ResourceSpec:
    """Everything driftctl knows about one resource type. See the module docstring."""

    resource_type: str
    display_name: str
    # "an EC2 instance": the display name with its article, for sentences.
    with_article: str
    # The PascalCase name in SARIF rule names (``DriftedEC2Instance``).
    sarif_name: str
    terraform: tuple[TerraformType, ...]
    scope: Scope
    service: str
    collect: Callable[[ScanContext, str], Collected]
    api_calls: tuple[ApiCall, ...]
    schema: Schema
    # What identifies a resource: the canonical id from any alias a user or a child resource
    # uses (ARN, name, URL). Default: the value itself.
    canonical_id: Callable[[str], str] = str
    id_doc: str = ""
    # AWS-created objects (default security groups, service-linked roles): never unmanaged.
    is_default: Callable[[Mapping[str, Any]], bool] = lambda _attributes: False
    rules: tuple[Rule, ...] = ()
    # A resource as AWS reports it is exposed on its own (an unmanaged one is then critical).
    risky: Callable[[Mapping[str, Any]], bool] = lambda _attributes: False
    # Not exposed, but nothing guards it from becoming so (a bucket without a public access
    # block): an unmanaged one is then a warning instead of info.
    unguarded: Callable[[Mapping[str, Any]], bool] = lambda _attributes: False
    cost: Callable[[CostQuery], CostImpact] | None = None
    # The difference entry that carries the cost note, first present wins.
    cost_paths: tuple[str, ...] = ()
    # Terraform type -> a function creating one instance in an emulated account (demo, tests).
    builders: Mapping[str, Builder] = field(default_factory=dict)
    # What ``driftctl remediate`` may revert (see Fix), and how an unmanaged resource is deleted
    # (``--delete-unmanaged``; None: never).
    fixes: tuple[Fix, ...] = ()
    delete: Callable[[FixQuery], Sequence[Call]] | None = None
    doc: str = ""

    @property
    def main_terraform_type(self) -> str:
        """The Terraform type of the resource itself (``aws_instance``)."""
        return self.terraform[0].name

    @property
    def terraform_names(self) -> tuple[str, ...]:
        """Every Terraform type this resource type reads."""
        return tuple(t.name for t in self.terraform)


def minimum_calls(
    calls: Sequence[ApiCall],
    listed_by_region: Mapping[str, int],
    *,
    managed: int = 0,
    regions: int | None = None,
    include_conditional: bool = False,
    parents: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """The fewest requests per operation that reading these resources takes.

    ``listed_by_region`` counts the resources each scanned region lists (every scanned region
    appears, with 0 where it has none); ``managed`` how many of them the IaC declares;
    ``parents`` how many parent resources each ``per="parent"`` call's ``parent`` attribute
    names (load balancers, for listeners). Conditional calls (``when``) count only with
    ``include_conditional``.
    """
    region_count = regions if regions is not None else len(listed_by_region)
    total = sum(listed_by_region.values())
    out: dict[str, int] = {}
    for call in calls:
        if call.when is not None and not include_conditional:
            continue
        if call.per == "region":
            needed = sum(_pages(n, call.page_size) for n in listed_by_region.values())
            needed += max(0, region_count - len(listed_by_region))
        elif call.per == "account":
            needed = _pages(total, call.page_size)
        elif call.per == "parent":
            count = (parents or {}).get(call.parent or "", 0)
            needed = (
                max(region_count, math.ceil(count / call.page_size)) if call.page_size else count
            )
        else:
            count = managed if call.managed_only else total
            needed = math.ceil(count / call.page_size) if call.page_size else count
        out[call.operation] = out.get(call.operation, 0) + needed
    return out


def _pages(items: int, page_size: int | None) -> int:
    """Calls for a paginated listing: at least one, even when it lists nothing."""
    return max(1, math.ceil(items / page_size)) if page_size else 1


def arn_tail(value: str) -> str:
    """The resource name or id at the end of an ARN (after its last ``/`` or ``:``); a value
    that is not an ARN is returned unchanged."""
    if not value.startswith("arn:"):
        return value
    resource = value.split(":", 5)[-1]
    return resource.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
