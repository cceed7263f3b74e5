"""What the load-balancer types decide on their own: keys of actions and rules from both sides,
the TLS policy order, severities moto cannot produce, targets and prices."""

from __future__ import annotations

from typing import Any

import pytest

from driftctl.diff.compare import compare
from driftctl.diff.load_balancer_prices import LoadBalancerPrices, load_balancer_prices
from driftctl.diff.pricing import cost_delta
from driftctl.iac.instance import StateInstance
from driftctl.resources import SENSITIVE, ActualResource, ExpectedResource
from driftctl.types import elbv2, lb_listener, lb_target_group, load_balancer
from driftctl.types.spec import ApiCall, minimum_calls

REGION = "us-east-1"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef"
TG2 = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/canary/fedcba9876543210"


def _block(**fields: Any) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "authenticate_cognito": [],
        "authenticate_oidc": [],
        "fixed_response": [],
        "forward": [],
        "redirect": [],
        "target_group_arn": "",
        "order": 1,
    }
    return {**empty, **fields}


@pytest.mark.parametrize(
    ("state", "aws"),
    [
        (
            _block(type="forward", target_group_arn=TG),
            {
                "Type": "forward",
                "TargetGroupArn": TG,
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": TG, "Weight": 1}],
                    "TargetGroupStickinessConfig": {"Enabled": False},
                },
            },
        ),
        (
            _block(
                type="forward",
                forward=[
                    {
                        "target_group": [{"arn": TG, "weight": 90}, {"arn": TG2, "weight": 10}],
                        "stickiness": [{"enabled": True, "duration": 300}],
                    }
                ],
            ),
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": TG2, "Weight": 10},
                        {"TargetGroupArn": TG, "Weight": 90},
                    ],
                    "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 300},
                },
            },
        ),
        (
            _block(
                type="redirect",
                redirect=[
                    {
                        "host": "#{host}",
                        "path": "/#{path}",
                        "port": "443",
                        "protocol": "HTTPS",
                        "query": "#{query}",
                        "status_code": "HTTP_301",
                    }
                ],
            ),
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            },
        ),
        (
            _block(
                type="authenticate-oidc",
                authenticate_oidc=[
                    {
                        "issuer": "https://idp.example.com",
                        "client_id": "app",
                        "client_secret": "s3cr3t-value",
                    }
                ],
            ),
            {
                "Type": "authenticate-oidc",
                "AuthenticateOidcConfig": {
                    "Issuer": "https://idp.example.com",
                    "ClientId": "app",
                    "OnUnauthenticatedRequest": "authenticate",
                },
            },
        ),
    ],
    ids=["simple-forward", "weighted-forward", "redirect-defaults", "oidc"],
)
def test_an_action_has_the_same_key_from_terraform_and_from_aws(
    state: dict[str, Any], aws: dict[str, Any]
) -> None:
    key = elbv2.state_action(state)
    assert key == elbv2.aws_action(aws)
    assert "s3cr3t" not in key


def test_weights_and_fixed_responses_are_part_of_the_key() -> None:
    weighted = {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": TG, "Weight": 50},
                {"TargetGroupArn": TG2, "Weight": 50},
            ]
        },
    }
    assert elbv2.aws_action(weighted) == "forward:api=50,canary=50"
    fixed = {
        "Type": "fixed-response",
        "FixedResponseConfig": {"StatusCode": "503", "ContentType": "text/plain"},
    }
    assert elbv2.aws_action(fixed) == 'fixed-response:503 text/plain ""'


def test_rule_conditions_read_the_same_from_both_sides() -> None:
    state = [
        {"host_header": [{"values": ["b.example.com", "a.example.com"]}], "path_pattern": []},
        {"http_header": [{"http_header_name": "X-Env", "values": ["prod"]}]},
        {"query_string": [{"key": "v", "value": "2"}, {"key": "", "value": "beta"}]},
    ]
    aws = [
        {
            "Field": "host-header",
            "Values": ["a.example.com", "b.example.com"],
            "HostHeaderConfig": {"Values": ["a.example.com", "b.example.com"]},
        },
        {
            "Field": "http-header",
            "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "Values": ["prod"]},
        },
        {
            "Field": "query-string",
            "QueryStringConfig": {"Values": [{"Key": "v", "Value": "2"}, {"Value": "beta"}]},
        },
    ]
    expected = [
        "host-header=a.example.com,b.example.com",
        "http-header[X-Env]=prod",
        "query-string=beta,v=2",
    ]
    assert elbv2.state_conditions(state) == expected
    assert elbv2.aws_conditions(aws) == expected


@pytest.mark.parametrize(
    ("policy", "version"),
    [
        ("ELBSecurityPolicy-2016-08", (1, 0)),
        ("ELBSecurityPolicy-FS-2018-06", (1, 0)),
        ("ELBSecurityPolicy-TLS-1-1-2017-01", (1, 1)),
        ("ELBSecurityPolicy-FS-1-2-Res-2020-10", (1, 2)),
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", (1, 2)),
        ("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", (1, 3)),
        ("my-custom-policy", None),
    ],
)
def test_the_oldest_tls_version_of_a_policy_comes_from_its_name(
    policy: str, version: tuple[int, int] | None
) -> None:
    assert lb_listener.minimum_tls(policy) == version


def _finding(resource_type: str, expected: dict[str, Any], actual: dict[str, Any]) -> Any:
    rid = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:thing/x"
    result = compare(
        [ExpectedResource(resource_type, rid, expected, region=REGION)],
        [ActualResource(resource_type, rid, REGION, actual)],
        read_ok={(resource_type, REGION)},
        default_region=REGION,
    )
    [finding] = result.findings
    return finding


def test_an_internal_load_balancer_turned_internet_facing_is_critical() -> None:
    finding = _finding("LB", {"scheme": "internal"}, {"scheme": "internet-facing"})
    assert sorted(finding.difference) == ["scheme"]
    assert finding.severity.value == "critical"


def test_an_unmanaged_load_balancer_is_critical_only_when_internet_facing() -> None:
    assert load_balancer.SPEC.risky({"scheme": "internet-facing"})
    assert not load_balancer.SPEC.risky({"scheme": "internal"})


def test_a_network_listener_losing_tls_is_critical_and_a_policy_of_unknown_strength_is_not() -> (
    None
):
    downgraded = _finding("LB_LISTENER", {"protocol": "TLS"}, {"protocol": "TCP"})
    assert downgraded.severity.value == "critical"
    unknown = _finding(
        "LB_LISTENER", {"ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}, {"ssl_policy": "x"}
    )
    assert unknown.severity.value == "warning"


def test_an_http_listener_never_reports_the_ssl_policy_moto_gives_it() -> None:
    listener = {
        "ListenerArn": "arn:l",
        "Protocol": "HTTP",
        "Port": 80,
        "SslPolicy": "ELBSecurityPolicy-2016-08",
        "Certificates": [{"CertificateArn": "arn:c"}],
        "DefaultActions": [],
    }
    attributes = lb_listener.to_resource(listener, REGION, None).attributes  # type: ignore[arg-type]
    assert attributes["ssl_policy"] is None
    assert attributes["certificate_arn"] is None


def test_draining_targets_are_gone_and_rules_skip_the_default_one() -> None:
    group = {"TargetGroupArn": "arn:tg", "TargetType": "ip"}
    health = [
        {"Target": {"Id": "10.0.0.1", "Port": 80}, "TargetHealth": {"State": "healthy"}},
        {"Target": {"Id": "10.0.0.2", "Port": 80}, "TargetHealth": {"State": "draining"}},
    ]
    resource = lb_target_group.to_resource(group, REGION, None, [], health)  # type: ignore[arg-type]
    assert resource.attributes["targets"] == ["10.0.0.1"]
    rules = [
        {"Priority": "default", "IsDefault": True, "Conditions": [], "Actions": []},
        {
            "Priority": "7",
            "IsDefault": False,
            "Conditions": [{"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}],
            "Actions": [{"Type": "forward", "TargetGroupArn": TG}],
        },
    ]
    assert lb_listener.rule_keys(rules) == ["7: source-ip=10.0.0.0/8 -> forward:api"]  # type: ignore[arg-type]


def test_a_marked_client_secret_does_not_hide_the_actions_but_other_marks_do() -> None:
    block = _block(type="forward", target_group_arn=TG)
    secret = [
        {"type": "get_attr", "value": "default_action"},
        {"type": "index", "value": {"value": 0, "type": "number"}},
        {"type": "get_attr", "value": "authenticate_oidc"},
        {"type": "index", "value": {"value": 0, "type": "number"}},
        {"type": "get_attr", "value": "client_secret"},
    ]
    inst = StateInstance(
        {"attributes": {"default_action": [block]}, "sensitive_attributes": [secret]}, "test"
    )
    assert elbv2.state_actions(inst, "default_action") == ["forward:api"]
    whole = StateInstance(
        {
            "attributes": {"default_action": [block]},
            "sensitive_attributes": [[{"type": "get_attr", "value": "default_action"}]],
        },
        "test",
    )
    assert elbv2.state_actions(whole, "default_action") == SENSITIVE


def test_per_parent_calls_count_the_parents_or_their_pages() -> None:
    calls = (
        ApiCall("x:ListParents", per="parent", parent="owner", page_size=400),
        ApiCall("x:List", per="parent", parent="owner"),
        ApiCall("x:Get", per="resource"),
    )
    assert minimum_calls(calls, {REGION: 6}, parents={"owner": 3}) == {
        "x:ListParents": 1,
        "x:List": 3,
        "x:Get": 6,
    }
    assert minimum_calls(calls, {REGION: 0}) == {"x:ListParents": 1, "x:List": 0, "x:Get": 0}
    many = minimum_calls(calls, {REGION: 900}, parents={"owner": 450})
    assert many["x:ListParents"] == 2


def test_an_unmanaged_or_missing_load_balancer_costs_its_hourly_price() -> None:
    unmanaged = cost_delta("LB", REGION, "unmanaged", None, {"load_balancer_type": "application"})
    assert unmanaged.monthly_delta == 16.43  # 0.0225 x 730
    assert not unmanaged.unknown
    assert "capacity units excluded" in unmanaged.note
    missing = cost_delta("LB", "eu-west-1", "missing", {"load_balancer_type": "network"}, None)
    assert missing.monthly_delta == -18.4  # 0.0252 x 730
    modified = cost_delta("LB", REGION, "modified", {"idle_timeout": 60}, {"idle_timeout": 30})
    assert modified.monthly_delta == 0.0


def test_a_region_or_type_without_a_price_is_unknown_not_guessed() -> None:
    for region, kind in (("sa-east-1", "application"), ("eu-west-1", "gateway")):
        impact = cost_delta("LB", region, "unmanaged", None, {"load_balancer_type": kind})
        assert impact.unknown and impact.monthly_delta == 0.0
        assert f"unknown price for a {kind} load balancer in {region}" == impact.note


def test_the_load_balancer_price_table_names_its_source_and_refuses_bad_prices() -> None:
    table = load_balancer_prices()
    assert table.source and table.as_of
    assert table.hourly_price("network", REGION) == 0.0225
    with pytest.raises(ValueError, match="positive"):
        LoadBalancerPrices.from_dict(
            {"as_of": "2024-06-01", "source": "x", "currency": "USD", "hourly": {"a": {"r": 0}}}
        )
