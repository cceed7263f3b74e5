"""One module per resource type; ``registry`` holds the list every other layer reads."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from driftctl.types.spec import ResourceSpec

# The modules not named after their resource type in lower case.
_MODULE_OF = {
    "LB": "load_balancer",
    "SQS_QUEUE": "sqs",
    "SNS_TOPIC_SUBSCRIPTION": "sns_subscription",
}


def spec_of(resource_type: str) -> ResourceSpec | None:
    """``registry.get(resource_type)``, importing only that type's module when it can.

    The registry imports all ~50 type modules; a command about one drift (``show``) needs one.
    Once the registry is loaded (a scan), it answers; any name the module convention does not
    find goes to it too.
    """
    name = _MODULE_OF.get(resource_type, resource_type.lower())
    if f"{__name__}.registry" not in sys.modules and name.isidentifier():
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
        else:
            spec = getattr(module, "SPEC", None)
            if getattr(spec, "resource_type", None) == resource_type:
                return spec
    from driftctl.types import registry

    return registry.get(resource_type)
