"""Creating resources from a Terraform state in an emulated AWS account (the demo, the tests).

Each type module declares a builder per Terraform type it can create (``ResourceSpec.builders``):
a function that takes the ``BuildContext`` and one instance's state attributes and creates it
with boto3 the way Terraform would have, and the Terraform types it needs built first. The
emulator picks its own ids, so builders record ``state id -> emulated id`` with ``remember``; the
state is then rewritten with those ids so a scan right afterwards finds no drift.

Only for emulated accounts: nothing here is used by a scan.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3


class BuildContext:
    """The emulated account being built: one client per service, and the ids handed out."""

    def __init__(self, session: boto3.session.Session, region: str) -> None:
        self.session = session
        self.region = region
        # id in the state -> id the emulator gave the same thing.
        self.ids: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        # Work a builder defers until every resource of its Terraform type exists (security
        # group rules that name other groups), run by ``finish``.
        self.deferred: dict[str, list[Callable[[], None]]] = {}

    def client(self, service: str) -> Any:
        """The client of ``service`` in the build region (one per service)."""
        if service not in self._clients:
            self._clients[service] = self.session.client(service, region_name=self.region)  # type: ignore[call-overload]
        return self._clients[service]

    def remember(self, state_id: str | None, emulated_id: str | None) -> None:
        """Record that the state's ``state_id`` is ``emulated_id`` in the emulator.

        The emulator makes up a few ids of its own shape ("default" DHCP options, lower-case
        instance profile ids): those keep the state's value, which no scan reads.
        """
        if state_id and emulated_id and id_kind(state_id) == id_kind(emulated_id):
            self.ids[state_id] = emulated_id

    def id(self, state_id: str) -> str:
        """The emulated id of a state id (the id itself when it was not rewritten)."""
        return self.ids.get(state_id, state_id)

    def defer(self, terraform_type: str, work: Callable[[], None]) -> None:
        """Run ``work`` once every instance of ``terraform_type`` has been built."""
        self.deferred.setdefault(terraform_type, []).append(work)

    def finish(self, terraform_type: str) -> None:
        """Run the work deferred until ``terraform_type`` was built."""
        for work in self.deferred.pop(terraform_type, []):
            work()


@dataclass(frozen=True)
class Builder:
    """Creates one instance of a Terraform type; ``after`` names the types built before it."""

    create: Callable[[BuildContext, dict[str, Any]], None]
    after: tuple[str, ...] = ()


def id_kind(value: str) -> str:
    """``sg`` for ``sg-0abc``, ``AROA`` for an IAM role id: what an id must keep when rewritten."""
    prefix, dash, _ = value.partition("-")
    return prefix if dash else value[:4]


def tags_of(attrs: Mapping[str, Any]) -> dict[str, str]:
    """The tags AWS holds for a state instance: ``tags_all`` has the provider's default_tags."""
    return dict(attrs.get("tags_all") or attrs.get("tags") or {})


def tag_list(tags: Mapping[str, str] | None) -> list[Any]:
    """Tags in AWS's ``[{"Key": …, "Value": …}]`` form, sorted by key."""
    # Any: each service's stubs declare their own (identical) Tag TypedDict.
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def ec2_tag_spec(resource_type: str, attrs: Mapping[str, Any]) -> list[Any]:
    """EC2 TagSpecifications for a state instance's tags (none when it has no tags)."""
    tags = tags_of(attrs)
    if not tags:
        return []
    return [{"ResourceType": resource_type, "Tags": tag_list(tags)}]


def address(resource: Mapping[str, Any], instance: Mapping[str, Any]) -> str:
    """The Terraform address of one instance (``module.app.aws_instance.web[0]``)."""
    module = resource.get("module")
    prefix = f"{module}." if module else ""
    index = instance.get("index_key")
    suffix = ""
    if isinstance(index, int):
        suffix = f"[{index}]"
    elif isinstance(index, str):
        suffix = f"[{json.dumps(index)}]"
    return f"{prefix}{resource['type']}.{resource['name']}{suffix}"


def instances(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(Terraform type, address, attributes) of every managed resource instance of a state."""
    for resource in doc.get("resources", []):
        if resource.get("mode") != "managed":
            continue
        for instance in resource.get("instances", []):
            yield resource["type"], address(resource, instance), instance["attributes"]


def resource_ids(doc: Mapping[str, Any]) -> dict[str, str]:
    """Terraform address -> driftctl resource id, for each main resource of a compared type."""
    from driftctl.types.registry import terraform_type

    out: dict[str, str] = {}
    for rtype, where, attrs in instances(doc):
        found = terraform_type(rtype)
        if found is None or found[1].parent:
            continue
        spec, tf = found
        ident = (
            tf.ident(attrs)
            if tf.ident is not None
            else next((str(attrs[name]) for name in tf.id if attrs.get(name)), None)
        )
        if ident:
            out[where] = spec.canonical_id(ident)
    return out


def rewrite_ids(text: str, ids: Mapping[str, str]) -> str:
    """Replace each state id by the emulator's, as whole tokens (inside ARNs and lists too)."""
    changed = {old: new for old, new in ids.items() if old and old != new}
    if not changed:
        return text
    alternatives = "|".join(re.escape(old) for old in sorted(changed, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    return pattern.sub(lambda match: changed[match.group(0)], text)


def build_state(ctx: BuildContext, doc: Mapping[str, Any]) -> None:
    """Create every managed resource of a state, the types each builder needs first.

    Raises KeyError naming the instance when no registered type can build it.
    """
    from driftctl.types.registry import builders

    known = builders()
    by_type: dict[str, list[dict[str, Any]]] = {}
    for rtype, where, attrs in instances(doc):
        if rtype not in known:
            raise KeyError(f"no builder for {where}")
        by_type.setdefault(rtype, []).append(attrs)
    for rtype in build_order(known, by_type):
        for attrs in by_type[rtype]:
            known[rtype].create(ctx, attrs)
        ctx.finish(rtype)


def build_order(
    known: Mapping[str, Builder], wanted: Iterator[str] | Mapping[str, Any]
) -> list[str]:
    """``wanted`` Terraform types, each after the types its builder names (a stable sort)."""
    pending = sorted(wanted)
    done: list[str] = []
    while pending:
        ready = [t for t in pending if all(d in done or d not in pending for d in known[t].after)]
        if not ready:
            raise KeyError(f"builders depend on each other in a circle: {', '.join(pending)}")
        done.append(ready[0])
        pending.remove(ready[0])
    return done
