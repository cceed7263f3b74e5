"""The scanner's boto3 session: credentials, one cached client per (service, region), call counts.

The standard credential chain applies (environment, profile, SSO, instance role); ``role_arn``
adds an STS AssumeRole on top of it. ``AWS_ENDPOINT_URL`` (and the per-service
``AWS_ENDPOINT_URL_<SERVICE>``) are resolved by botocore itself for every client created here,
which is how LocalStack or a moto server stand in for AWS.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    ParamValidationError,
    ProfileNotFound,
)
from botocore.parsers import ResponseParserError

from driftctl.errors import ExternalServiceError, ValidationError

if TYPE_CHECKING:
    from botocore.hooks import BaseEventHooks
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sts import STSClient

ROLE_SESSION_NAME = "driftctl"
# Used for account-wide calls (STS, IAM, region listing) when neither the plan nor the profile
# names a region.
FALLBACK_REGION = "us-east-1"

_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_MESSAGE_LIMIT = 300

SessionFactory = Callable[[], boto3.session.Session]


@dataclass(frozen=True)
class ClientSettings:
    """Retry and timeout settings applied to every client the scanner creates."""

    # Total requests per call, the first one included (botocore's ``total_max_attempts``).
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_pool_connections: int = 10

    def to_config(self) -> Config:
        """The botocore Config for these settings (adaptive retries: client-side rate limiting)."""
        return Config(
            retries={"mode": "adaptive", "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
            user_agent_extra="driftctl",
        )


class ApiCallCounter:
    """Counts AWS API requests per operation (``"ec2:DescribeInstances"``), thread-safe.

    What is counted is HTTP *attempts*, not logical calls: a call that botocore retried twice
    after throttling counts 3, and an attempt that failed to connect counts too. The hook sits
    on botocore's ``response-received`` event, which fires once per attempt. Calls stopped
    before sending (parameter validation, a ``before-call`` hook raising) are not counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def attach(self, events: BaseEventHooks) -> None:
        """Register on a session's event system; do it before that session creates clients."""
        events.register(
            "response-received", self._on_response, unique_id=f"driftctl-api-calls-{id(self)}"
        )

    def _on_response(self, event_name: str, **_: Any) -> None:
        # event_name is "response-received.<service-id>.<OperationName>".
        parts = event_name.split(".")
        key = f"{parts[1]}:{parts[2]}" if len(parts) >= 3 else event_name
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def snapshot(self) -> dict[str, int]:
        """The counts so far, sorted by operation."""
        with self._lock:
            return dict(sorted(self._counts.items()))

    @property
    def total(self) -> int:
        """All requests counted so far."""
        with self._lock:
            return sum(self._counts.values())


class AwsSession:
    """One account's boto3 session with lazily created, cached, thread-safe clients."""

    def __init__(
        self,
        session: boto3.session.Session,
        *,
        settings: ClientSettings | None = None,
        counter: ApiCallCounter | None = None,
        home_region: str | None = None,
    ) -> None:
        self._session = session
        self._home_region = home_region or session.region_name or FALLBACK_REGION
        self._config = (settings or ClientSettings()).to_config()
        self.counter = counter or ApiCallCounter()
        # Clients copy the session's handlers when they are created, so hook in first.
        self.counter.attach(session.events)
        # boto3 sessions are not thread-safe (clients are): create clients one at a time.
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._account_id: str | None = None

    @property
    def boto3_session(self) -> boto3.session.Session:
        return self._session

    @property
    def region_name(self) -> str | None:
        """The region of the profile or environment, if any."""
        return self._session.region_name

    @property
    def home_region(self) -> str:
        """The region used for account-wide calls (STS, IAM) and as the default region."""
        return self._home_region

    @property
    def api_calls(self) -> dict[str, int]:
        return self.counter.snapshot()

    @overload
    def client(self, service: Literal["ec2"], region: str | None = None) -> EC2Client: ...
    @overload
    def client(self, service: Literal["s3"], region: str | None = None) -> S3Client: ...
    @overload
    def client(self, service: Literal["rds"], region: str | None = None) -> RDSClient: ...
    @overload
    def client(self, service: Literal["iam"], region: str | None = None) -> IAMClient: ...
    @overload
    def client(self, service: Literal["sts"], region: str | None = None) -> STSClient: ...
    @overload
    def client(self, service: str, region: str | None = None) -> Any: ...

    def client(self, service: str, region: str | None = None) -> Any:
        """The client for ``service`` in ``region`` (default: the home region), created once."""
        key = (service, region or self.home_region)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                session: Any = self._session
                found = session.client(service, region_name=key[1], config=self._config)
                self._clients[key] = found
            return found

    def account_id(self) -> str:
        """The account the credentials belong to (STS GetCallerIdentity).

        Raises ExternalServiceError when credentials are missing or invalid or AWS is unreachable.
        """
        if self._account_id is None:
            try:
                self._account_id = self.client("sts").get_caller_identity()["Account"]
            except (BotoCoreError, ClientError) as exc:
                raise aws_failure("cannot identify the AWS account", exc) from None
        return self._account_id


class _AssumeRoleProvider(CredentialProvider):
    """Credentials from STS AssumeRole, fetched on first use and refreshed before they expire."""

    METHOD = "driftctl-assume-role"
    CANONICAL_NAME = "driftctl-assume-role"

    def __init__(self, fetch: Callable[[], dict[str, str]]) -> None:
        super().__init__()
        self._fetch = fetch

    def load(self) -> DeferredRefreshableCredentials:
        return DeferredRefreshableCredentials(refresh_using=self._fetch, method=self.METHOD)


def _assume_role_session(
    source: boto3.session.Session, role_arn: str, settings: ClientSettings, counter: ApiCallCounter
) -> boto3.session.Session:
    counter.attach(source.events)
    source_any: Any = source
    sts = source_any.client(
        "sts", region_name=source.region_name or FALLBACK_REGION, config=settings.to_config()
    )

    def fetch() -> dict[str, str]:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME)["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    target = botocore.session.get_session()
    # Keep the source profile's settings (region, endpoints, ...) but not its credentials.
    if source.profile_name in source.available_profiles:
        target.set_config_variable("profile", source.profile_name)
    target.register_component(
        "credential_provider", CredentialResolver(providers=[_AssumeRoleProvider(fetch)])
    )
    return boto3.session.Session(botocore_session=target, region_name=source.region_name)


def build_session(
    *,
    profile: str | None = None,
    region: str | None = None,
    role_arn: str | None = None,
    settings: ClientSettings | None = None,
    session_factory: SessionFactory | None = None,
) -> AwsSession:
    """A scanner session from a profile (or ``session_factory``), optionally assuming ``role_arn``.

    Raises ValidationError for an unknown profile or a malformed region. Credentials are not
    checked here: the first call (usually ``account_id``) raises ExternalServiceError if they
    are missing or rejected.
    """
    settings = settings or ClientSettings()
    if region is not None:
        check_region(region)
    if session_factory is not None:
        source = session_factory()
    else:
        try:
            source = boto3.session.Session(profile_name=profile, region_name=region)
        except ProfileNotFound:
            raise ValidationError(f"AWS profile {profile!r} not found") from None
    counter = ApiCallCounter()
    session = _assume_role_session(source, role_arn, settings, counter) if role_arn else source
    return AwsSession(session, settings=settings, counter=counter, home_region=region)


def check_region(region: str) -> None:
    """Raise ValidationError unless ``region`` looks like an AWS region name (``eu-west-1``)."""
    if not _REGION_RE.match(region):
        raise ValidationError(f"invalid AWS region {region!r} (expected a name like eu-west-1)")


def list_enabled_regions(session: AwsSession | boto3.session.Session) -> list[str]:
    """The regions enabled for the account (EC2 DescribeRegions), sorted.

    Raises ExternalServiceError when AWS cannot be reached or refuses the call.
    """
    aws = session if isinstance(session, AwsSession) else AwsSession(session)
    try:
        regions = aws.client("ec2").describe_regions()["Regions"]
    except (BotoCoreError, ClientError) as exc:
        raise aws_failure("cannot list the enabled AWS regions", exc) from None
    # DescribeRegions already omits disabled regions; the status check guards endpoints that
    # list every region (LocalStack, moto).
    return sorted(
        r["RegionName"]
        for r in regions
        if "RegionName" in r and r.get("OptInStatus") != "not-opted-in"
    )


def error_details(exc: BaseException) -> tuple[str, str]:
    """An AWS failure as (code, one-line message): the AWS error code or the exception's name."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code") or "ClientError")
    else:
        code = type(exc).__name__
    from driftctl.resources import scrub_error_text

    if isinstance(exc, ResponseParserError):
        # Its text is the whole raw response, which may echo tags and other values.
        return code, "AWS sent a response that could not be parsed"
    return code, scrub_error_text(str(exc), limit=_MESSAGE_LIMIT) or code


def aws_failure(what: str, exc: BaseException) -> ExternalServiceError | ValidationError:
    """Turn a botocore failure into the error a user sees: one line, no secrets."""
    code, message = error_details(exc)
    if isinstance(exc, ParamValidationError):
        return ValidationError(f"{what}: {message}", details={"code": code})
    if isinstance(exc, NoCredentialsError):
        message = (
            "no AWS credentials found (use --profile, AWS_PROFILE, AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, SSO or an instance role)"
        )
    return ExternalServiceError(f"{what}: {message}", details={"code": code})
