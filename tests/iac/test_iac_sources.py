"""Resolving --from sources: paths, directories, globs, S3, HTTP(S) and baselines."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from driftctl.errors import ExternalServiceError, ValidationError
from driftctl.iac.sources import ExpectedState, default_sources, load_expected
from driftctl.resources import ExpectedResource

if TYPE_CHECKING:
    from conftest import FakeHttp, StateFactory

WritePath = Callable[..., Path]
TOKEN = "glpat-Zx9vQ2mN8kR4tY6uW1eA"


def ids(state: ExpectedState) -> list[str]:
    return [r.resource_id for r in state.resources]


def one_line(error: pytest.ExceptionInfo[Any]) -> str:
    message: str = error.value.message
    assert "\n" not in message
    return message


# -- local paths -----------------------------------------------------------------------------


def test_a_file(data_dir: Path) -> None:
    state = load_expected([str(data_dir / "aws_ec2_instance.tfstate")])
    assert ids(state) == ["i-0d3650a23f4e45dc0"]
    assert state.origins == [str(data_dir / "aws_ec2_instance.tfstate")]
    assert state.regions == {"eu-west-3"}
    assert state.skipped_types == {}


def test_tfstate_scheme_is_a_path(data_dir: Path) -> None:
    state = load_expected([f"tfstate://{data_dir}/aws_db_instance.tfstate"])
    assert ids(state) == ["terraform-20201015115018309600000001"]


def test_a_directory_is_read_recursively_and_sorted(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "prod" / "network").mkdir(parents=True)
    (tmp_path / "prod" / ".terraform").mkdir()
    shutil.copy(data_dir / "aws_ec2_instance.tfstate", tmp_path / "prod" / "b.tfstate")
    shutil.copy(
        data_dir / "aws_vpc_security_group.tfstate", tmp_path / "prod" / "network" / "a.tfstate"
    )
    shutil.copy(data_dir / "aws_db_instance.tfstate", tmp_path / "a.tfstate")
    (tmp_path / "prod" / "b.tfstate.backup").write_text("not read")
    # Terraform's backend settings (a version-3 file): never mistaken for a state
    (tmp_path / "prod" / ".terraform" / "terraform.tfstate").write_text('{"version": 3}')
    state = load_expected([str(tmp_path)])
    assert state.origins == [
        str(tmp_path / "a.tfstate"),
        str(tmp_path / "prod" / "b.tfstate"),
        str(tmp_path / "prod" / "network" / "a.tfstate"),
    ]
    assert sorted(r.resource_type for r in state.resources) == [
        "EC2",
        "RDS",
        "SECURITY_GROUP",
        "SECURITY_GROUP",
    ]


def test_the_whole_fixture_directory(data_dir: Path) -> None:
    state = load_expected([str(data_dir)])
    assert len(state.origins) == len(list(data_dir.glob("*.tfstate")))
    assert [r.key for r in state.resources] == sorted(r.key for r in state.resources)
    assert state.regions == {"eu-west-3", "us-east-1", "us-west-2"}  # never "global"
    assert "aws_s3_bucket_metric" not in state.skipped_types  # merged into its bucket
    assert state.skipped_types["random_id"] == 1
    # sg-0254c038e32f25530 is in two files: the group and its separate rules
    group = next(r for r in state.resources if r.resource_id == "sg-0254c038e32f25530")
    assert group.attributes["name"] == "foo"
    assert "tcp:0:pl-abb451c2" in group.attributes["ingress"]
    assert group.sources == [
        f"{data_dir}/aws_vpc_security_group.tfstate#aws_security_group.test-sg"
    ]


def test_a_glob(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "states" / "eu").mkdir(parents=True)
    shutil.copy(data_dir / "aws_ec2_instance.tfstate", tmp_path / "states" / "eu" / "x.tfstate")
    shutil.copy(data_dir / "aws_db_instance.tfstate", tmp_path / "states" / "y.tfstate")
    shutil.copy(data_dir / "aws_db_instance.tfstate", tmp_path / "states" / "y.json")
    monkeypatch.chdir(tmp_path)
    state = load_expected(["states/**/*.tfstate"])
    assert state.origins == ["states/eu/x.tfstate", "states/y.tfstate"]
    assert state.resources[0].sources == ["states/eu/x.tfstate#aws_instance.test"]
    assert load_expected(["tfstate://states/*/x.tfstate"]).origins == ["states/eu/x.tfstate"]


def test_the_same_file_twice_is_read_once(data_dir: Path) -> None:
    file = data_dir / "aws_ec2_instance.tfstate"
    state = load_expected([str(file), str(data_dir / "." / file.name), f"tfstate://{file}"])
    assert state.origins == [str(file)]
    assert state.resources[0].sources == [f"{file}#aws_instance.test"]


def test_a_resource_claimed_by_two_states(
    write_state: WritePath, states: type[StateFactory]
) -> None:
    shared = states.instance("i-0abc1234def567890", name="app")
    first = write_state("team-a.tfstate", states.doc(shared))
    second = write_state(
        "team-b.tfstate", states.doc(states.instance("i-0abc1234def567890", name="web"))
    )
    only_b = write_state("team-c.tfstate", states.doc(states.instance("i-0fff0000aaaa11112")))
    state = load_expected([str(first), str(second), str(only_b)])
    assert ids(state) == ["i-0abc1234def567890", "i-0fff0000aaaa11112"]
    assert state.resources[0].sources == [
        f"{first}#aws_instance.app",
        f"{second}#aws_instance.web",
    ]
    assert state.origins == [str(first), str(second), str(only_b)]


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("missing.tfstate", "missing.tfstate: no such file"),
        ("tfstate://missing.tfstate", "missing.tfstate: no such file"),
        ("states/**/*.tfstate", "matches no file"),
        ("empty-dir", "no *.tfstate file"),
        ("ftp://example.com/x.tfstate", "unknown IaC source scheme 'ftp://'"),
        ("tfstate+gcs://bucket/x.tfstate", "unknown IaC source scheme"),
        ("tfstate://", "no path given"),
        ("   ", "empty IaC source"),
        ("baseline://prod", "baselines are not available"),
        ("baseline://", "needs a baseline name"),
        ("tfstate+s3://only-a-bucket", "expected tfstate+s3://BUCKET/KEY"),
    ],
)
def test_bad_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, hint: str
) -> None:
    (tmp_path / "empty-dir").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError) as error:
        load_expected([source])
    assert hint in one_line(error)


def test_no_sources_at_all() -> None:
    with pytest.raises(ValidationError, match="no IaC source given"):
        load_expected([])


def test_a_bad_file_among_good_ones_fails_the_load(write_state: WritePath, data_dir: Path) -> None:
    bad = write_state("v3.tfstate", {"version": 3, "modules": []})
    with pytest.raises(ValidationError, match="version 3"):
        load_expected([str(data_dir / "aws_ec2_instance.tfstate"), str(bad)])


def test_size_limit_applies(data_dir: Path) -> None:
    with pytest.raises(ValidationError, match="limit"):
        load_expected([str(data_dir / "aws_s3_full.tfstate")], max_bytes=1024)


# -- default source --------------------------------------------------------------------------


def test_default_source_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    shutil.copy(data_dir / "aws_ec2_instance.tfstate", tmp_path / "terraform.tfstate")
    monkeypatch.chdir(tmp_path)
    assert default_sources(tmp_path) == ["./terraform.tfstate"]
    state = load_expected(default_sources(tmp_path))
    assert state.resources[0].sources == ["./terraform.tfstate#aws_instance.test"]


def test_default_source_elsewhere_is_a_full_path(tmp_path: Path, data_dir: Path) -> None:
    shutil.copy(data_dir / "aws_ec2_instance.tfstate", tmp_path / "terraform.tfstate")
    assert default_sources(tmp_path) == [str(tmp_path / "terraform.tfstate")]


def test_no_default_source(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"no --from given and no \./terraform\.tfstate"):
        default_sources(tmp_path)


# -- baselines -------------------------------------------------------------------------------


def test_baseline_merges_with_states(data_dir: Path) -> None:
    captured = ExpectedResource(
        resource_type="EC2",
        resource_id="i-0d3650a23f4e45dc0",
        attributes={"instance_type": "t3.nano", "tags": {"Name": "x"}},
        region="eu-west-3",
    )
    unmanaged = ExpectedResource(
        resource_type="S3", resource_id="acme-scratch", attributes={}, region="us-east-2"
    )
    asked: list[str] = []

    def loader(name: str) -> list[ExpectedResource]:
        asked.append(name)
        return [captured, unmanaged]

    state = load_expected(
        [str(data_dir / "aws_ec2_instance.tfstate"), "baseline://prod-2024-06"],
        baseline_loader=loader,
    )
    assert asked == ["prod-2024-06"]
    assert state.origins[-1] == "baseline://prod-2024-06"
    assert state.regions == {"eu-west-3", "us-east-2"}
    instance, bucket = sorted(state.resources, key=lambda r: r.resource_type)
    assert instance.sources == [
        f"{data_dir}/aws_ec2_instance.tfstate#aws_instance.test",
        "baseline://prod-2024-06",
    ]
    assert bucket.sources == ["baseline://prod-2024-06"]


# -- S3 backend ------------------------------------------------------------------------------


def _put_states(session: boto3.session.Session, data_dir: Path) -> None:
    s3 = session.client("s3")
    s3.create_bucket(Bucket="acme-tfstate")
    s3.put_object(
        Bucket="acme-tfstate",
        Key="env/prod/network/terraform.tfstate",
        Body=(data_dir / "aws_vpc_security_group.tfstate").read_bytes(),
    )
    s3.put_object(
        Bucket="acme-tfstate",
        Key="env/prod/app/terraform.tfstate",
        Body=(data_dir / "aws_ec2_instance.tfstate").read_bytes(),
    )
    s3.put_object(
        Bucket="acme-tfstate",
        Key="env/staging/app/terraform.tfstate",
        Body=(data_dir / "aws_db_instance.tfstate").read_bytes(),
    )
    s3.put_object(Bucket="acme-tfstate", Key="env/prod/app/notes.txt", Body=b"not a state")


def test_s3_one_key(s3_session: boto3.session.Session, data_dir: Path) -> None:
    _put_states(s3_session, data_dir)
    state = load_expected(
        ["tfstate+s3://acme-tfstate/env/prod/app/terraform.tfstate"], boto_session=s3_session
    )
    assert ids(state) == ["i-0d3650a23f4e45dc0"]
    assert state.origins == ["s3://acme-tfstate/env/prod/app/terraform.tfstate"]
    assert state.resources[0].sources == [
        "s3://acme-tfstate/env/prod/app/terraform.tfstate#aws_instance.test"
    ]


def test_s3_glob_key(s3_session: boto3.session.Session, data_dir: Path) -> None:
    _put_states(s3_session, data_dir)
    state = load_expected(
        ["tfstate+s3://acme-tfstate/env/prod/**/*.tfstate"], boto_session=s3_session
    )
    assert state.origins == [
        "s3://acme-tfstate/env/prod/app/terraform.tfstate",
        "s3://acme-tfstate/env/prod/network/terraform.tfstate",
    ]
    assert sorted(ids(state)) == ["i-0d3650a23f4e45dc0", "sg-0254c038e32f25530", "sg-9e0204ff"]


@pytest.mark.parametrize(
    ("pattern", "matched"),
    [
        # "**" spans any number of segments, zero included; "*" stays within one.
        (
            "env/**/*.tfstate",
            [
                "env/prod.tfstate",
                "env/prod/app/terraform.tfstate",
                "env/prod/network/terraform.tfstate",
                "env/staging/app/terraform.tfstate",
            ],
        ),
        ("env/*.tfstate", ["env/prod.tfstate"]),
        ("env/prod/*.tfstate", None),
        (
            "env/*/app/terraform.tfstate",
            ["env/prod/app/terraform.tfstate", "env/staging/app/terraform.tfstate"],
        ),
        (
            "env/[ps]*/app/*.tfstate",
            ["env/prod/app/terraform.tfstate", "env/staging/app/terraform.tfstate"],
        ),
        ("env/pro?.tfstate", ["env/prod.tfstate"]),
    ],
)
def test_s3_keys_glob_like_local_paths(
    s3_session: boto3.session.Session,
    data_dir: Path,
    tmp_path: Path,
    pattern: str,
    matched: list[str] | None,
) -> None:
    _put_states(s3_session, data_dir)
    body = (data_dir / "aws_ec2_instance.tfstate").read_bytes()
    s3_session.client("s3").put_object(Bucket="acme-tfstate", Key="env/prod.tfstate", Body=body)
    # The same tree on disk, read through a local glob, selects the same files.
    for key in (
        "env/prod.tfstate",
        "env/prod/app/terraform.tfstate",
        "env/prod/network/terraform.tfstate",
        "env/staging/app/terraform.tfstate",
    ):
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(body)
    local = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob(pattern) if p.is_file())
    if matched is None:
        assert local == []
        with pytest.raises(ValidationError, match="matches no object"):
            load_expected([f"tfstate+s3://acme-tfstate/{pattern}"], boto_session=s3_session)
        return
    state = load_expected([f"tfstate+s3://acme-tfstate/{pattern}"], boto_session=s3_session)
    assert state.origins == [f"s3://acme-tfstate/{key}" for key in matched]
    assert local == matched


def test_s3_uses_the_default_session_and_its_credentials(
    s3_session: boto3.session.Session, data_dir: Path
) -> None:
    _put_states(s3_session, data_dir)
    state = load_expected(["tfstate+s3://acme-tfstate/env/*/app/terraform.tfstate"])
    assert len(state.origins) == 2


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("tfstate+s3://acme-tfstate/env/prod/missing.tfstate", "no such object"),
        ("tfstate+s3://acme-nonexistent/terraform.tfstate", "no such bucket"),
        ("tfstate+s3://acme-tfstate/env/dev/*.tfstate", "matches no object"),
        ("tfstate+s3://acme-tfstate/env/prod/app/notes.txt", "invalid JSON"),
    ],
)
def test_s3_bad_keys_are_validation_errors(
    s3_session: boto3.session.Session, data_dir: Path, source: str, hint: str
) -> None:
    _put_states(s3_session, data_dir)
    with pytest.raises(ValidationError) as error:
        load_expected([source], boto_session=s3_session)
    assert hint in one_line(error)
    assert "s3://acme-" in one_line(error)


def test_s3_size_limit(s3_session: boto3.session.Session, data_dir: Path) -> None:
    _put_states(s3_session, data_dir)
    with pytest.raises(ValidationError, match="limit"):
        load_expected(
            ["tfstate+s3://acme-tfstate/env/prod/app/terraform.tfstate"],
            boto_session=s3_session,
            max_bytes=1000,
        )


class _FakeSession:
    """Hands out one prepared client, as a boto3 session would."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str, **_: Any) -> Any:
        assert service == "s3"
        return self._client


def test_s3_access_denied(aws_credentials: None) -> None:
    client = boto3.session.Session(region_name="us-east-1").client("s3")
    with Stubber(client) as stub:
        stub.add_client_error("get_object", service_error_code="AccessDenied", http_status_code=403)
        with pytest.raises(ExternalServiceError) as error:
            load_expected(
                ["tfstate+s3://acme-tfstate/prod.tfstate"], boto_session=_FakeSession(client)
            )
    assert one_line(error) == "s3://acme-tfstate/prod.tfstate: access denied by AWS (AccessDenied)"
    assert "testing" not in error.value.message


def test_s3_unreachable() -> None:
    class Unreachable:
        def get_object(self, **_: Any) -> Any:
            raise EndpointConnectionError(endpoint_url="https://s3.us-east-1.amazonaws.com")

    with pytest.raises(ExternalServiceError) as error:
        load_expected(
            ["tfstate+s3://acme-tfstate/prod.tfstate"], boto_session=_FakeSession(Unreachable())
        )
    assert "cannot reach S3" in one_line(error)


# -- HTTP(S) ---------------------------------------------------------------------------------


def test_http_with_headers(http_server: FakeHttp, data_dir: Path) -> None:
    http_server.serve("/states/prod.tfstate", (data_dir / "aws_ec2_instance.tfstate").read_bytes())
    base = http_server.host
    state = load_expected(
        [f"tfstate+http://{base}/states/prod.tfstate?private_token={TOKEN}"],
        headers={"Authorization": f"Bearer {TOKEN}", "X-Team": "platform"},
    )
    assert ids(state) == ["i-0d3650a23f4e45dc0"]
    [(path, headers)] = http_server.requests
    assert path == f"/states/prod.tfstate?private_token={TOKEN}"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["x-team"] == "platform"
    # the query string may carry a token: it is kept out of what is stored and shown
    assert state.origins == [f"{http_server.base_url}/states/prod.tfstate"]
    assert TOKEN not in repr(state)


def test_http_not_found(http_server: FakeHttp) -> None:
    base = http_server.host
    with pytest.raises(ValidationError) as error:
        load_expected([f"tfstate+http://{base}/nope.tfstate"])
    assert one_line(error) == f"{http_server.base_url}/nope.tfstate: not found (HTTP 404)"


@pytest.mark.parametrize("status", [401, 403])
def test_http_denied_never_shows_the_header(http_server: FakeHttp, status: int) -> None:
    http_server.serve("/prod.tfstate", b"denied", status)
    base = http_server.host
    with pytest.raises(ExternalServiceError) as error:
        load_expected(
            [f"tfstate+http://{base}/prod.tfstate"], headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert f"access denied (HTTP {status})" in one_line(error)
    assert TOKEN not in error.value.message and TOKEN not in repr(error.value.details)


def test_http_server_error(http_server: FakeHttp) -> None:
    http_server.serve("/prod.tfstate", b"oops", 502)
    base = http_server.host
    with pytest.raises(ExternalServiceError, match="answered HTTP 502"):
        load_expected([f"tfstate+http://{base}/prod.tfstate"])


def test_http_unreachable(closed_port: int) -> None:
    with pytest.raises(ExternalServiceError) as error:
        load_expected([f"tfstate+http://127.0.0.1:{closed_port}/prod.tfstate"])
    assert "cannot reach the server" in one_line(error)


def test_http_body_over_the_limit(http_server: FakeHttp, data_dir: Path) -> None:
    http_server.serve("/big.tfstate", (data_dir / "aws_s3_full.tfstate").read_bytes())
    base = http_server.host
    with pytest.raises(ValidationError, match="limit"):
        load_expected([f"tfstate+http://{base}/big.tfstate"], max_bytes=2048)


def test_http_not_a_state(http_server: FakeHttp) -> None:
    http_server.serve("/login", b"<html>Sign in</html>")
    base = http_server.host
    with pytest.raises(ValidationError) as error:
        load_expected([f"tfstate+http://{base}/login"])
    assert one_line(error).startswith(f"{http_server.base_url}/login: invalid JSON")


def test_redirect_keeps_headers_on_the_same_origin_only(
    http_server: FakeHttp, other_http_server: FakeHttp, data_dir: Path
) -> None:
    body = (data_dir / "aws_ec2_instance.tfstate").read_bytes()
    http_server.serve("/old.tfstate", b"", 302, Location="/new.tfstate")
    http_server.serve("/new.tfstate", body)
    http_server.serve("/away.tfstate", b"", 302, Location=f"{other_http_server.base_url}/s")
    other_http_server.serve("/s", body)
    base = http_server.host
    auth = {"Authorization": f"Bearer {TOKEN}"}

    load_expected([f"tfstate+http://{base}/old.tfstate"], headers=auth)
    assert [h.get("authorization") for _, h in http_server.requests] == [f"Bearer {TOKEN}"] * 2

    load_expected([f"tfstate+http://{base}/away.tfstate"], headers=auth)
    [(_, elsewhere)] = other_http_server.requests
    assert "authorization" not in elsewhere


@pytest.mark.parametrize(
    ("headers", "hint"),
    [
        ({"Bad Name": "x"}, "invalid HTTP header name"),
        ({"X-Token": f"{TOKEN}\r\nInjected: yes"}, "X-Token: the value has a line break"),
    ],
)
def test_bad_headers(headers: dict[str, str], hint: str) -> None:
    with pytest.raises(ValidationError) as error:
        load_expected(["tfstate+https://example.com/x.tfstate"], headers=headers)
    assert hint in one_line(error)
    assert TOKEN not in error.value.message


def test_https_scheme_is_accepted(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    seen: list[str] = []
    body = (data_dir / "aws_ec2_instance.tfstate").read_bytes()

    class Response:
        def __init__(self) -> None:
            self.headers: dict[str, str] = {}

        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def read(self, limit: int) -> bytes:
            return body[:limit]

    class Opener:
        def open(self, request: Any, timeout: float) -> Response:
            seen.append(request.full_url)
            return Response()

    monkeypatch.setattr("urllib.request.build_opener", lambda *handlers: Opener())
    state = load_expected(["tfstate+https://states.example.com/prod/terraform.tfstate"])
    assert seen == ["https://states.example.com/prod/terraform.tfstate"]
    assert state.origins == ["https://states.example.com/prod/terraform.tfstate"]


def test_state_json_roundtrip_has_no_secret(data_dir: Path) -> None:
    state = load_expected([str(data_dir / "tf1x_sensitive_iam_opentofu.tfstate")])
    dumped = json.dumps([r.attributes for r in state.resources])
    assert "S3cr3t-Pa55w0rd!" not in dumped and "tok_live_51Hc9a" not in dumped
