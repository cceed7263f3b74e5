"""No secret value reaches stdout, stderr, a report file or the database, whatever drifts.

The fixture holds a Lambda function with secret-looking environment variables (one marked
sensitive, one not), an SSM SecureString parameter and a Secrets Manager secret with its value;
the emulated account holds the same values, then new ones written behind Terraform's back, and
unmanaged copies of each kind.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from moto import mock_aws

from driftctl.demo import demo_environment
from driftctl.types.build import BuildContext, build_state, rewrite_ids
from driftctl.types.lambda_function import code_zip
from tests.conftest import run_cli
from tests.types.harness import FIXTURES, REGION

STATE_VALUES = (
    "hunter2-do-not-print",
    "tok-raw-Zq9v-never-print",
    "s3cr3t-Pa55w0rd-never-print",
    "sm-raw-Hx7k-never-print",
)
NEW_VALUES = ("console-Pw-4411-never-print", "console-tok-8Ke2-never-print")


def _drift_behind_terraforms_back(session: boto3.session.Session, role: str) -> None:
    fn = session.client("lambda", region_name=REGION)
    variables = fn.get_function(FunctionName="orders-api")["Configuration"]["Environment"]
    fn.update_function_configuration(
        FunctionName="orders-api",
        Timeout=99,
        Environment={
            "Variables": {
                **variables["Variables"],
                "DB_PASSWORD": NEW_VALUES[0],
                "X_TOKEN": NEW_VALUES[1],
            }
        },
    )
    fn.create_function(
        FunctionName="console-made",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code_zip()},
        Environment={"Variables": {"SECRET": NEW_VALUES[0], "api_token": NEW_VALUES[1]}},
    )
    ssm = session.client("ssm", region_name=REGION)
    ssm.put_parameter(
        Name="/orders/db/password", Value=NEW_VALUES[0], Type="SecureString", Overwrite=True
    )
    ssm.put_parameter(Name="/console/password", Value=NEW_VALUES[1], Type="SecureString")
    sm = session.client("secretsmanager", region_name=REGION)
    sm.put_secret_value(SecretId="orders/db-credentials", SecretString=NEW_VALUES[0])
    sm.update_secret(SecretId="orders/db-credentials", Description="edited")
    sm.create_secret(Name="console/secret", SecretString=NEW_VALUES[1])


def test_secret_values_never_leave_aws(tmp_path: Path) -> None:
    text = (FIXTURES / "secret_values.tfstate").read_text(encoding="utf-8")
    for value in STATE_VALUES:
        assert value in text
    db = tmp_path / "driftctl.db"
    with demo_environment(), mock_aws():
        session = boto3.session.Session(region_name=REGION)
        build = BuildContext(session, REGION)
        build_state(build, json.loads(text))
        state = tmp_path / "terraform.tfstate"
        state.write_text(rewrite_ids(text, build.ids), encoding="utf-8")
        role = session.client("iam").get_role(RoleName="orders-lambda")["Role"]["Arn"]
        ssm = session.client("ssm", region_name=REGION)
        # The emulated account really holds the values the scan must not copy.
        stored = ssm.get_parameter(Name="/orders/db/password", WithDecryption=True)
        assert stored["Parameter"]["Value"] == STATE_VALUES[2]
        _drift_behind_terraforms_back(session, role)

        common = ["--from", str(state), "--region", REGION]
        for name in ("LAMBDA_FUNCTION", "SSM_PARAMETER", "SECRETSMANAGER_SECRET"):
            common += ["--type", name]
        result = run_cli(["-v", "--db", f"sqlite:///{db}", "scan", *common, "-o", "json"])
        # Every other format, written to files by a second scan that stores nothing.
        reports = {
            fmt: tmp_path / f"report.{fmt}" for fmt in ("html", "sarif", "junit", "markdown")
        }
        again = run_cli(
            ["--db", f"sqlite:///{db}", "scan", *common, "--no-store", "-o", "console://"]
            + [arg for fmt, path in reports.items() for arg in ("-o", f"{fmt}://{path}")]
        )

    assert result.exit_code == 1, result.stderr[-3000:]
    drifts = {(d["resource_type"], d["drift_type"]) for d in result.json()["drifts"]}
    assert ("LAMBDA_FUNCTION", "modified") in drifts
    assert ("SSM_PARAMETER", "modified") in drifts
    assert ("SECRETSMANAGER_SECRET", "unmanaged") in drifts
    assert again.exit_code == 1, again.stderr[-3000:]
    written = [result.stdout, result.stderr, again.stdout, again.stderr]
    written += [path.read_text(encoding="utf-8") for path in reports.values()]
    stored_bytes = b"".join(p.read_bytes() for p in tmp_path.glob("driftctl.db*"))
    # The drifts were recorded, with the secret keys but not their values.
    assert b"X_TOKEN" in stored_bytes and b"(sensitive)" in stored_bytes
    for value in (*STATE_VALUES, *NEW_VALUES):
        for output in written:
            assert value not in output
        assert value.encode() not in stored_bytes
