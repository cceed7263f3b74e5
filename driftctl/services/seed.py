"""``driftctl db seed``: realistic demo data, the same every time it runs."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from driftctl.db.models import SEVERITY_RANK, Alert, CostMetric, Drift, User
from driftctl.db.repositories import audit as audit_repo
from driftctl.db.repositories import drifts as drifts_repo
from driftctl.db.repositories import users as users_repo
from driftctl.db.repositories.drifts import DriftFilter
from driftctl.db.types import utcnow
from driftctl.domain import AuditAction, Role, difference_hash, fingerprint
from driftctl.errors import DriftctlError, ValidationError
from driftctl.passwords import hash_password
from driftctl.services.context import Context, timed

if TYPE_CHECKING:
    from driftctl.services.login import LoginResult

log = logging.getLogger(__name__)

_NS = uuid.UUID("7b1d3c2e-5f4a-4e8b-9c6d-0a1b2c3d4e5f")
ACCOUNT = "123456789012"
DEMO_PASSWORD = "driftctl-demo-password"

USERS = (
    ("admin@example.com", "admin", "Ada", "Admin"),
    ("engineer@example.com", "engineer", "Eli", "Engineer"),
    ("viewer@example.com", "viewer", "Vic", "Viewer"),
)


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, name)


def _diff(**entries: tuple[str, Any, Any]) -> dict[str, Any]:
    return {
        path.replace("__", "."): {"change": c, "expected": e, "actual": a}
        for path, (c, e, a) in entries.items()
    }


# (key, type, resource id, region, drift type, severity, status, days ago, difference, cost,
#  expected, actual)
DRIFTS: tuple[tuple[Any, ...], ...] = (
    (
        "web-type",
        "EC2",
        "i-0a1b2c3d4e5f60718",
        "us-east-1",
        "modified",
        "warning",
        "detected",
        2,
        {"instance_type": {"change": "changed", "expected": "t3.medium", "actual": "t3.large"}},
        "30.37",
        {"instance_type": "t3.medium"},
        {"instance_type": "t3.large"},
    ),
    (
        "ssh-open",
        "SECURITY_GROUP",
        "sg-0123456789abcdef0",
        "us-east-1",
        "modified",
        "critical",
        "triaged",
        5,
        {
            "ingress[tcp:22:0.0.0.0/0]": {
                "change": "added",
                "expected": None,
                "actual": "tcp:22:0.0.0.0/0",
            }
        },
        "0",
        {"ingress": ["tcp:443:0.0.0.0/0"]},
        {"ingress": ["tcp:22:0.0.0.0/0", "tcp:443:0.0.0.0/0"]},
    ),
    (
        "logs-versioning",
        "S3",
        "acme-prod-logs",
        "us-east-1",
        "modified",
        "critical",
        "rejected",
        9,
        {"versioning": {"change": "changed", "expected": "Enabled", "actual": "Suspended"}},
        "0",
        {"versioning": "Enabled"},
        {"versioning": "Suspended"},
    ),
    (
        "orders-public",
        "RDS",
        "orders-db",
        "eu-west-1",
        "modified",
        "critical",
        "approved",
        12,
        {"publicly_accessible": {"change": "changed", "expected": False, "actual": True}},
        "0",
        {"publicly_accessible": False},
        {"publicly_accessible": True},
    ),
    (
        "deployer-admin",
        "IAM_ROLE",
        "ci-deployer",
        "global",
        "modified",
        "critical",
        "detected",
        1,
        {
            "managed_policy_arns[arn:aws:iam::aws:policy/AdministratorAccess]": {
                "change": "added",
                "expected": None,
                "actual": "arn:aws:iam::aws:policy/AdministratorAccess",
            }
        },
        "0",
        {"managed_policy_arns": []},
        {"managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
    ),
    (
        "api-owner-tag",
        "EC2",
        "i-0f9e8d7c6b5a49382",
        "us-west-2",
        "modified",
        "info",
        "approved",
        20,
        {"tags.Owner": {"change": "changed", "expected": "team-api", "actual": "team-platform"}},
        "0",
        {"tags": {"Owner": "team-api"}},
        {"tags": {"Owner": "team-platform"}},
    ),
    (
        "tmp-uploads",
        "S3",
        "acme-tmp-uploads",
        "us-east-1",
        "unmanaged",
        "info",
        "detected",
        3,
        {},
        "0",
        {},
        {"versioning": "Disabled", "tags": {"CreatedBy": "console"}},
    ),
    (
        "analytics-missing",
        "RDS",
        "analytics-replica",
        "us-east-1",
        "missing",
        "warning",
        "resolved",
        30,
        {},
        "0",
        {"instance_class": "db.r6i.large"},
        {},
    ),
    (
        "batch-unmanaged",
        "EC2",
        "i-0123abcd4567ef890",
        "eu-west-1",
        "unmanaged",
        "warning",
        "resolved",
        25,
        {},
        "60.74",
        {},
        {"instance_type": "m5.large"},
    ),
    (
        "web-sg-desc",
        "SECURITY_GROUP",
        "sg-0fedcba9876543210",
        "us-west-2",
        "modified",
        "warning",
        "detected",
        0,
        {"description": {"change": "changed", "expected": "web tier", "actual": "web tier (temp)"}},
        "0",
        {"description": "web tier"},
        {"description": "web tier (temp)"},
    ),
)


@timed
def seed(ctx: Context) -> dict[str, Any]:
    """Fill an empty database with the demo users, drifts, alerts, costs and audit rows, then log
    this machine in as the demo admin (``login``: the LoginResult, None if that failed).

    A database already seeded is left as it is (``created`` False). Any other database that has
    users or drifts is refused with ValidationError: the demo users' password is published, so
    they must never land in a real team database, and fake drifts would mix with real ones.
    """
    with ctx.write() as session:
        if session.get(User, _id("user:admin@example.com")) is not None:
            return {"created": False, "users": len(USERS), "drifts": len(DRIFTS), "alerts": 4}
        has_users = users_repo.any_exist(session)
        if has_users or drifts_repo.count(session, filters=DriftFilter()) > 0:
            what = "users (team mode)" if has_users else "drifts"
            raise ValidationError(
                f"this database already has {what}: `db seed` only fills an empty database, "
                "because its demo users have a published password; seed a throwaway one "
                "instead, e.g. driftctl --db sqlite:///demo.db db seed"
            )
        ctx.actor.require(Role.ADMIN, "load demo data")
        result = _insert_demo_data(session, ctx)
    result["login"] = _log_in_as_demo_admin(ctx)
    return result


def _log_in_as_demo_admin(ctx: Context) -> LoginResult | None:
    """Seeding turns the database into team mode: log in as its admin so it stays usable."""
    from driftctl.services import login

    try:
        return login.login(ctx, USERS[0][0], DEMO_PASSWORD)
    except DriftctlError as exc:
        log.warning("seeded, but could not log in as the demo admin: %s", exc.message)
        return None


def _insert_demo_data(session: Session, ctx: Context) -> dict[str, Any]:
    now = utcnow().replace(microsecond=0)
    users: dict[str, User] = {}
    for email, role, first, last in USERS:
        user = User(
            id=_id(f"user:{email}"),
            email=email,
            role=role,
            first_name=first,
            last_name=last,
            password_hash=hash_password(DEMO_PASSWORD),
            created_at=now - timedelta(days=60),
            updated_at=now - timedelta(days=60),
        )
        session.add(user)
        users[role] = user
    session.flush()
    for email, role, *_ in USERS:
        audit_repo.append(
            session,
            action=AuditAction.USER_CREATED.value,
            actor_email=ctx.actor.email,
            new_value={"email": email, "role": role},
            details={"seed": True},
            user_agent=ctx.user_agent,
            created_at=now - timedelta(days=60),
        )
    alerts = 0
    for row in DRIFTS:
        alerts += _seed_drift(session, ctx, row, users, now)
    return {"created": True, "users": len(USERS), "drifts": len(DRIFTS), "alerts": alerts}


def _seed_drift(
    session: Any, ctx: Context, row: tuple[Any, ...], users: dict[str, User], now: datetime
) -> int:
    key, rtype, rid, region, dtype, severity, status, days, diff, cost, expected, actual = row
    detected = now - timedelta(days=days, hours=3)
    engineer = users["engineer"]
    drift = Drift(
        id=_id(f"drift:{key}"),
        resource_id=rid,
        resource_type=rtype,
        region=region,
        account_id=ACCOUNT,
        drift_type=dtype,
        fingerprint=fingerprint(ACCOUNT, region, rtype, rid, dtype),
        expected_state=expected,
        actual_state=actual,
        difference=diff,
        difference_hash=difference_hash(diff),
        severity=severity,
        severity_rank=SEVERITY_RANK[severity],
        cost_impact_monthly=Decimal(cost),
        status=status,
        detected_at=detected,
        detected_by="scheduler",
        last_seen_at=now - timedelta(hours=1) if status != "resolved" else detected,
        iac_source=None if dtype == "unmanaged" else f"prod.tfstate#{rtype.lower()}.{key}",
        created_at=detected,
        updated_at=detected,
    )
    later = detected + timedelta(hours=6)
    if status == "triaged":
        drift.triaged_at, drift.triaged_by = later, engineer.id
    if status == "approved":
        drift.approved_at, drift.approved_by = later, engineer.id
        drift.approval_reason = "Intended change, tracked in CHG-1042"
    if status == "rejected":
        drift.rejected_at, drift.rejected_by = later, engineer.id
        drift.rejection_reason = "Versioning must stay on for audit logs"
    if status == "resolved":
        drift.resolved_at, drift.resolved_by = later, engineer.id
        drift.resolved_how = "manual-fix" if dtype == "missing" else "acknowledged"
    session.add(drift)
    session.flush()
    audit_repo.append(
        session,
        action=AuditAction.DRIFT_CREATED.value,
        drift_id=drift.id,
        new_value={"status": "detected", "severity": severity},
        details={"seed": True},
        user_agent=ctx.user_agent,
        created_at=detected,
    )
    if status != "detected":
        action = {
            "triaged": AuditAction.DRIFT_TRIAGED,
            "approved": AuditAction.DRIFT_APPROVED,
            "rejected": AuditAction.DRIFT_REJECTED,
            "resolved": AuditAction.DRIFT_RESOLVED,
        }[status]
        audit_repo.append(
            session,
            action=action.value,
            drift_id=drift.id,
            actor_id=engineer.id,
            actor_email=engineer.email,
            old_value={"status": "detected"},
            new_value={"status": status},
            details={"seed": True},
            user_agent=ctx.user_agent,
            created_at=later,
        )
    for day in range(min(days, 7), -1, -1):
        at = now - timedelta(days=day)
        session.add(
            CostMetric(
                id=_id(f"cost:{key}:{day}"),
                drift_id=drift.id,
                cost_usd=Decimal(cost),
                cost_projected_monthly=Decimal(cost),
                recorded_at=at,
                period_start=at - timedelta(days=1),
                period_end=at,
                created_at=at,
            )
        )
    if severity == "critical":
        session.add(
            Alert(
                id=_id(f"alert:{key}"),
                drift_id=drift.id,
                type="drift_detected",
                severity=severity,
                title=f"Critical drift on {rtype} {rid}",
                message=f"{rtype} {rid} in {region} differs from its IaC: "
                + ", ".join(sorted(diff)),
                is_read=status not in ("detected", "triaged"),
                read_at=later if status not in ("detected", "triaged") else None,
                created_at=detected,
                updated_at=detected,
            )
        )
        return 1
    return 0
