"""The conformance entry of every registered resource type: fixture, mutations, AWS-owned objects.

A new resource type adds its entry here (keyed by its resource_type) and its fixture under
``fixtures/``; ``test_conformance.py`` then checks it like every other type.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.types.harness import Account, Entry, Mutation

WORLD = "0.0.0.0/0"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def _tag(service: str, address: str, key: str = "Owner", value: str = "someone-else") -> Mutation:
    def apply(account: Account) -> None:
        rid = account.ids[address]
        client = account.client(service)
        if service == "ec2":
            client.create_tags(Resources=[rid], Tags=[{"Key": key, "Value": value}])
        elif service == "s3":
            tags = client.get_bucket_tagging(Bucket=rid)["TagSet"]
            tags = [t for t in tags if t["Key"] != key] + [{"Key": key, "Value": value}]
            client.put_bucket_tagging(Bucket=rid, Tagging={"TagSet": tags})
        elif service == "rds":
            arn = client.describe_db_instances(DBInstanceIdentifier=rid)["DBInstances"][0][
                "DBInstanceArn"
            ]
            client.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": key, "Value": value}])
        elif service == "iam":
            client.tag_role(RoleName=rid, Tags=[{"Key": key, "Value": value}])

    return Mutation(f"tag {key} changed", apply, address, f"tags.{key}", "info")


# -- EC2 ---------------------------------------------------------------------------------------

BASTION = "aws_instance.bastion"


def _resize(account: Account) -> None:
    account.client("ec2").modify_instance_attribute(
        InstanceId=account.ids[BASTION], InstanceType={"Value": "t3.large"}
    )


def _ebs_optimized(account: Account) -> None:
    account.client("ec2").modify_instance_attribute(
        InstanceId=account.ids[BASTION], EbsOptimized={"Value": True}
    )


def _imdsv1(account: Account) -> None:
    account.client("ec2").modify_instance_metadata_options(
        InstanceId=account.ids[BASTION], HttpTokens="optional"
    )


def _terminate_web_1(account: Account) -> None:
    account.client("ec2").terminate_instances(
        InstanceIds=[account.ids["module.app.aws_instance.web[1]"]]
    )


def _console_instance(account: Account) -> str:
    attrs = account.attributes(BASTION)
    return str(
        account.client("ec2").run_instances(
            ImageId=attrs["ami"], InstanceType="t3.nano", MinCount=1, MaxCount=1
        )["Instances"][0]["InstanceId"]
    )


EC2 = Entry(
    fixture="ec2.tfstate",
    mutations=(
        Mutation("resized", _resize, BASTION, "instance_type", "warning"),
        Mutation("EBS-optimized on", _ebs_optimized, BASTION, "ebs_optimized", "warning"),
        Mutation("IMDSv1 allowed", _imdsv1, BASTION, "metadata_options.http_tokens", "warning"),
        _tag("ec2", BASTION),
        Mutation(
            "terminated",
            _terminate_web_1,
            "module.app.aws_instance.web[1]",
            "",
            "warning",
            "missing",
        ),
        Mutation("launched in the console", _console_instance, None, "", "info", "unmanaged"),
    ),
)


# -- security groups ---------------------------------------------------------------------------

WEB_SG = "module.app.aws_security_group.web"


def _open_ssh(account: Account) -> None:
    account.client("ec2").authorize_security_group_ingress(
        GroupId=account.ids[WEB_SG],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": WORLD}]}
        ],
    )


def _close_https(account: Account) -> None:
    account.client("ec2").revoke_security_group_ingress(
        GroupId=account.ids[WEB_SG],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": WORLD}]}
        ],
    )


def _close_metrics(account: Account) -> None:
    account.client("ec2").revoke_security_group_ingress(
        GroupId=account.ids[WEB_SG],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 9100,
                "ToPort": 9100,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            }
        ],
    )


def _wizard_group(account: Account) -> str:
    ec2 = account.client("ec2")
    vpc = account.attributes(WEB_SG)["vpc_id"]
    group = ec2.create_security_group(GroupName="launch-wizard-1", Description="wizard", VpcId=vpc)
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": WORLD}]}
        ],
    )
    return str(group["GroupId"])


SECURITY_GROUP = Entry(
    fixture="security_group.tfstate",
    mutations=(
        Mutation(
            "SSH opened to the world", _open_ssh, WEB_SG, f"ingress[tcp:22:{WORLD}]", "critical"
        ),
        Mutation("HTTPS closed", _close_https, WEB_SG, f"ingress[tcp:443:{WORLD}]", "warning"),
        Mutation(
            "separate rule revoked",
            _close_metrics,
            WEB_SG,
            "ingress[tcp:9100:10.0.0.0/16]",
            "warning",
        ),
        _tag("ec2", WEB_SG),
        Mutation("RDP-open group", _wizard_group, None, "", "critical", "unmanaged"),
    ),
)


# -- S3 ----------------------------------------------------------------------------------------

ASSETS = "aws_s3_bucket.assets"
LOGS = "aws_s3_bucket.access_logs"


def _suspend(account: Account) -> None:
    account.client("s3").put_bucket_versioning(
        Bucket=account.ids[ASSETS], VersioningConfiguration={"Status": "Suspended"}
    )


def _unblock(account: Account) -> None:
    account.client("s3").delete_public_access_block(Bucket=account.ids[ASSETS])


def _public_policy(account: Account) -> None:
    bucket = account.ids[ASSETS]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    account.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def _sse_s3(account: Account) -> None:
    account.client("s3").put_bucket_encryption(
        Bucket=account.ids[ASSETS],
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def _delete_logs(account: Account) -> None:
    account.client("s3").delete_bucket(Bucket=account.ids[LOGS])


def _shadow_bucket(account: Account) -> str:
    account.client("s3").create_bucket(Bucket="conformance-shadow-copy")
    return "conformance-shadow-copy"


S3 = Entry(
    fixture="s3.tfstate",
    mutations=(
        Mutation("versioning suspended", _suspend, ASSETS, "versioning", "critical"),
        Mutation(
            "public access block removed",
            _unblock,
            ASSETS,
            "public_access_block.block_public_policy",
            "critical",
        ),
        Mutation("policy made public", _public_policy, ASSETS, "policy", "critical"),
        Mutation(
            "KMS encryption replaced by SSE-S3",
            _sse_s3,
            ASSETS,
            "server_side_encryption.sse_algorithm",
            "warning",
        ),
        _tag("s3", ASSETS),
        Mutation("deleted", _delete_logs, LOGS, "", "warning", "missing"),
        Mutation("unblocked bucket", _shadow_bucket, None, "", "critical", "unmanaged"),
    ),
)


# -- RDS ---------------------------------------------------------------------------------------

DB = "aws_db_instance.main"


def _modify_db(**changes: object) -> Callable[[Account], None]:
    def apply(account: Account) -> None:
        account.client("rds").modify_db_instance(
            DBInstanceIdentifier=account.ids[DB], ApplyImmediately=True, **changes
        )

    return apply


def _console_db(account: Account) -> str:
    account.client("rds").create_db_instance(
        DBInstanceIdentifier="conformance-scratch",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="scratch",
        MasterUserPassword="not-a-real-password-1",
        AllocatedStorage=20,
    )
    return "conformance-scratch"


RDS = Entry(
    fixture="rds.tfstate",
    mutations=(
        Mutation(
            "made public",
            _modify_db(PubliclyAccessible=True),
            DB,
            "publicly_accessible",
            "critical",
        ),
        Mutation(
            "deletion protection off",
            _modify_db(DeletionProtection=False),
            DB,
            "deletion_protection",
            "critical",
        ),
        Mutation(
            "resized", _modify_db(DBInstanceClass="db.t3.large"), DB, "instance_class", "warning"
        ),
        Mutation(
            "backups shortened",
            _modify_db(BackupRetentionPeriod=1),
            DB,
            "backup_retention_period",
            "warning",
        ),
        _tag("rds", DB),
        Mutation("created in the console", _console_db, None, "", "info", "unmanaged"),
    ),
)


# -- IAM roles ---------------------------------------------------------------------------------

AUDITOR = "aws_iam_role.auditor"
WEB_ROLE = "module.app.aws_iam_role.web"


def _attach_admin(account: Account) -> None:
    account.client("iam").attach_role_policy(RoleName=account.ids[WEB_ROLE], PolicyArn=ADMIN)


def _trust_anyone(account: Account) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    account.client("iam").update_assume_role_policy(
        RoleName=account.ids[AUDITOR], PolicyDocument=json.dumps(trust)
    )


def _inline_admin(account: Account) -> None:
    account.client("iam").put_role_policy(
        RoleName=account.ids[WEB_ROLE], PolicyName="break-glass", PolicyDocument=ALLOW_ALL
    )


def _longer_sessions(account: Account) -> None:
    account.client("iam").update_role(RoleName=account.ids[WEB_ROLE], MaxSessionDuration=7200)


def _console_role(account: Account) -> str:
    account.client("iam").create_role(
        RoleName="console-made",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    return "console-made"


def _service_linked(account: Account) -> list[str]:
    role = account.client("iam").create_service_linked_role(
        AWSServiceName="elasticloadbalancing.amazonaws.com"
    )["Role"]
    return [str(role["RoleName"])]


IAM_ROLE = Entry(
    fixture="iam_role.tfstate",
    managed_policies=True,
    mutations=(
        Mutation(
            "AdministratorAccess attached",
            _attach_admin,
            WEB_ROLE,
            f"managed_policy_arns[{ADMIN}]",
            "critical",
        ),
        Mutation("trust widened", _trust_anyone, AUDITOR, "assume_role_policy", "critical"),
        Mutation(
            "admin inline policy",
            _inline_admin,
            WEB_ROLE,
            "inline_policies.break-glass",
            "critical",
        ),
        Mutation("longer sessions", _longer_sessions, WEB_ROLE, "max_session_duration", "warning"),
        _tag("iam", AUDITOR),
        Mutation("created in the console", _console_role, None, "", "info", "unmanaged"),
    ),
    aws_owned=_service_linked,
)


ENTRIES: dict[str, Entry] = {
    "EC2": EC2,
    "SECURITY_GROUP": SECURITY_GROUP,
    "S3": S3,
    "RDS": RDS,
    "IAM_ROLE": IAM_ROLE,
}
