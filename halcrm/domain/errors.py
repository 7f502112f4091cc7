"""Domain errors, each with a stable wire code and a kind the transports map to a status."""

from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorKind(Enum):
    """What sort of refusal an error is; the server maps each kind to one HTTP status."""

    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


class DomainError(Exception):
    """A refusal with a stable ``code`` and a human ``detail``; nothing was written."""

    kind: ErrorKind = ErrorKind.INVALID
    code: str = "invalid_request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class InvalidRequest(DomainError):
    kind = ErrorKind.INVALID
    code = "invalid_request"


class UnknownStage(DomainError):
    kind = ErrorKind.INVALID
    code = "unknown_stage"


class Unauthorized(DomainError):
    kind = ErrorKind.UNAUTHORIZED
    code = "unauthorized"


class IdentityVerificationFailed(DomainError):
    kind = ErrorKind.UNAUTHORIZED
    code = "identity_verification_failed"


class CompanyNotLinked(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = "company_not_linked"


class IdentityConflict(DomainError):
    """A visitor verified over its own id claims a contact another verified visitor holds."""

    kind = ErrorKind.FORBIDDEN
    code = "identity_conflict"


class CompanyNotVerified(DomainError):
    """Linking an existing company that has other contacts without the company's hash."""

    kind = ErrorKind.FORBIDDEN
    code = "company_not_verified"


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"


class UnknownProject(NotFound):
    code = "unknown_project"


class UnknownCompany(NotFound):
    code = "unknown_company"


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    code = "conflict"


class ContactNotLinked(Conflict):
    """A next step names a contact that is not linked to its company."""

    code = "contact_not_linked"


class VisitorNotIdentified(Conflict):
    code = "visitor_not_identified"


class NoCompanyContext(Conflict):
    code = "no_company_context"


class AmbiguousCompany(Conflict):
    code = "ambiguous_company"


class RateLimited(DomainError):
    kind = ErrorKind.RATE_LIMITED
    code = "rate_limited"


class StoreUnavailable(DomainError):
    """The store cannot take writes now (read-only file or database, disk full, shut down)."""

    kind = ErrorKind.UNAVAILABLE
    code = "unavailable"
