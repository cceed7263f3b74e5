"""The DriftctlError tree: each class carries its exit code (SPEC §6) and JSON error code.

Services raise these; ``driftctl.cli.app`` turns them into one stderr line (or a JSON error
object with ``-o json``) and the exit code. Nothing else maps exceptions to exit codes.
"""

from __future__ import annotations

from typing import Any


class ExitCode:
    """Exit codes of every command (SPEC §6)."""

    OK = 0
    DRIFT_FOUND = 1
    USAGE = 2
    NOT_FOUND = 3
    CONFLICT = 4
    FORBIDDEN = 5
    EXTERNAL = 6


class DriftctlError(Exception):
    """Base of every error driftctl reports to a user."""

    exit_code: int = ExitCode.USAGE
    error_code: str = "VALIDATION_ERROR"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_json(self) -> dict[str, Any]:
        return {
            "error": {"code": self.error_code, "message": self.message, "details": self.details}
        }


class ValidationError(DriftctlError):
    """Bad input: a flag value, a file, a reason that is too short."""


class NotFoundError(DriftctlError):
    exit_code = ExitCode.NOT_FOUND
    error_code = "NOT_FOUND"


class ConflictError(DriftctlError):
    """An invalid state transition, or a concurrent update that won first."""

    exit_code = ExitCode.CONFLICT
    error_code = "CONFLICT"


class ForbiddenError(DriftctlError):
    exit_code = ExitCode.FORBIDDEN
    error_code = "FORBIDDEN"


class ExternalServiceError(DriftctlError):
    """AWS, a notification channel or another service could not be reached or refused us."""

    exit_code = ExitCode.EXTERNAL
    error_code = "EXTERNAL_SERVICE_ERROR"


class OutputError(ExternalServiceError):
    """Standard output or an output file could not be written (a full disk, /dev/full)."""


class DatabaseError(DriftctlError):
    """The database is unreachable, or its schema is behind this driftctl."""

    exit_code = ExitCode.EXTERNAL
    error_code = "DATABASE_ERROR"


class InternalError(DriftctlError):
    """A bug: never exit 1 (that reads as "drift found")."""

    exit_code = ExitCode.USAGE
    error_code = "INTERNAL_ERROR"
