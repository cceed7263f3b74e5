"""Running a plan's calls against AWS, one at a time, in order.

Each call goes through the same session settings as scans (retries with backoff on throttling,
timeouts); a call that still fails raises ``CallFailed`` with the AWS error code and a scrubbed
one-line message, and nothing after it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, WaiterError
from botocore.parsers import ResponseParserError

from driftctl.domain import GLOBAL_REGION
from driftctl.scanner.session import error_details

if TYPE_CHECKING:
    from driftctl.scanner.session import AwsSession
    from driftctl.types.spec import Call


class CallFailed(Exception):
    """One call of a plan failed after its retries."""

    def __init__(self, call: Call, code: str, message: str) -> None:
        super().__init__(f"{call.name}: {code}: {message}")
        self.call = call
        self.code = code
        self.message = message


def run_call(aws: AwsSession, call: Call, region: str) -> None:
    """Make one call (and wait for its waiter, if it names one); raises CallFailed."""
    where = call.region or (None if region == GLOBAL_REGION else region)
    client: Any = aws.client(call.service, where)
    try:
        method = getattr(client, xform_name(call.operation))
        method(**call.params)
        if call.wait is not None:
            name, params = call.wait
            client.get_waiter(name).wait(**params, WaiterConfig={"Delay": 5, "MaxAttempts": 120})
    except (BotoCoreError, ClientError, ResponseParserError, WaiterError) as exc:
        code, message = error_details(exc)
        raise CallFailed(call, code, message) from None
