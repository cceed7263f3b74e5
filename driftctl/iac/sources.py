"""Resolve ``--from`` sources (files, directories, globs, S3, HTTPS, baselines) into expected state.

The source forms follow the Go tool of the same name: a path (file, directory, glob) or
``tfstate://PATH``, ``tfstate+s3://BUCKET/KEY`` (KEY may be a glob), ``tfstate+https://URL``
(``tfstate+http://`` too, for local endpoints) and ``baseline://NAME``.
"""

from __future__ import annotations

import glob
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftctl.domain import GLOBAL_REGION
from driftctl.errors import DriftctlError, ExternalServiceError, ValidationError
from driftctl.iac.instance import Fragment
from driftctl.iac.terraform_state import (
    DEFAULT_MAX_BYTES,
    ParsedState,
    assemble,
    check_size,
    fragments_of,
    parse_state,
    read_state_file,
)
from driftctl.resources import ExpectedResource

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

HTTP_TIMEOUT_SECONDS = 30.0

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.DOTALL)
_GLOB_CHARS = re.compile(r"[*?\[]")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_SUPPORTED = (
    "a path, tfstate://PATH, tfstate+s3://BUCKET/KEY, tfstate+https://URL, "
    "tfstate+tfcloud://WORKSPACE_ID, baseline://NAME"
)
TFC_ENDPOINT = "https://app.terraform.io/api/v2"
_WORKSPACE_ID = re.compile(r"^ws-[A-Za-z0-9]{1,64}$")
# Below a directory, these hold Terraform's working files (``.terraform/terraform.tfstate`` is
# backend configuration, not state) or unrelated data.
_SKIPPED_DIRS = frozenset({".terraform", ".terragrunt-cache", ".git"})


@dataclass
class ExpectedState:
    """Everything the IaC sources declare, merged."""

    resources: list[ExpectedResource]  # sorted by key, one per resource
    origins: list[str]  # every state (or baseline) read, in reading order
    skipped_types: dict[str, int] = field(default_factory=dict)  # unsupported type -> instances
    regions: set[str] = field(default_factory=set)  # AWS regions the resources live in
    # Managed resource instances in the sources, of every Terraform type (compared or skipped).
    instance_count: int = 0
    # Identities of the sources read (``ParsedState.identity``), sorted, distinct.
    source_ids: list[str] = field(default_factory=list)

    @property
    def source_key(self) -> str:
        """A hash of the sources: drifts belong to the sources of the scan that found them."""
        import hashlib

        return hashlib.sha256("\n".join(sorted(set(self.source_ids))).encode()).hexdigest()

    @property
    def from_baseline(self) -> bool:
        """True when every source is a baseline (then no legacy drift is adopted)."""
        return bool(self.source_ids) and all(i.startswith("baseline:") for i in self.source_ids)

    @property
    def skipped_count(self) -> int:
        """Resource instances of Terraform types no registered type compares."""
        return sum(self.skipped_types.values())


def default_sources(cwd: Path) -> list[str]:
    """Sources used without ``--from``: ./terraform.tfstate; raises ValidationError if absent."""
    candidate = cwd / "terraform.tfstate"
    if not candidate.is_file():
        raise ValidationError("no --from given and no ./terraform.tfstate here")
    try:
        here = cwd.resolve() == Path.cwd().resolve()
    except OSError:
        here = False
    return ["./terraform.tfstate" if here else str(candidate)]


def load_expected(
    sources: list[str],
    *,
    headers: dict[str, str] | None = None,
    boto_session: Any | None = None,
    baseline_loader: Callable[[str], list[ExpectedResource]] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = HTTP_TIMEOUT_SECONDS,
    tfc_token: str | None = None,
    tfc_endpoint: str = TFC_ENDPOINT,
) -> ExpectedState:
    """Read every source and merge them into one expected state.

    Raises ValidationError for a bad source, a missing file/key or a file that is not a v4 state,
    and ExternalServiceError when S3 or an HTTP server cannot be reached or refuses access.
    """
    if not sources:
        raise ValidationError(f"no IaC source given; use {_SUPPORTED}")
    reader = _Reader(headers or {}, boto_session, baseline_loader, max_bytes, timeout)
    reader.tfc = (tfc_token, tfc_endpoint.rstrip("/"))
    for source in sources:
        reader.read(source)
    resources = assemble(reader.fragments, copy_values=False)
    return ExpectedState(
        resources=resources,
        origins=reader.origins,
        skipped_types=dict(sorted(reader.skipped.items())),
        regions={r.region for r in resources if r.region and r.region != GLOBAL_REGION},
        instance_count=reader.instance_count,
        source_ids=sorted(set(reader.source_ids)),
    )


class _Reader:
    """Reads sources one by one, each state at most once, collecting their fragments."""

    def __init__(
        self,
        headers: dict[str, str],
        boto_session: Any | None,
        baseline_loader: Callable[[str], list[ExpectedResource]] | None,
        max_bytes: int,
        timeout: float,
    ) -> None:
        _check_headers(headers)
        self.headers = headers
        self.boto_session = boto_session
        self.baseline_loader = baseline_loader
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.fragments: list[Fragment] = []
        self.origins: list[str] = []
        self.skipped: dict[str, int] = {}
        self.instance_count = 0
        self.source_ids: list[str] = []
        self._seen: set[str] = set()
        self._s3: S3Client | None = None
        # Terraform Cloud / Enterprise: (API token, API base URL).
        self.tfc: tuple[str | None, str] = (None, TFC_ENDPOINT)

    def read(self, source: str) -> None:
        source = source.strip()
        if not source:
            raise ValidationError(f"an empty IaC source was given; use {_SUPPORTED}")
        match = _SCHEME.match(source)
        if match is None:
            self._read_paths(source, source)
            return
        scheme, rest = match.group(1).lower(), match.group(2)
        if scheme == "tfstate":
            self._read_paths(rest, source)
        elif scheme == "tfstate+s3":
            self._read_s3(rest, source)
        elif scheme in ("tfstate+https", "tfstate+http"):
            self._read_http(scheme.removeprefix("tfstate+"), rest)
        elif scheme == "tfstate+tfcloud":
            self._read_tfcloud(rest)
        elif scheme == "baseline":
            self._read_baseline(rest)
        else:
            raise ValidationError(f"unknown IaC source scheme '{scheme}://'; use {_SUPPORTED}")

    def _add(self, state: ParsedState, identity: str) -> None:
        self._seen.add(identity)
        self.origins.append(state.origin)
        self.fragments.extend(state.fragments)
        self.instance_count += state.instance_count
        self.source_ids.append(state.identity or state.origin)
        for rtype, count in state.skipped_types.items():
            self.skipped[rtype] = self.skipped.get(rtype, 0) + count

    # -- local files -------------------------------------------------------------------------

    def _read_paths(self, spec: str, source: str) -> None:
        if not spec:
            raise ValidationError(f"{source}: no path given")
        path = Path(os.path.expanduser(spec))
        files: list[tuple[Path, str]]
        if path.is_dir():
            files = [(p, str(p)) for p in _tfstate_files(path)]
            if not files:
                raise ValidationError(f"{source}: no *.tfstate file in this directory")
        elif path.exists() or not _GLOB_CHARS.search(spec):
            # Keep the name the user gave ("./terraform.tfstate"); a missing file is reported by
            # read_state_file, naming it.
            files = [(path, spec)]
        else:
            matches = sorted(glob.glob(str(path), recursive=True))
            files = [(Path(p), p) for p in matches if Path(p).is_file()]
            if not files:
                raise ValidationError(f"{source}: the pattern matches no file")
        for file, origin in files:
            identity = _file_identity(file)
            if identity not in self._seen:
                parsed = read_state_file(file, max_bytes=self.max_bytes, origin=origin)
                self._add(parsed, identity)

    # -- S3 ----------------------------------------------------------------------------------

    def _read_s3(self, rest: str, source: str) -> None:
        bucket, _, key = rest.partition("/")
        if not bucket or not key:
            raise ValidationError(f"{source}: expected tfstate+s3://BUCKET/KEY")
        client = self._s3_client()
        keys = [key] if not _GLOB_CHARS.search(key) else self._s3_matching(client, bucket, key)
        for one in keys:
            origin = f"s3://{bucket}/{one}"
            if origin not in self._seen:
                raw = _s3_get(client, bucket, one, origin, self.max_bytes)
                self._add(parse_state(raw, origin), origin)

    def _s3_client(self) -> S3Client:
        if self._s3 is None:
            import boto3
            from botocore.config import Config

            session = self.boto_session or boto3.session.Session()
            config = Config(
                retries={"mode": "adaptive", "max_attempts": 5},
                connect_timeout=10,
                read_timeout=60,
            )
            try:
                self._s3 = session.client("s3", config=config)
            except Exception as exc:  # botocore raises several unrelated classes here
                raise _s3_error(exc, "S3") from None
        return self._s3

    def _s3_matching(self, client: S3Client, bucket: str, pattern: str) -> list[str]:
        wildcard = _GLOB_CHARS.search(pattern)
        prefix = pattern[: wildcard.start()] if wildcard else pattern
        where = f"s3://{bucket}/{pattern}"
        matcher = glob_regex(pattern)
        keys: list[str] = []
        try:
            for page in client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix
            ):
                for obj in page.get("Contents", []):
                    key = obj.get("Key", "")
                    if not key.endswith("/") and matcher.fullmatch(key):
                        keys.append(key)
        except Exception as exc:
            raise _s3_error(exc, where) from None
        if not keys:
            raise ValidationError(f"{where}: the pattern matches no object")
        return sorted(keys)

    # -- HTTP(S) -----------------------------------------------------------------------------

    def _read_http(self, scheme: str, rest: str) -> None:
        url = f"{scheme}://{rest}"
        parts = urllib.parse.urlsplit(url)
        if not parts.hostname:
            raise ValidationError(f"tfstate+{scheme}://{rest.split('?', 1)[0]}: no host in URL")
        # The origin is shown and stored: keep credentials in the userinfo or query out of it.
        netloc = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        origin = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        if url in self._seen:
            return
        raw = _http_get(url, origin, self.headers, self.timeout, self.max_bytes)
        self._add(parse_state(raw, origin), url)

    # -- Terraform Cloud / Enterprise --------------------------------------------------------

    def _read_tfcloud(self, workspace: str) -> None:
        """The workspace's current state version, through the API v2: its metadata names the
        download URL of the state itself."""
        origin = f"tfstate+tfcloud://{workspace}"
        if not _WORKSPACE_ID.match(workspace):
            raise ValidationError(
                f"{origin}: not a workspace id (ws-…; the workspace's settings page shows it)"
            )
        token, endpoint = self.tfc
        if not token:
            raise ValidationError(f"{origin}: needs an API token: --tfc-token or TFE_TOKEN")
        if origin in self._seen:
            return
        api = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.api+json"}
        meta_url = f"{endpoint}/workspaces/{workspace}/current-state-version"
        raw = _http_get(meta_url, origin, api, self.timeout, 1_000_000, what="workspace")
        try:
            attributes = json.loads(raw)["data"]["attributes"]
            download = attributes.get("hosted-state-download-url") or ""
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ExternalServiceError(
                f"{origin}: the API answered something that is not a state version"
            ) from None
        if not isinstance(download, str) or not download.startswith(("https://", "http://")):
            raise ValidationError(f"{origin}: the workspace has no state yet")
        # The token goes only where the API lives: the download URL is pre-signed elsewhere.
        same = _origin_of(download) == _origin_of(endpoint)
        raw = _http_get(
            download, origin, api if same else {}, self.timeout, self.max_bytes, what="state"
        )
        self._add(parse_state(raw, origin), origin)

    # -- baselines ---------------------------------------------------------------------------

    def _read_baseline(self, name: str) -> None:
        origin = f"baseline://{name}"
        if not name:
            raise ValidationError("baseline://NAME needs a baseline name")
        if self.baseline_loader is None:
            raise ValidationError(f"{origin}: baselines are not available here")
        if origin in self._seen:
            return
        state = ParsedState(origin=origin, identity=f"baseline:{name}")
        for resource in self.baseline_loader(name):
            state.fragments.extend(fragments_of(resource, origin))
            state.instance_count += 1
        self._add(state, origin)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A key glob as a regex, with local paths' rules: ``*`` and ``?`` stay within one
    ``/``-separated segment, ``**`` spans any number of segments (zero included), ``[...]`` is a
    character class."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def _tfstate_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIPPED_DIRS]
        found.extend(Path(dirpath, f) for f in filenames if f.endswith(".tfstate"))
    return sorted(found)


def _file_identity(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def _check_headers(headers: dict[str, str]) -> None:
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise ValidationError(f"invalid HTTP header name {name!r}")
        # Never echo the value: it is usually a token.
        if any(c in value for c in "\r\n\0"):
            raise ValidationError(f"HTTP header {name}: the value has a line break")


def _s3_get(client: S3Client, bucket: str, key: str, origin: str, max_bytes: int) -> bytes:
    try:
        response = client.get_object(Bucket=bucket, Key=key)
    except Exception as exc:
        raise _s3_error(exc, origin) from None
    body = response["Body"]
    try:
        length = response.get("ContentLength")
        if length is not None:
            check_size(origin, int(length), max_bytes)
        raw = body.read(max_bytes + 1)
        check_size(origin, len(raw), max_bytes)
        return raw
    except DriftctlError:
        raise
    except Exception as exc:
        raise _s3_error(exc, origin) from None
    finally:
        body.close()


def _s3_error(exc: Exception, where: str) -> DriftctlError:
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        NoCredentialsError,
        NoRegionError,
        ProfileNotFound,
    )

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("NoSuchKey", "404", "NotFound"):
            return ValidationError(f"{where}: no such object in the bucket")
        if code == "NoSuchBucket":
            return ValidationError(f"{where}: no such bucket")
        if status in (401, 403) or code in ("AccessDenied", "403", "AllAccessDisabled"):
            return ExternalServiceError(f"{where}: access denied by AWS ({code or status})")
        return ExternalServiceError(f"{where}: AWS refused the request ({code or status})")
    if isinstance(exc, NoCredentialsError):
        return ExternalServiceError(f"{where}: no AWS credentials found")
    if isinstance(exc, ProfileNotFound | NoRegionError):
        return ValidationError(f"{where}: {exc}")
    if isinstance(exc, ConnectionError):
        return ExternalServiceError(f"{where}: cannot reach S3 ({type(exc).__name__})")
    return ExternalServiceError(f"{where}: reading from S3 failed ({type(exc).__name__})")


class _SameOriginRedirect(urllib.request.HTTPRedirectHandler):
    """Follows redirects, re-sending the user's headers only to the origin they were meant for."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self._origin = _origin_of(url)
        self._headers = headers

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin_of(newurl) == self._origin:
            for name, value in self._headers.items():
                new.add_unredirected_header(name, value)
        return new


def _origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _http_get(
    url: str,
    origin: str,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
    *,
    what: str = "",
) -> bytes:
    request = urllib.request.Request(url, method="GET")
    if "Accept" not in headers:
        request.add_unredirected_header("Accept", "application/json")
    for name, value in headers.items():
        # Unredirected: urllib would otherwise forward them to whatever host a redirect names.
        request.add_unredirected_header(name, value)
    opener = urllib.request.build_opener(_SameOriginRedirect(url, headers))
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit():
                check_size(origin, int(length), max_bytes)
            raw: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (404, 410):
            if what == "workspace":
                raise ValidationError(
                    f"{origin}: workspace not found, or the token cannot read it (HTTP {exc.code})"
                ) from None
            raise ValidationError(f"{origin}: not found (HTTP {exc.code})") from None
        if exc.code in (401, 403):
            hint = "check --tfc-token / TFE_TOKEN" if what else "check the headers given"
            raise ExternalServiceError(
                f"{origin}: access denied (HTTP {exc.code}); {hint}"
            ) from None
        raise ExternalServiceError(f"{origin}: the server answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        detail = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
        raise ExternalServiceError(f"{origin}: cannot reach the server ({detail})") from None
    except TimeoutError:
        raise ExternalServiceError(f"{origin}: timed out after {timeout:g} s") from None
    except (OSError, ValueError) as exc:
        raise ExternalServiceError(f"{origin}: download failed ({type(exc).__name__})") from None
    check_size(origin, len(raw), max_bytes)
    return raw
