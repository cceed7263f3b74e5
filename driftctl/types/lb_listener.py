"""Load balancer listeners (``aws_lb_listener``, also ``aws_alb_listener``) and their rules
(``aws_lb_listener_rule``, also ``aws_alb_listener_rule``).

AWS lists listeners per load balancer only: one DescribeListeners per load balancer of the
region (after the DescribeLoadBalancers listing shared with the load balancer type), then for
the listeners the IaC declares DescribeRules each and DescribeTags, 20 ARNs a call.
resource_id is the listener ARN.

Actions and rules compare as text keys (see ``types.elbv2``): ``default_action`` is a set of
action keys, ``rules`` a set with one key per rule (``10: path-pattern=/api/* ->
forward:api``). Rules are compared only for a listener whose rules the IaC declares (at least
one ``aws_lb_listener_rule``): other stacks and controllers often add rules to a shared
listener. The default rule AWS reports for each listener is its default action, not a rule.
moto gives HTTP and TCP listeners an SslPolicy (AWS does not) and keeps a listener's
certificate after it is switched to HTTP: neither is read for a listener that does not
terminate TLS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from driftctl.iac.instance import StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext
from driftctl.scanner.details import Detail, failed, read_each
from driftctl.types import elbv2
from driftctl.types.build import Builder
from driftctl.types.fixes import scalar_fix
from driftctl.types.lb_listener_build import build_listener, build_rule
from driftctl.types.spec import (
    ApiCall,
    Attr,
    Call,
    FixQuery,
    Kind,
    ResourceSpec,
    Rule,
    Scope,
    TerraformType,
)

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_elbv2.type_defs import ListenerTypeDef, RuleTypeDef

    from driftctl.diff.findings import DiffEntry, Finding

RESOURCE_TYPE = "LB_LISTENER"
ENCRYPTED = frozenset({"HTTPS", "TLS"})
_PAGE = (1, 400)

# The oldest TLS version an ELB security policy accepts, from its name.
_TLS_IN_NAME = re.compile(r"-(?:TLS13|TLS|FS)-1-(\d)(?:-|$)")
_TLS_1_0_BY_DATE = re.compile(r"^ELBSecurityPolicy-(?:FS-)?\d{4}-\d{2}$")


def minimum_tls(policy: Any) -> tuple[int, int] | None:
    """(1, 2) for ``ELBSecurityPolicy-TLS13-1-2-2021-06``; None for a name it cannot read."""
    if not isinstance(policy, str):
        return None
    found = _TLS_IN_NAME.search(policy)
    if found:
        return (1, int(found.group(1)))
    return (1, 0) if _TLS_1_0_BY_DATE.match(policy) else None


def _lost_tls(entry: DiffEntry, _finding: Finding) -> bool:
    return entry.get("expected") in ENCRYPTED and entry.get("actual") not in ENCRYPTED


def _weaker_policy(entry: DiffEntry, _finding: Finding) -> bool:
    expected, actual = minimum_tls(entry.get("expected")), minimum_tls(entry.get("actual"))
    return expected is not None and actual is not None and actual < expected


# -- reading the state -------------------------------------------------------------------------


def _default_actions(inst: StateInstance) -> Any:
    return elbv2.state_actions(inst, "default_action")


def _rule(inst: StateInstance) -> dict[str, Any]:
    """One ``aws_lb_listener_rule``: its share of the listener's ``rules``."""
    if (
        elbv2.masked(inst, "action")
        or elbv2.masked(inst, "condition")
        or inst.is_sensitive("priority")
    ):
        return {"rules": SENSITIVE}
    actions = elbv2.state_actions(inst, "action")
    conditions = elbv2.state_conditions(inst.attrs.get("condition"))
    key = elbv2.rule_key(inst.get("priority"), conditions, actions or [])
    return {"rules": [key]}


SCHEMA: dict[str, Attr] = {
    "load_balancer_arn": Attr(),
    "port": Attr(type=int),
    "protocol": Attr(empty_is_unset=True),
    "ssl_policy": Attr(empty_is_unset=True),
    "certificate_arn": Attr(empty_is_unset=True, doc="the default certificate"),
    "default_action": Attr(Kind.SET, read=_default_actions, doc="one key per action"),
    "rules": Attr(
        Kind.SET,
        read=lambda _inst: None,
        doc="aws_lb_listener_rule: priority: conditions -> actions",
    ),
    "tags": Attr(Kind.TAGS),
}


# -- reading AWS -------------------------------------------------------------------------------


def collect(ctx: ScanContext, region: str) -> Collected:
    """Every listener of every load balancer of ``region``; rules and tags of the declared
    ones. Listing errors propagate; a failed rule read spoils its region only."""
    elb = elbv2.client(ctx, region)
    balancers = elbv2.load_balancers(ctx, region)
    per_balancer = elbv2.concurrently(
        ctx, [lb["LoadBalancerArn"] for lb in balancers], lambda arn: _listeners_of(ctx, elb, arn)
    )
    listeners = [listener for group in per_balancer for listener in group]
    managed = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    tags = elbv2.read_tags(
        ctx, region, [item["ListenerArn"] for item in listeners if item["ListenerArn"] in managed]
    )

    def read(listener: ListenerTypeDef) -> Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        arn = listener["ListenerArn"]
        if arn not in managed:
            return Detail(resource=to_resource(listener, region, ctx.account_id))
        try:
            rules = _rules_of(ctx, elb, arn)
        except (BotoCoreError, ClientError) as exc:
            if elbv2.is_not_found(exc):
                return Detail()
            return failed((region,), f"listener {arn}", exc)
        return Detail(resource=to_resource(listener, region, ctx.account_id, rules, tags.get(arn)))

    return read_each(ctx, RESOURCE_TYPE, listeners, read, noun="listeners")


def _listeners_of(
    ctx: ScanContext, elb: ElasticLoadBalancingv2Client, balancer_arn: str
) -> list[ListenerTypeDef]:
    from botocore.exceptions import ClientError

    pages = elb.get_paginator("describe_listeners").paginate(
        LoadBalancerArn=balancer_arn, PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    try:
        return [
            item for page in pages for item in page.get("Listeners", []) if "ListenerArn" in item
        ]
    except ClientError as exc:
        if elbv2.is_not_found(exc):
            return []  # the load balancer was deleted after the listing
        raise


def _rules_of(
    ctx: ScanContext, elb: ElasticLoadBalancingv2Client, listener_arn: str
) -> list[RuleTypeDef]:
    pages = elb.get_paginator("describe_rules").paginate(
        ListenerArn=listener_arn, PaginationConfig={"PageSize": ctx.page_size_for(*_PAGE)}
    )
    return [rule for page in pages for rule in page.get("Rules", [])]


def rule_keys(rules: Sequence[RuleTypeDef]) -> list[str]:
    """The keys of a listener's rules, the default rule left out."""
    return sorted(
        elbv2.rule_key(
            rule.get("Priority"),
            elbv2.aws_conditions(rule.get("Conditions", [])),
            [elbv2.aws_action(a) for a in rule.get("Actions", [])],
        )
        for rule in rules
        if not rule.get("IsDefault") and rule.get("Priority") != "default"
    )


def to_resource(
    listener: ListenerTypeDef,
    region: str,
    account_id: str | None,
    rules: Sequence[RuleTypeDef] | None = None,
    tags: Mapping[str, str] | None = None,
) -> ActualResource:
    """One listener in the canonical LB_LISTENER form (rules and tags when they were read)."""
    protocol = listener.get("Protocol")
    encrypted = protocol in ENCRYPTED
    certificates = [
        c["CertificateArn"] for c in listener.get("Certificates", []) if "CertificateArn" in c
    ]
    attributes: dict[str, Any] = {
        "load_balancer_arn": listener.get("LoadBalancerArn"),
        "port": listener.get("Port"),
        "protocol": protocol,
        "ssl_policy": listener.get("SslPolicy") if encrypted else None,
        "certificate_arn": certificates[0] if encrypted and certificates else None,
        "default_action": elbv2.ordered(
            elbv2.aws_action(a) for a in listener.get("DefaultActions", [])
        ),
    }
    if rules is not None:
        attributes["rules"] = rule_keys(rules)
    if tags is not None:
        attributes["tags"] = dict(tags)
    return ActualResource(
        resource_type=RESOURCE_TYPE,
        resource_id=listener["ListenerArn"],
        region=region,
        attributes=attributes,
        account_id=account_id,
    )


# -- remediation -------------------------------------------------------------------------------
# Actions and rules are not reverted: their keys name target groups by name, not by the ARN
# ModifyListener and ModifyRule need.


def _modify(query: FixQuery, **params: Any) -> Call:
    return Call(elbv2.SERVICE, "ModifyListener", {"ListenerArn": query.resource_id, **params})


def _certificates(arn: Any) -> list[dict[str, str]]:
    return [{"CertificateArn": str(arn)}]


def _protocol(query: FixQuery, expected: Any) -> Call:
    params: dict[str, Any] = {"Protocol": str(expected)}
    if expected in ENCRYPTED:
        # Back to TLS: AWS wants the policy and certificate in the same call.
        if query.expected.get("ssl_policy"):
            params["SslPolicy"] = str(query.expected["ssl_policy"])
        if query.expected.get("certificate_arn"):
            params["Certificates"] = _certificates(query.expected["certificate_arn"])
    return _modify(query, **params)


FIXES = (
    scalar_fix("protocol", _protocol, doc="protocol (elbv2:ModifyListener)"),
    scalar_fix(
        "port", lambda q, port: _modify(q, Port=int(port)), doc="port (elbv2:ModifyListener)"
    ),
    scalar_fix(
        "ssl_policy",
        lambda q, policy: _modify(q, SslPolicy=str(policy)),
        doc="ssl_policy (elbv2:ModifyListener)",
    ),
    scalar_fix(
        "certificate_arn",
        lambda q, arn: _modify(q, Certificates=_certificates(arn)),
        doc="the default certificate (elbv2:ModifyListener)",
    ),
    elbv2.tags_fix(),
)

_RULE_NOT_COMPARED = {
    "tags": "rule tags are not compared",
    "transform": "not compared yet",
}
_LISTENER_NOT_COMPARED = {
    "alpn_policy": "not compared yet",
    "mutual_authentication": "not compared yet",
    "timeouts": "Terraform-only",
}
_AFTER_BALANCER = (
    "aws_lb",
    "aws_alb",
    "aws_lb_target_group",
    "aws_alb_target_group",
    "aws_acm_certificate",
)
_AFTER_LISTENER = (
    "aws_lb_listener",
    "aws_alb_listener",
    "aws_lb_target_group",
    "aws_alb_target_group",
)


def _child(name: str) -> TerraformType:
    return TerraformType(
        name, id=("listener_arn",), read=_rule, parent=True, not_compared=_RULE_NOT_COMPARED
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Load balancer listener",
    with_article="a load balancer listener",
    sarif_name="LoadBalancerListener",
    terraform=(
        TerraformType("aws_lb_listener", id=("arn", "id"), not_compared=_LISTENER_NOT_COMPARED),
        TerraformType("aws_alb_listener", id=("arn", "id"), not_compared=_LISTENER_NOT_COMPARED),
        _child("aws_lb_listener_rule"),
        _child("aws_alb_listener_rule"),
    ),
    scope=Scope.REGIONAL,
    service=elbv2.SERVICE,
    collect=collect,
    api_calls=(
        # The load balancers are listed (and pages counted) whatever their listeners.
        ApiCall(
            elbv2.LIST_LOAD_BALANCERS.operation,
            per="parent",
            parent="load_balancer_arn",
            page_size=elbv2.LIST_LOAD_BALANCERS.page_size,
        ),
        ApiCall(elbv2.operation("DescribeListeners"), per="parent", parent="load_balancer_arn"),
        ApiCall(elbv2.operation("DescribeRules"), per="resource", managed_only=True),
        elbv2.TAGS,
    ),
    schema=SCHEMA,
    id_doc="listener ARN",
    rules=(
        Rule("protocol", _lost_tls, doc="an HTTPS or TLS listener no longer terminates TLS"),
        Rule("ssl_policy", _weaker_policy, doc="a security policy accepting an older TLS version"),
    ),
    fixes=FIXES,
    builders={
        "aws_lb_listener": Builder(build_listener, after=_AFTER_BALANCER),
        "aws_alb_listener": Builder(build_listener, after=_AFTER_BALANCER),
        "aws_lb_listener_rule": Builder(build_rule, after=_AFTER_LISTENER),
        "aws_alb_listener_rule": Builder(build_rule, after=_AFTER_LISTENER),
    },
)
