"""Creating listeners and listener rules in an emulated account (the demo, the tests).

Terraform's action and condition blocks become the ELBv2 API's ``Actions`` and ``Conditions``.
A certificate the state names but does not create (a data source, an ``aws_acm_certificate`` of
another state) is requested in the emulated ACM first, as it exists in the real account. An OIDC
client secret is never read from the state: the emulator gets a throwaway one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftctl.types.build import BuildContext, tag_list, tags_of
from driftctl.types.elbv2 import SERVICE, first_block

_ENCRYPTED = ("HTTPS", "TLS")
_CONDITION_CONFIGS = {
    "host_header": ("host-header", "HostHeaderConfig"),
    "path_pattern": ("path-pattern", "PathPatternConfig"),
    "http_request_method": ("http-request-method", "HttpRequestMethodConfig"),
    "source_ip": ("source-ip", "SourceIpConfig"),
}


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


def api_action(ctx: BuildContext, block: Mapping[str, Any]) -> dict[str, Any]:
    """One Terraform action block as an ELBv2 ``Action``."""
    import secrets

    kind = str(block["type"])
    action: dict[str, Any] = {"Type": kind}
    if block.get("order"):
        action["Order"] = int(block["order"])
    if kind == "forward":
        forward = first_block(block.get("forward"))
        groups = [g for g in forward.get("target_group") or [] if isinstance(g, Mapping)]
        if not groups:
            action["TargetGroupArn"] = ctx.id(block["target_group_arn"])
            return action
        sticky = first_block(forward.get("stickiness"))
        stickiness: dict[str, Any] = {"Enabled": bool(sticky.get("enabled"))}
        if sticky.get("enabled") and sticky.get("duration"):
            stickiness["DurationSeconds"] = int(sticky["duration"])
        action["ForwardConfig"] = {
            "TargetGroups": [
                {"TargetGroupArn": ctx.id(g["arn"]), "Weight": int(g.get("weight") or 1)}
                for g in groups
            ],
            "TargetGroupStickinessConfig": stickiness,
        }
    elif kind == "redirect":
        r = first_block(block.get("redirect"))
        action["RedirectConfig"] = _present(
            {
                "Protocol": r.get("protocol"),
                "Port": r.get("port"),
                "Host": r.get("host"),
                "Path": r.get("path"),
                "Query": r.get("query"),
                "StatusCode": r.get("status_code"),
            }
        )
    elif kind == "fixed-response":
        f = first_block(block.get("fixed_response"))
        action["FixedResponseConfig"] = _present(
            {
                "StatusCode": f.get("status_code"),
                "ContentType": f.get("content_type"),
                "MessageBody": f.get("message_body"),
            }
        )
    elif kind == "authenticate-oidc":
        o = first_block(block.get("authenticate_oidc"))
        action["AuthenticateOidcConfig"] = _present(
            {
                "Issuer": o.get("issuer"),
                "AuthorizationEndpoint": o.get("authorization_endpoint"),
                "TokenEndpoint": o.get("token_endpoint"),
                "UserInfoEndpoint": o.get("user_info_endpoint"),
                "ClientId": o.get("client_id"),
                "ClientSecret": secrets.token_urlsafe(16),
                "OnUnauthenticatedRequest": o.get("on_unauthenticated_request"),
            }
        )
    elif kind == "authenticate-cognito":
        c = first_block(block.get("authenticate_cognito"))
        action["AuthenticateCognitoConfig"] = _present(
            {
                "UserPoolArn": c.get("user_pool_arn"),
                "UserPoolClientId": c.get("user_pool_client_id"),
                "UserPoolDomain": c.get("user_pool_domain"),
                "OnUnauthenticatedRequest": c.get("on_unauthenticated_request"),
            }
        )
    return action


def api_conditions(blocks: Any) -> list[dict[str, Any]]:
    """Terraform ``condition`` blocks as ELBv2 ``Conditions``."""
    out: list[dict[str, Any]] = []
    for block in blocks or []:
        for name, (field, config) in _CONDITION_CONFIGS.items():
            conf = first_block(block.get(name))
            if conf.get("values"):
                out.append({"Field": field, config: {"Values": list(conf["values"])}})
        header = first_block(block.get("http_header"))
        if header:
            conf = {"HttpHeaderName": header["http_header_name"], "Values": header["values"]}
            out.append({"Field": "http-header", "HttpHeaderConfig": conf})
        pairs = [q for q in block.get("query_string") or [] if isinstance(q, Mapping)]
        if pairs:
            values = [_present({"Key": q.get("key"), "Value": q.get("value")}) for q in pairs]
            out.append({"Field": "query-string", "QueryStringConfig": {"Values": values}})
    return out


def _certificate(ctx: BuildContext, arn: str) -> str:
    """The emulated certificate for ``arn``, requested in ACM when nothing built it."""
    if ctx.id(arn) != arn or ":acm:" not in arn:
        return ctx.id(arn)
    issued = ctx.client("acm").request_certificate(DomainName="listener.example.com")
    ctx.remember(arn, issued["CertificateArn"])
    return ctx.id(arn)


def build_listener(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    """One ``aws_lb_listener``."""
    extra: dict[str, Any] = {}
    protocol = attrs.get("protocol")
    if protocol:
        extra["Protocol"] = protocol
    if attrs.get("port"):
        extra["Port"] = int(attrs["port"])
    if protocol in _ENCRYPTED:
        if attrs.get("ssl_policy"):
            extra["SslPolicy"] = attrs["ssl_policy"]
        if attrs.get("certificate_arn"):
            extra["Certificates"] = [
                {"CertificateArn": _certificate(ctx, attrs["certificate_arn"])}
            ]
    tags = tag_list(tags_of(attrs))
    if tags:
        extra["Tags"] = tags
    listener = ctx.client(SERVICE).create_listener(
        LoadBalancerArn=ctx.id(attrs["load_balancer_arn"]),
        DefaultActions=[api_action(ctx, b) for b in attrs.get("default_action") or []],
        **extra,
    )["Listeners"][0]
    ctx.remember(attrs.get("arn"), listener["ListenerArn"])


def build_rule(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    """One ``aws_lb_listener_rule``."""
    extra: dict[str, Any] = {}
    tags = tag_list(tags_of(attrs))
    if tags:
        extra["Tags"] = tags
    rule = ctx.client(SERVICE).create_rule(
        ListenerArn=ctx.id(attrs["listener_arn"]),
        Priority=int(attrs["priority"]),
        Conditions=api_conditions(attrs.get("condition")),
        Actions=[api_action(ctx, b) for b in attrs.get("action") or []],
        **extra,
    )["Rules"][0]
    ctx.remember(attrs.get("arn"), rule["RuleArn"])
