"""Lambda permissions (``aws_lambda_permission``): the statements of a function's resource policy.

resource_id is ``function/statement`` (``function:qualifier/statement`` for a permission on an
alias or version): statement ids repeat across functions. The listing of functions is shared
with the function type (one ListFunctions per region); then one GetPolicy per function the IaC
declares (as a function or through its permissions), and per alias or version its permissions
name. Statements of other functions are not read, so they are never unmanaged.

A statement compares as Terraform writes it: the principal as text (AWS answers ``"*"``, an
object ``{"Service": …}`` or ``{"AWS": "arn:aws:iam::123456789012:root"}`` for the account
``123456789012``), and its conditions as ``source_arn``, ``source_account``,
``principal_org_id`` and ``function_url_auth_type``, whatever operator (``ArnLike``,
``StringEquals``) and key case AWS uses. An event source token is never read. A statement that
grants ``Principal: *`` without any condition is critical, changed or unmanaged.

moto keeps one policy per function and answers GetPolicy with it for every qualifier (AWS keeps
one per qualifier); each statement's ``Resource`` names its qualifier either way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from driftctl.iac.instance import StateInstance
from driftctl.resources import SENSITIVE, ActualResource
from driftctl.scanner.base import Collected, ScanContext, ScanError
from driftctl.scanner.details import Detail, failed
from driftctl.types import lambda_function
from driftctl.types.build import BuildContext, Builder
from driftctl.types.spec import ApiCall, Attr, ResourceSpec, Rule, Scope, TerraformType

if TYPE_CHECKING:
    from driftctl.diff.findings import DiffEntry, Finding

RESOURCE_TYPE = "LAMBDA_PERMISSION"
ANYONE = "*"
_ACCOUNT_ROOT = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):root$")
# Condition keys (lower-cased) -> the Terraform argument they hold.
_CONDITIONS = {
    "aws:sourcearn": "source_arn",
    "aws:sourceaccount": "source_account",
    "aws:principalorgid": "principal_org_id",
    "lambda:functionurlauthtype": "function_url_auth_type",
}
CONDITION_ATTRIBUTES = tuple(_CONDITIONS.values())


def permission_id(function: str, qualifier: str | None, statement: str) -> str:
    """``orders-api/AllowS3`` or ``orders-api:live/AllowS3``."""
    target = f"{function}:{qualifier}" if qualifier else function
    return f"{target}/{statement}"


def _compose_id(attrs: Mapping[str, Any]) -> str | None:
    function = attrs.get("function_name")
    statement = attrs.get("statement_id") or attrs.get("id")
    if not function or not statement:
        return None
    qualifier = attrs.get("qualifier") or _qualifier_of(str(function))
    return permission_id(lambda_function.function_name(str(function)), qualifier, str(statement))


def _qualifier_of(arn: str) -> str | None:
    parts = arn.split(":")
    if "function" in parts:
        index = parts.index("function")
        if index + 2 < len(parts) and parts[index + 2]:
            return parts[index + 2]
    return None


def _or_empty(name: str) -> Any:
    def read(inst: StateInstance) -> Any:
        value = inst.get(name)
        return "" if value is None else value

    return read


SCHEMA: dict[str, Attr] = {
    "action": Attr(),
    "principal": Attr(),
    **{
        name: Attr(read=_or_empty(name), doc="a condition of the statement")
        for name in CONDITION_ATTRIBUTES
    },
}


# -- reading AWS -------------------------------------------------------------------------------


def principal_text(value: Any) -> str:
    """A statement's principal as Terraform writes it (``*``, a service, an account id)."""
    if isinstance(value, Mapping):
        values = [v for key in ("Service", "AWS", "Federated") for v in _as_list(value.get(key))]
        value = values[0] if len(values) == 1 else ",".join(sorted(str(v) for v in values))
    text = str(value or "")
    match = _ACCOUNT_ROOT.match(text)
    return match.group(1) if match else text


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statement_attributes(statement: Mapping[str, Any]) -> dict[str, Any]:
    """One policy statement in the canonical form, and ``conditioned``: whether it has any."""
    out: dict[str, Any] = {name: "" for name in CONDITION_ATTRIBUTES}
    conditions = statement.get("Condition")
    conditioned = False
    for _operator, pairs in (conditions or {}).items() if isinstance(conditions, Mapping) else ():
        if not isinstance(pairs, Mapping):
            continue
        for key, value in pairs.items():
            conditioned = True
            name = _CONDITIONS.get(str(key).lower())
            if name is not None:
                values = _as_list(value)
                out[name] = str(values[0]) if len(values) == 1 else json.dumps(values)
    actions = _as_list(statement.get("Action"))
    out["action"] = str(actions[0]) if len(actions) == 1 else json.dumps(actions)
    out["principal"] = principal_text(statement.get("Principal"))
    out["effect"] = statement.get("Effect")
    out["conditioned"] = conditioned
    return out


def collect(ctx: ScanContext, region: str) -> Collected:
    """The statements of the declared functions' policies in ``region``. Listing errors
    propagate; a failed GetPolicy spoils its region only."""
    declared = ctx.expected_ids.get(RESOURCE_TYPE, frozenset())
    functions = set(ctx.expected_ids.get(lambda_function.RESOURCE_TYPE, frozenset()))
    targets: set[tuple[str, str | None]] = set()
    for pid in declared:
        target = pid.rsplit("/", 1)[0]
        name, _, qualifier = target.partition(":")
        functions.add(name)
        if qualifier:
            targets.add((name, qualifier))
    listed = {str(f["FunctionName"]) for f in lambda_function.functions(ctx, region)}
    targets |= {(name, None) for name in functions}
    wanted = sorted((t for t in targets if t[0] in listed), key=lambda t: (t[0], t[1] or ""))
    client = ctx.aws.client(lambda_function.SERVICE, region)

    def read(target: tuple[str, str | None]) -> list[ActualResource] | Detail:
        from botocore.exceptions import BotoCoreError, ClientError

        name, qualifier = target
        extra = {"Qualifier": qualifier} if qualifier else {}
        try:
            text = client.get_policy(FunctionName=name, **extra)["Policy"]
            document = json.loads(text)
        except (BotoCoreError, ClientError) as exc:
            if lambda_function.is_not_found(exc):
                return []
            return failed((region,), f"policy of function {name}", exc)
        except ValueError:
            return Detail(
                failed_regions=(region,),
                code="InvalidPolicy",
                message=f"policy of function {name}: not valid JSON",
            )
        return _statements(document, name, region, ctx.account_id)

    found: dict[str, ActualResource] = {}
    problems: list[Detail] = []
    for result in _each(ctx, wanted, read):
        if isinstance(result, Detail):
            problems.append(result)
        else:
            for resource in result:
                # moto answers every qualifier with the whole policy: keep one of each.
                found.setdefault(resource.resource_id, resource)
    collected = Collected(resources=list(found.values()))
    if problems:
        more = f" (and {len(problems) - 1} more policies)" if len(problems) > 1 else ""
        first = problems[0]
        collected.failures.append(
            ScanError(RESOURCE_TYPE, region, first.code, first.message + more)
        )
    return collected


def _each(ctx: ScanContext, items: list[Any], fn: Any) -> list[Any]:
    if not items:
        return []
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(
        max_workers=min(ctx.detail_workers, len(items)), thread_name_prefix="driftctl-lambda"
    ) as pool:
        return list(pool.map(fn, items))


def _statements(
    document: Any, name: str, region: str, account_id: str | None
) -> list[ActualResource]:
    statements = document.get("Statement") if isinstance(document, Mapping) else None
    out: list[ActualResource] = []
    for statement in _as_list(statements):
        if not isinstance(statement, Mapping) or not statement.get("Sid"):
            continue
        resource = str(_as_list(statement.get("Resource"))[0] if statement.get("Resource") else "")
        qualifier = _qualifier_of(resource)
        function = lambda_function.function_name(resource) if resource else name
        attributes = statement_attributes(statement)
        attributes["policy"] = f"{function}:{qualifier}" if qualifier else function
        out.append(
            ActualResource(
                resource_type=RESOURCE_TYPE,
                resource_id=permission_id(function, qualifier, str(statement["Sid"])),
                region=region,
                attributes=attributes,
                account_id=account_id,
            )
        )
    return out


def is_public(attributes: Mapping[str, Any] | None) -> bool:
    """Whether a statement lets anyone in: ``Principal: *`` and no condition at all."""
    if not attributes or attributes.get("principal") != ANYONE:
        return False
    if attributes.get("effect") not in (None, "Allow"):
        return False
    if "conditioned" in attributes:
        return not attributes["conditioned"]
    return not any(
        attributes.get(name) not in (None, "", SENSITIVE) for name in _CONDITIONS.values()
    )


def _opened(_entry: DiffEntry, finding: Finding) -> bool:
    return is_public(finding.actual_state) and not is_public(finding.expected_state)


def _risky(attributes: Mapping[str, Any]) -> bool:
    return is_public(attributes)


# -- building in an emulated account ---------------------------------------------------------


def _build(ctx: BuildContext, attrs: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    for key, name in (
        ("source_arn", "SourceArn"),
        ("source_account", "SourceAccount"),
        ("principal_org_id", "PrincipalOrgID"),
        ("function_url_auth_type", "FunctionUrlAuthType"),
        ("qualifier", "Qualifier"),
    ):
        if attrs.get(key):
            extra[name] = attrs[key]
    ctx.client(lambda_function.SERVICE).add_permission(
        FunctionName=lambda_function.function_name(attrs["function_name"]),
        StatementId=attrs["statement_id"],
        Action=attrs["action"],
        Principal=attrs["principal"],
        **extra,
    )


SPEC = ResourceSpec(
    resource_type=RESOURCE_TYPE,
    display_name="Lambda permission",
    with_article="a Lambda permission",
    sarif_name="LambdaPermission",
    terraform=(
        TerraformType(
            "aws_lambda_permission",
            id=("function_name", "qualifier", "statement_id"),
            compose_id=_compose_id,
            account_from_arn=False,
            not_compared={
                "event_source_token": "secret: never read",
                "statement_id_prefix": "Terraform-only",
            },
        ),
    ),
    scope=Scope.REGIONAL,
    service=lambda_function.SERVICE,
    collect=collect,
    api_calls=(
        lambda_function.LIST_FUNCTIONS,
        ApiCall("lambda:GetPolicy", per="parent", parent="policy", managed_only=True),
    ),
    schema=SCHEMA,
    id_doc="function/statement id (function:qualifier/statement id on an alias)",
    rules=tuple(
        Rule(path, _opened, doc="the statement grants Principal: * without a condition")
        for path in ("principal", *CONDITION_ATTRIBUTES)
    ),
    risky=_risky,
    builders={
        "aws_lambda_permission": Builder(_build, after=("aws_lambda_function", "aws_lambda_alias")),
    },
)
