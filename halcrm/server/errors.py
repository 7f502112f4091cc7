"""Every refusal as ``{"error": CODE, "detail": sentence}``; unexpected failures are logged."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from halcrm.domain.errors import DomainError, ErrorKind, StoreUnavailable
from halcrm.domain.wire import RETRY_AFTER
from halcrm.server.refusals import WIDGET_PREFIX, Refusal, RefusalReporter, parsed_body

log = logging.getLogger("halcrm.server")

STATUS_BY_KIND = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
}

CODE_BY_STATUS = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def error_response(status: int, code: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    headers = {RETRY_AFTER: str(extra.pop("retry_after"))} if "retry_after" in extra else None
    return Response({"error": code, "detail": detail, **extra}, status_code=status, headers=headers)


def report_refusal(request: Request[Any, Any, Any], status: int, code: str, detail: str) -> None:
    """A refused widget call goes to the log and the bus (never the database)."""
    path = request.scope.get("path", "")
    if not path.startswith(WIDGET_PREFIX) or not 400 <= status < 500:
        return
    reporter: RefusalReporter | None = request.app.state.get("refusals")
    if reporter is None:
        return
    body = parsed_body(request) or {}
    project = body.get("app_id") or body.get("project_id")
    visitor = body.get("visitor_id")
    reporter.report(
        Refusal(
            project_id=project if isinstance(project, str) else request.app.state.project_id,
            route=path.removeprefix(WIDGET_PREFIX) or path,
            visitor_id=visitor if isinstance(visitor, str) else None,
            code=code,
            detail=detail,
            status=status,
        )
    )


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = STATUS_BY_KIND[exc.kind]
    report_refusal(request, status, exc.code, exc.detail)
    return error_response(status, exc.code, exc.detail, **exc.extra)


def validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    problems = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key = item.get("key")
            message = str(item.get("message", "")).strip()
            if key == "data" and message in ("'data'", ""):
                # Litestar's way of saying the body was empty.
                key, message = None, "the request body is missing: send a JSON object"
            problems.append(f"{key}: {message}" if key else message)
    detail = "; ".join(p for p in problems if p) or _clean(exc.detail) or "request is not valid"
    report_refusal(request, 400, "invalid_request", detail)
    return error_response(400, "invalid_request", detail, problems=problems or None)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    code = CODE_BY_STATUS.get(status, "error")
    detail = _clean(exc.detail) or code.replace("_", " ")
    if status == 413:
        detail = "request body is larger than the server accepts (64 KiB by default)"
    headers = {k: v for k, v in (exc.headers or {}).items()}
    report_refusal(request, status, code, detail)
    response = error_response(status, code, detail)
    response.headers.update(headers)
    return response


# SQLite's messages for a store that cannot take writes, and what to tell the caller.
SQLITE_REASONS = {
    "readonly database": "the database file is read-only",
    "disk is full": "the disk is full",
    "disk i/o error": "the disk failed to write",
    "unable to open database": "the database file cannot be opened",
    "file is not a database": "the database file is damaged",
    "disk image is malformed": "the database file is damaged",
}
# PostgreSQL SQLSTATEs (exact, then by class) for the same situations.
PG_REASONS = {
    "25006": "the database is read-only",
    "53100": "the database server's disk is full",
    "57P01": "the database server is shutting down",
    "57P02": "the database server is shutting down",
    "57P03": "the database server is not accepting connections",
}
PG_CLASS_REASONS = {
    "08": "the connection to the database was lost",
    "53": "the database server is out of resources",
    "57": "the database server stopped the call",
}
# A store that is down answers every call the same way: one log line per this many seconds.
UNAVAILABLE_LOG_SECONDS = 10.0


def unavailable_reason(exc: BaseException) -> str | None:
    """Why the store cannot take the call (read-only, disk full, shut down), or None when
    ``exc`` is some other failure. Looks through SQLAlchemy's wrappers and causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PoolTimeout):
            return "no database connection is free"
        orig = current.orig if isinstance(current, DBAPIError) else current
        reason = _driver_reason(orig)
        if reason is not None:
            return reason
        current = current.__cause__ or current.__context__
    return None


def _driver_reason(orig: BaseException | None) -> str | None:
    if isinstance(orig, sqlite3.Error):
        text = str(orig).lower()
        return next((why for what, why in SQLITE_REASONS.items() if what in text), None)
    if orig is None or not type(orig).__module__.startswith("psycopg"):
        return None
    import psycopg  # only for PostgreSQL's errors: a SQLite server never loads the driver

    if isinstance(orig, psycopg.Error):
        state = orig.sqlstate or ""
        if state in PG_REASONS:
            return PG_REASONS[state]
        if state[:2] in PG_CLASS_REASONS:
            return PG_CLASS_REASONS[state[:2]]
        if not state and isinstance(orig, psycopg.OperationalError):
            return "the database server cannot be reached"
    return None


class Throttle:
    """Lets one log line through per ``seconds``, counting the ones it held back (one per
    app, in its state)."""

    def __init__(self, seconds: float = UNAVAILABLE_LOG_SECONDS) -> None:
        self.seconds = seconds
        self.last = -seconds
        self.held = 0

    def allow(self) -> int | None:
        now = time.monotonic()
        if now - self.last < self.seconds:
            self.held += 1
            return None
        held, self.held, self.last = self.held, 0, now
        return held


def store_unavailable(request: Request[Any, Any, Any], reason: str) -> Response[dict[str, Any]]:
    throttle: Throttle = request.app.state.unavailable_log
    held = throttle.allow()
    if held is not None:
        more = f" ({held} more refused since the last line)" if held else ""
        log.warning(
            "store unavailable on %s %s: %s%s", request.method, request.url.path, reason, more
        )
    error = StoreUnavailable(f"{reason}; nothing was written, try again later")
    return error_response(503, error.code, error.detail)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    reason = unavailable_reason(exc)
    if reason is not None:
        return store_unavailable(request, reason)
    # Litestar only logs unhandled errors in debug mode: this is where they are not lost.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "the server failed; see its log file"
    )


def _clean(detail: str | None) -> str:
    return (detail or "").strip()


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
