"""What the three load-balancer types (``load_balancer``, ``lb_listener``, ``lb_target_group``)
share: one DescribeLoadBalancers listing per region and scan, DescribeTags in batches of 20 ARNs,
and the keys that listener actions and rule conditions compare as.

An action compares as one text key per action (``forward:api``, ``redirect:HTTP_301
HTTPS://#{host}:443/#{path}?#{query}``, ``fixed-response:503 text/plain "down"``): the same key
from a Terraform block and from AWS's answer. A target group is named by the name in its ARN. A
forward to one target group is the same whether it is written with ``target_group_arn`` or a
``forward`` block (AWS reports both forms for it); weights matter only between several groups.
The order of actions is not compared: AWS fixes it by type (authentication first, then the one
action that answers). An OIDC client secret is never read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from driftctl import normalize
from driftctl.resources import SENSITIVE, mask_secret_values
from driftctl.scanner.base import ScanContext
from driftctl.types import fixes
from driftctl.types.spec import ApiCall, Fix

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_elbv2.type_defs import LoadBalancerTypeDef

    from driftctl.iac.instance import StateInstance

SERVICE = "elbv2"
# How botocore names the service in API-call counts (``elastic-load-balancing-v2:…``).
OPERATION_PREFIX = "elastic-load-balancing-v2"
# DescribeTags accepts at most 20 ARNs per call.
TAGS_PER_CALL = 20
# What ELBv2 answers for an object deleted between the listing and the read.
NOT_FOUND = frozenset(
    {"LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound", "RuleNotFound"}
)
# DescribeLoadBalancers accepts 1..400 per page.
_LB_PAGE = (1, 400)

T = TypeVar("T")
R = TypeVar("R")


def operation(name: str) -> str:
    """``DescribeTags`` as it appears in API-call counts."""
    return f"{OPERATION_PREFIX}:{name}"


# The calls every type of the three declares: the shared listing, and tags of declared objects.
LIST_LOAD_BALANCERS = ApiCall(operation("DescribeLoadBalancers"), per="region", page_size=400)
TAGS = ApiCall(
    operation("DescribeTags"), per="resource", page_size=TAGS_PER_CALL, managed_only=True
)


def tags_fix() -> Fix:
    """Tags of a load balancer, listener or target group: AddTags / RemoveTags by ARN."""
    return fixes.tags_fix(
        SERVICE, "AddTags", "RemoveTags", lambda q: {"ResourceArns": [q.resource_id]}
    )


def flag(value: Any) -> bool | None:
    """An attribute value AWS sends as text (``"true"``) as a bool; None when it sends none."""
    return None if value is None or value == "" else str(value).lower() == "true"


def number(value: Any) -> int | None:
    """An attribute value AWS sends as text (``"60"``) as an int; None when it is not one."""
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def client(ctx: ScanContext, region: str) -> ElasticLoadBalancingv2Client:
    """The ELBv2 client of ``region``."""
    found: ElasticLoadBalancingv2Client = ctx.aws.client(SERVICE, region)
    return found


def is_not_found(exc: BaseException) -> bool:
    """Whether an AWS error says the object is gone."""
    from botocore.exceptions import ClientError

    return (
        isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code", "") in NOT_FOUND
    )


def load_balancers(ctx: ScanContext, region: str) -> list[LoadBalancerTypeDef]:
    """Every load balancer of ``region``, listed once per scan for every type that needs it."""

    def load() -> list[LoadBalancerTypeDef]:
        pages = (
            client(ctx, region)
            .get_paginator("describe_load_balancers")
            .paginate(PaginationConfig={"PageSize": ctx.page_size_for(*_LB_PAGE)})
        )
        return [
            lb
            for page in pages
            for lb in page.get("LoadBalancers", [])
            if lb.get("LoadBalancerArn")
        ]

    return ctx.shared(f"elbv2:load-balancers:{region}", load)


def concurrently(ctx: ScanContext, items: Sequence[T], fn: Callable[[T], R]) -> list[R]:
    """``fn`` over ``items`` on the detail threads; the first exception propagates."""
    if not items:
        return []
    workers = min(ctx.detail_workers, len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="driftctl-elbv2") as pool:
        return list(pool.map(fn, items))


def read_tags(ctx: ScanContext, region: str, arns: Iterable[str]) -> dict[str, dict[str, str]]:
    """ARN -> tags (secret-looking values masked), 20 ARNs per DescribeTags call.

    A batch naming an object deleted meanwhile is read again one ARN at a time, skipping the gone
    ones. Other AWS errors propagate.
    """
    wanted = sorted(set(arns))
    batches = [wanted[i : i + TAGS_PER_CALL] for i in range(0, len(wanted), TAGS_PER_CALL)]
    elb = client(ctx, region)

    def one(batch: list[str]) -> dict[str, dict[str, str]]:
        from botocore.exceptions import ClientError

        try:
            answer = elb.describe_tags(ResourceArns=batch)
        except ClientError as exc:
            if not is_not_found(exc):
                raise
            found: dict[str, dict[str, str]] = {}
            for arn in batch if len(batch) > 1 else []:
                found.update(one([arn]))
            return found
        return {
            d["ResourceArn"]: mask_secret_values(normalize.tags(d.get("Tags")))
            for d in answer.get("TagDescriptions", [])
            if "ResourceArn" in d
        }

    out: dict[str, dict[str, str]] = {}
    for part in concurrently(ctx, batches, one):
        out.update(part)
    return out


def target_group_name(arn: Any) -> str:
    """``api`` from ``arn:aws:elasticloadbalancing:…:targetgroup/api/0123…`` (other text as is)."""
    text = str(arn or "")
    if ":targetgroup/" in text:
        return text.split(":targetgroup/", 1)[1].split("/", 1)[0]
    return text


# -- action and condition keys -----------------------------------------------------------------


def first_block(value: Any) -> Mapping[str, Any]:
    """The first block of a Terraform nested block list ({} when there is none)."""
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return value if isinstance(value, Mapping) else {}


def _text(value: Any, default: str = "") -> str:
    return default if value is None or value == "" else str(value)


def _forward(groups: Iterable[tuple[Any, Any]], sticky_seconds: Any) -> str:
    named = sorted(
        (target_group_name(arn), 1 if weight is None or weight == "" else int(weight))
        for arn, weight in groups
        if arn
    )
    if len(named) == 1:
        text = named[0][0]
    else:
        text = ",".join(f"{name}={weight}" for name, weight in named)
    if sticky_seconds is not None:
        text += f" stickiness={_text(sticky_seconds, 'on')}s"
    return f"forward:{text}"


def _redirect(protocol: Any, host: Any, port: Any, path: Any, query: Any, status: Any) -> str:
    return (
        f"redirect:{_text(status)} {_text(protocol, '#{protocol}')}://{_text(host, '#{host}')}"
        f":{_text(port, '#{port}')}{_text(path, '/#{path}')}?{_text(query, '#{query}')}"
    )


def _fixed(status: Any, content_type: Any, body: Any) -> str:
    return f"fixed-response:{_text(status)} {_text(content_type, '-')} {json.dumps(_text(body))}"


def _authenticate(kind: str, who: Any, client_id: Any, unauthenticated: Any) -> str:
    return (
        f"authenticate-{kind}:{_text(who)} client={_text(client_id)} "
        f"unauthenticated={_text(unauthenticated, 'authenticate')}"
    )


def state_action(block: Mapping[str, Any]) -> str:
    """The key of one Terraform ``default_action`` / ``action`` block."""
    kind = _text(block.get("type"))
    if kind == "forward":
        forward = first_block(block.get("forward"))
        groups = [
            (g.get("arn"), g.get("weight"))
            for g in forward.get("target_group") or []
            if isinstance(g, Mapping)
        ]
        sticky = first_block(forward.get("stickiness"))
        seconds = sticky.get("duration") if sticky.get("enabled") else None
        return _forward(groups or [(block.get("target_group_arn"), None)], seconds)
    if kind == "redirect":
        r = first_block(block.get("redirect"))
        return _redirect(
            r.get("protocol"),
            r.get("host"),
            r.get("port"),
            r.get("path"),
            r.get("query"),
            r.get("status_code"),
        )
    if kind == "fixed-response":
        f = first_block(block.get("fixed_response"))
        return _fixed(f.get("status_code"), f.get("content_type"), f.get("message_body"))
    if kind == "authenticate-oidc":
        o = first_block(block.get("authenticate_oidc"))
        return _authenticate(
            "oidc", o.get("issuer"), o.get("client_id"), o.get("on_unauthenticated_request")
        )
    if kind == "authenticate-cognito":
        c = first_block(block.get("authenticate_cognito"))
        return _authenticate(
            "cognito",
            c.get("user_pool_arn"),
            c.get("user_pool_client_id"),
            c.get("on_unauthenticated_request"),
        )
    return kind


def aws_action(action: Mapping[str, Any]) -> str:
    """The key of one action in a DescribeListeners / DescribeRules answer."""
    kind = _text(action.get("Type"))
    if kind == "forward":
        config = action.get("ForwardConfig") or {}
        groups = [
            (g.get("TargetGroupArn"), g.get("Weight")) for g in config.get("TargetGroups") or []
        ]
        sticky = config.get("TargetGroupStickinessConfig") or {}
        seconds = sticky.get("DurationSeconds") if sticky.get("Enabled") else None
        return _forward(groups or [(action.get("TargetGroupArn"), None)], seconds)
    if kind == "redirect":
        r = action.get("RedirectConfig") or {}
        return _redirect(
            r.get("Protocol"),
            r.get("Host"),
            r.get("Port"),
            r.get("Path"),
            r.get("Query"),
            r.get("StatusCode"),
        )
    if kind == "fixed-response":
        f = action.get("FixedResponseConfig") or {}
        return _fixed(f.get("StatusCode"), f.get("ContentType"), f.get("MessageBody"))
    if kind == "authenticate-oidc":
        o = action.get("AuthenticateOidcConfig") or {}
        return _authenticate(
            "oidc", o.get("Issuer"), o.get("ClientId"), o.get("OnUnauthenticatedRequest")
        )
    if kind == "authenticate-cognito":
        c = action.get("AuthenticateCognitoConfig") or {}
        return _authenticate(
            "cognito",
            c.get("UserPoolArn"),
            c.get("UserPoolClientId"),
            c.get("OnUnauthenticatedRequest"),
        )
    return kind


def ordered(actions: Iterable[str]) -> list[str]:
    """Action keys in the order AWS runs them: authentication first, then the answering one."""
    return sorted(set(actions), key=lambda key: (not key.startswith("authenticate-"), key))


def _condition(field: str, values: Iterable[Any], *, suffix: str = "") -> str | None:
    listed = sorted({str(v) for v in values if v not in (None, "")})
    return f"{field}{suffix}={','.join(listed)}" if listed else None


# Terraform condition block -> AWS field name.
_STATE_FIELDS = {
    "host_header": "host-header",
    "path_pattern": "path-pattern",
    "http_request_method": "http-request-method",
    "source_ip": "source-ip",
}
# AWS field name -> the config object holding its values.
_AWS_CONFIGS = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "source-ip": "SourceIpConfig",
}


def _query(pairs: Iterable[tuple[Any, Any]]) -> str | None:
    return _condition("query-string", (f"{k}={v}" if k else str(v) for k, v in pairs))


def state_conditions(blocks: Any) -> list[str]:
    """The keys of a Terraform rule's ``condition`` blocks."""
    out: list[str | None] = []
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, Mapping):
            continue
        for name, field in _STATE_FIELDS.items():
            conf = first_block(block.get(name))
            out.append(_condition(field, conf.get("values") or []))
            out.append(_condition(field, conf.get("regex_values") or [], suffix="~"))
        header = first_block(block.get("http_header"))
        if header:
            suffix = f"[{header.get('http_header_name')}]"
            out.append(_condition("http-header", header.get("values") or [], suffix=suffix))
        query = [q for q in block.get("query_string") or [] if isinstance(q, Mapping)]
        if query:
            out.append(_query((q.get("key"), q.get("value")) for q in query))
    return sorted({c for c in out if c})


def aws_conditions(conditions: Iterable[Mapping[str, Any]]) -> list[str]:
    """The keys of a DescribeRules rule's ``Conditions``."""
    out: list[str | None] = []
    for cond in conditions:
        field = _text(cond.get("Field"))
        if field in _AWS_CONFIGS:
            conf = cond.get(_AWS_CONFIGS[field]) or {}
            out.append(_condition(field, conf.get("Values") or cond.get("Values") or []))
            out.append(_condition(field, conf.get("RegexValues") or [], suffix="~"))
        elif field == "http-header":
            conf = cond.get("HttpHeaderConfig") or {}
            suffix = f"[{conf.get('HttpHeaderName')}]"
            out.append(_condition(field, conf.get("Values") or [], suffix=suffix))
        elif field == "query-string":
            conf = cond.get("QueryStringConfig") or {}
            out.append(_query((v.get("Key"), v.get("Value")) for v in conf.get("Values") or []))
    return sorted({c for c in out if c})


def rule_key(priority: Any, conditions: Iterable[str], actions: Iterable[str]) -> str:
    """One listener rule: ``10: path-pattern=/api/* -> forward:api``."""
    return f"{priority}: {' & '.join(sorted(conditions))} -> {' + '.join(ordered(actions))}"


def masked(inst: StateInstance, attribute: str) -> bool:
    """Whether a marked path covers something under ``attribute`` other than a client secret
    (never read)."""
    return any(path[:1] == (attribute,) and path[-1] != "client_secret" for path in inst.sensitive)


def state_actions(inst: StateInstance, attribute: str) -> list[str] | str | None:
    """The action keys of a Terraform action block list (SENSITIVE if a read part is marked)."""
    if masked(inst, attribute):
        return SENSITIVE
    blocks = inst.attrs.get(attribute)
    if not isinstance(blocks, list):
        return None
    return ordered(state_action(b) for b in blocks if isinstance(b, Mapping))
