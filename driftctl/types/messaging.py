"""What the SQS, SNS and CloudWatch Logs types share: values AWS sends as text, JSON documents
that mean "none" when empty, and the public-policy check of queue and topic policies.

A queue or topic policy is public when an Allow statement names ``Principal: *`` (or
``{"AWS": "*"}``) without a ``Condition``: a condition (``aws:SourceArn``, ``AWS:SourceOwner``,
``aws:PrincipalOrgID``) narrows who can use it, which is how AWS's own default topic policy and
most "allow this bucket to publish" policies are written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl.iac.instance import BadValue
from driftctl.resources import SENSITIVE

if TYPE_CHECKING:
    from driftctl.iac.instance import StateInstance

# What a document attribute holds when IaC and AWS both say "none" (an empty redrive policy).
NO_DOCUMENT: dict[str, Any] = {}


def flag(value: Any) -> bool:
    """An attribute AWS sends as text (``"true"``) as a bool; absent means off."""
    return (isinstance(value, str) and value.strip().lower() == "true") or value is True


def number(value: Any) -> int | None:
    """An attribute AWS sends as text (``"30"``) as an int; None when it is not a number."""
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def aws_document(text: Any) -> Any:
    """A JSON document AWS sends as text, parsed; absent or empty is NO_DOCUMENT.

    Keys whose value is null are dropped (they mean "not set"). Text that is not JSON is kept
    as it is, so it still compares (as different) instead of failing the read.
    """
    if text is None or text == "":
        return dict(NO_DOCUMENT)
    if not isinstance(text, str):
        return _drop_nulls(text)
    try:
        return _drop_nulls(json.loads(text))
    except (ValueError, RecursionError):
        return text


def state_document(inst: StateInstance, name: str) -> Any:
    """A JSON document attribute of the state; ``""`` is NO_DOCUMENT (IaC sets none), an absent
    attribute None (not managed). Raises BadValue on text that is not JSON."""
    value = inst.get(name)
    if value is None or value == SENSITIVE:
        return value
    if value == "":
        return dict(NO_DOCUMENT)
    if not isinstance(value, str):
        return _drop_nulls(value)
    try:
        return _drop_nulls(json.loads(value))
    except (ValueError, RecursionError):
        raise BadValue(f"'{name}' is not valid JSON") from None


def resend(document: str) -> str:
    """A policy or document sent to the emulator in another key order and spacing than the
    state's (AWS keeps what it is sent; a scan must not care)."""
    return json.dumps(json.loads(document), sort_keys=True, indent=1)
