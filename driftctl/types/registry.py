"""The one list of resource types. Every other layer loops over it instead of naming types.

Adding a type: write its module next to this one (see README.md, "Adding a resource type"),
then add its ``SPEC`` to ``SPECS`` below. Order is display order (``driftctl types``, README).
"""

from __future__ import annotations

from collections.abc import Mapping

from driftctl.errors import ValidationError
from driftctl.types import (
    acm_certificate,
    api_gateway_method,
    api_gateway_resource,
    api_gateway_rest_api,
    api_gateway_stage,
    cloudwatch_event_rule,
    cloudwatch_event_target,
    cloudwatch_log_group,
    cloudwatch_metric_alarm,
    db_subnet_group,
    dynamodb_table,
    ec2,
    ec2_tag,
    ecr_repository,
    ecs_cluster,
    ecs_service,
    ecs_task_definition,
    eip,
    iam_access_key,
    iam_group,
    iam_instance_profile,
    iam_policy,
    iam_role,
    iam_user,
    internet_gateway,
    kms_alias,
    kms_key,
    lambda_function,
    lambda_permission,
    lb_listener,
    lb_target_group,
    load_balancer,
    nat_gateway,
    network_acl,
    rds,
    route53_record,
    route53_zone,
    route_table,
    s3,
    secretsmanager_secret,
    security_group,
    sns_subscription,
    sns_topic,
    sqs,
    ssm_parameter,
    subnet,
    vpc,
    vpc_endpoint,
)
from driftctl.types.build import Builder
from driftctl.types.spec import ResourceSpec, TerraformType

SPECS: tuple[ResourceSpec, ...] = (
    ec2.SPEC,
    security_group.SPEC,
    s3.SPEC,
    rds.SPEC,
    iam_role.SPEC,
    load_balancer.SPEC,
    lb_listener.SPEC,
    lb_target_group.SPEC,
    kms_key.SPEC,
    kms_alias.SPEC,
    cloudwatch_event_rule.SPEC,
    cloudwatch_event_target.SPEC,
    iam_policy.SPEC,
    iam_user.SPEC,
    iam_group.SPEC,
    iam_instance_profile.SPEC,
    lambda_function.SPEC,
    lambda_permission.SPEC,
    ssm_parameter.SPEC,
    secretsmanager_secret.SPEC,
    acm_certificate.SPEC,
    route53_zone.SPEC,
    route53_record.SPEC,
    cloudwatch_metric_alarm.SPEC,
    dynamodb_table.SPEC,
    ecr_repository.SPEC,
    sqs.SPEC,
    sns_topic.SPEC,
    sns_subscription.SPEC,
    cloudwatch_log_group.SPEC,
    vpc.SPEC,
    subnet.SPEC,
    internet_gateway.SPEC,
    route_table.SPEC,
    db_subnet_group.SPEC,
    ecs_cluster.SPEC,
    ecs_task_definition.SPEC,
    ecs_service.SPEC,
    nat_gateway.SPEC,
    eip.SPEC,
    network_acl.SPEC,
    vpc_endpoint.SPEC,
    iam_access_key.SPEC,
    ec2_tag.SPEC,
    api_gateway_rest_api.SPEC,
    api_gateway_stage.SPEC,
    api_gateway_resource.SPEC,
    api_gateway_method.SPEC,
)


def _index() -> tuple[
    dict[str, ResourceSpec], dict[str, tuple[ResourceSpec, TerraformType]], dict[str, Builder]
]:
    by_name: dict[str, ResourceSpec] = {}
    by_terraform: dict[str, tuple[ResourceSpec, TerraformType]] = {}
    builders: dict[str, Builder] = {}
    for spec in SPECS:
        if spec.resource_type in by_name:
            raise ValueError(f"resource type {spec.resource_type} is registered twice")
        by_name[spec.resource_type] = spec
        for tf in spec.terraform:
            if tf.name in by_terraform:
                raise ValueError(f"Terraform type {tf.name} is read by two resource types")
            by_terraform[tf.name] = (spec, tf)
        for tf_name, builder in spec.builders.items():
            if tf_name in builders:
                raise ValueError(f"Terraform type {tf_name} has two builders")
            builders[tf_name] = builder
    return by_name, by_terraform, builders


_BY_NAME, _BY_TERRAFORM, _BUILDERS = _index()


def names() -> tuple[str, ...]:
    """Every registered resource type name (``EC2``, ``IAM_ROLE``…), in display order."""
    return tuple(_BY_NAME)


def get(resource_type: str) -> ResourceSpec | None:
    """The spec of a resource type name, or None when it is not registered."""
    return _BY_NAME.get(resource_type)


def terraform_type(name: str) -> tuple[ResourceSpec, TerraformType] | None:
    """The resource type reading a Terraform type (``aws_s3_bucket_versioning`` -> S3)."""
    return _BY_TERRAFORM.get(name)


def terraform_names() -> Mapping[str, str]:
    """Terraform type -> resource type name, for every Terraform type read."""
    return {tf: spec.resource_type for tf, (spec, _) in _BY_TERRAFORM.items()}


def builders() -> Mapping[str, Builder]:
    """Terraform type -> the builder that creates it in an emulated account."""
    return _BUILDERS


def resolve(text: str) -> ResourceSpec:
    """A resource type from what a user typed: ``EC2``, ``ec2`` or a Terraform type.

    Raises ValidationError naming the known types (and the closest one) otherwise.
    """
    value = text.strip()
    spec = _BY_NAME.get(value.upper())
    if spec is not None:
        return spec
    found = _BY_TERRAFORM.get(value.lower())
    if found is not None:
        return found[0]
    import difflib

    candidates = [*_BY_NAME, *_BY_TERRAFORM]
    close = difflib.get_close_matches(value.upper(), list(_BY_NAME), n=1) or (
        difflib.get_close_matches(value.lower(), list(_BY_TERRAFORM), n=1)
    )
    hint = f"; did you mean {close[0]}?" if close else ""
    raise ValidationError(
        f"unknown resource type {value!r}{hint} (`driftctl types` lists the "
        f"{len(_BY_NAME)} types; a Terraform type such as aws_instance works too)",
        details={"known": candidates},
    )
