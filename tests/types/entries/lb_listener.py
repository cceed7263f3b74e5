"""Conformance entry of LB_LISTENER (fixture: lb_listener.tfstate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.types.entries._common import tag_mutation
from tests.types.harness import Account, Entry, Mutation

RESOURCE_TYPE = "LB_LISTENER"

HTTPS = "aws_lb_listener.https"
HTTP = "aws_alb_listener.http"
API_RULE = "10: path-pattern=/api/* -> forward:webapp-api"
STATUS_RULE = (
    "20: host-header=status.example.com & http-request-method=GET,HEAD -> fixed-response:200 "
    'text/plain "ok"'
)


def _modify(address: str, **changes: Any) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("elbv2").modify_listener(ListenerArn=account.ids[address], **changes)

    return apply


def _new_certificate(account: Account) -> None:
    arn = account.client("acm").request_certificate(DomainName="other.example.com")[
        "CertificateArn"
    ]
    account.client("elbv2").modify_listener(
        ListenerArn=account.ids[HTTPS], Certificates=[{"CertificateArn": arn}]
    )


def _rules(account: Account) -> list[dict[str, Any]]:
    rules = account.client("elbv2").describe_rules(ListenerArn=account.ids[HTTPS])["Rules"]
    return [r for r in rules if not r.get("IsDefault")]


def _rule_at(account: Account, priority: str) -> str:
    return next(str(r["RuleArn"]) for r in _rules(account) if str(r["Priority"]) == priority)


def _retarget_api_rule(account: Account) -> None:
    account.client("elbv2").modify_rule(
        RuleArn=_rule_at(account, "10"),
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v2/*"]}}],
    )


def _console_rule(account: Account) -> None:
    account.client("elbv2").create_rule(
        ListenerArn=account.ids[HTTPS],
        Priority=5,
        Conditions=[{"Field": "source-ip", "SourceIpConfig": {"Values": ["0.0.0.0/0"]}}],
        Actions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {"StatusCode": "503", "ContentType": "text/plain"},
            }
        ],
    )


def _delete_status_rule(account: Account) -> None:
    account.client("elbv2").delete_rule(RuleArn=_rule_at(account, "20"))


def _delete_http(account: Account) -> None:
    account.client("elbv2").delete_listener(ListenerArn=account.ids[HTTP])


def _console_listener(account: Account) -> str:
    balancer = account.attributes(HTTPS)["load_balancer_arn"]
    listener = account.client("elbv2").create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=8081,
        DefaultActions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
            }
        ],
    )["Listeners"][0]
    return str(listener["ListenerArn"])


_MAINTENANCE = [
    {
        "Type": "fixed-response",
        "FixedResponseConfig": {
            "StatusCode": "503",
            "ContentType": "text/plain",
            "MessageBody": "maintenance",
        },
    }
]

ENTRY = Entry(
    fixture="lb_listener.tfstate",
    mutations=(
        Mutation(
            "TLS 1.0 allowed again",
            _modify(HTTPS, SslPolicy="ELBSecurityPolicy-2016-08"),
            HTTPS,
            "ssl_policy",
            "critical",
        ),
        Mutation(
            "TLS 1.3 only",
            _modify(HTTPS, SslPolicy="ELBSecurityPolicy-TLS13-1-3-2021-06"),
            HTTPS,
            "ssl_policy",
            "warning",
        ),
        Mutation("certificate replaced", _new_certificate, HTTPS, "certificate_arn", "warning"),
        Mutation(
            "default action replaced",
            _modify(HTTPS, DefaultActions=_MAINTENANCE),
            HTTPS,
            "default_action[forward:webapp-app]",
            "warning",
        ),
        Mutation(
            "rule condition changed", _retarget_api_rule, HTTPS, f"rules[{API_RULE}]", "warning"
        ),
        Mutation("rule added in the console", _console_rule, HTTPS, "rules[5: *", "warning"),
        Mutation("rule deleted", _delete_status_rule, HTTPS, f"rules[{STATUS_RULE}]", "warning"),
        Mutation(
            "HTTPS downgraded to HTTP",
            _modify(HTTPS, Protocol="HTTP"),
            HTTPS,
            "protocol",
            "critical",
        ),
        Mutation("port moved", _modify(HTTP, Port=8080), HTTP, "port", "warning"),
        tag_mutation("elbv2", HTTPS),
        Mutation("deleted", _delete_http, HTTP, "", "warning", "missing"),
        Mutation("added in the console", _console_listener, None, "", "info", "unmanaged"),
    ),
)
