"""The normalised resource model shared by the IaC readers, the AWS scanner and the comparer.

Both sides of a comparison describe a resource with the same canonical attribute dictionary, so
the comparer never needs to know where a value came from. Each resource type's canonical form is
its attribute schema (``SCHEMA`` in its module under ``driftctl/types/``; ``driftctl types
--attributes`` prints them), and its resource_id is what the module's ``id_doc`` says.

The expected side carries only the keys its source actually sets: a key that is absent (or None)
means "IaC does not manage this", and the comparer ignores it. Values marked sensitive are the
string ``SENSITIVE`` and are never compared, stored or printed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SENSITIVE = "(sensitive)"

SECRET_NAME_PARTS = ("password", "secret", "token", "private_key", "access_key", "credentials")


def looks_secret(name: str) -> bool:
    """True when a key name suggests its value is a secret (``db_password``, ``ApiToken``...)."""
    lowered = name.lower()
    return any(part in lowered for part in SECRET_NAME_PARTS)


_SECRET_WORD = "|".join(SECRET_NAME_PARTS)
# A secret-looking name and the value after it, in XML (<Key>db_password</Key><Value>x</Value>)
# or in JSON / key=value text ("DbPassword": "x", token=x).
_SECRET_XML = re.compile(rf"(?i)(<Key>[^<]*(?:{_SECRET_WORD})[^<]*</Key>\s*<Value>)[^<]*(</Value>)")
_SECRET_KV = re.compile(
    rf"(?i)([\w.-]*(?:{_SECRET_WORD})[\w.-]*[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&}}<]+"
)
ERROR_TEXT_LIMIT = 300


def scrub_error_text(text: str, *, limit: int = ERROR_TEXT_LIMIT) -> str:
    """An error message fit to store and print: one line, at most ``limit`` characters, with the
    value after every secret-looking name replaced by SENSITIVE (AWS responses can echo tags)."""
    one_line = " ".join(str(text).split())
    one_line = _SECRET_XML.sub(lambda m: f"{m.group(1)}{SENSITIVE}{m.group(2)}", one_line)
    one_line = _SECRET_KV.sub(lambda m: f"{m.group(1)}{SENSITIVE}", one_line)
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return one_line


def mask_secret_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a string map with the value of every secret-looking key replaced by SENSITIVE.

    For both sides: the state readers and the AWS readers (tags, environment variables), so no
    such value is stored, logged or printed.
    """
    return {str(k): SENSITIVE if looks_secret(str(k)) else v for k, v in values.items()}


@dataclass(frozen=True, order=True)
class ResourceKey:
    """Identifies one resource across both sides of a comparison."""

    resource_type: str
    resource_id: str


@dataclass(slots=True)
class ExpectedResource:
    """A resource as Infrastructure-as-Code declares it."""

    resource_type: str
    resource_id: str
    attributes: dict[str, Any]
    region: str | None = None  # None: not known from the state (the scan's region is used)
    account_id: str | None = None
    # Where it was declared, e.g. "prod.tfstate#module.web.aws_instance.app[0]". Several when two
    # state files claim the same resource.
    sources: list[str] = field(default_factory=list)

    @property
    def key(self) -> ResourceKey:
        return ResourceKey(self.resource_type, self.resource_id)


@dataclass(slots=True)
class ActualResource:
    """A resource as AWS reports it."""

    resource_type: str
    resource_id: str
    region: str
    attributes: dict[str, Any]
    account_id: str | None = None
    # AWS-created defaults (default VPC's security group, ...): never reported as unmanaged.
    is_default: bool = False

    @property
    def key(self) -> ResourceKey:
        return ResourceKey(self.resource_type, self.resource_id)
