"""Every refusal as ``{"error": CODE, "detail": sentence}``; unexpected failures are logged."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from halcrm.domain.errors import DomainError, ErrorKind

log = logging.getLogger("halcrm.server")

STATUS_BY_KIND = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.RATE_LIMITED: 429,
}

CODE_BY_STATUS = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def error_response(status: int, code: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
    return Response({"error": code, "detail": detail, **extra}, status_code=status, headers=headers)


def domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return error_response(STATUS_BY_KIND[exc.kind], exc.code, exc.detail, **exc.extra)


def validation_error(
    _: Request[Any, Any, Any], exc: ValidationException
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
    return error_response(400, "invalid_request", detail, problems=problems or None)


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    code = CODE_BY_STATUS.get(status, "error")
    detail = _clean(exc.detail) or code.replace("_", " ")
    if status == 413:
        detail = "request body is larger than the server accepts (64 KiB by default)"
    headers = {k: v for k, v in (exc.headers or {}).items()}
    response = error_response(status, code, detail)
    response.headers.update(headers)
    return response


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
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
