"""The account API over HTTP for a ``--connect`` board: answers decoded into the services'
own records, refusals raised as the same domain errors the in-process services raise."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from halcrm import __version__
from halcrm.domain.errors import (
    Conflict,
    DomainError,
    InvalidRequest,
    NotFound,
    RateLimited,
    StoreUnavailable,
    Unauthorized,
)
from halcrm.domain.stages import Source
from halcrm.domain.wire import (
    AUTHORIZATION,
    BEARER,
    IDEMPOTENCY_KEY,
    PROJECT_HEADER,
    SOURCE_HEADER,
)

T = TypeVar("T")
log = logging.getLogger("halcrm.tui")

BY_STATUS: dict[int, type[DomainError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
    503: StoreUnavailable,
}
# Money goes out as a JSON number, as the API takes it (never a string).
ENCODER = msgspec.json.Encoder(decimal_format="number")


def path_id(value: str) -> str:
    """An id as one path segment (ids may hold spaces and other reserved characters)."""
    return quote(value, safe="")


def _codes() -> dict[str, type[DomainError]]:
    """The domain layer's error classes by wire code (``halcrm.domain.errors`` only: their
    constructors all take a detail; the first class naming a code wins, the base's default
    code left to the class the services raise for it, ``InvalidRequest``)."""
    out: dict[str, type[DomainError]] = {}
    todo: list[type[DomainError]] = DomainError.__subclasses__()
    while todo:
        kind = todo.pop(0)
        if kind.__module__ == DomainError.__module__:
            out.setdefault(kind.code, kind)
        todo.extend(kind.__subclasses__())
    return out


def error_from(status: int, body: bytes) -> DomainError:
    """The domain error an API error body stands for, with its code and detail kept."""
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError:
        data = None
    if not isinstance(data, dict):
        data = {}
    code = str(data.get("error") or "")
    detail = str(data.get("detail") or f"the server answered {status}")
    extra = {k: v for k, v in data.items() if k not in ("error", "detail")}
    kind = _codes().get(code)
    if kind is None:
        kind = BY_STATUS.get(status, StoreUnavailable if status >= 500 else InvalidRequest)
    return kind(detail, code=code or None, **extra)


def _os_reason(exc: BaseException) -> str:
    """`` (connection refused)``: the system's words for the error under ``exc``, if any."""
    cause: BaseException | None = exc
    while cause is not None and not (isinstance(cause, OSError) and cause.errno):
        cause = cause.__cause__ or cause.__context__
    if not isinstance(cause, OSError) or not cause.errno:
        return ""
    # asyncio's strerror names the address ("Connect call failed (...)"); a lookup's is the
    # resolver's own ("Name or service not known"), which os.strerror does not know.
    words = cause.strerror if isinstance(cause, socket.gaierror) else os.strerror(cause.errno)
    return f" ({str(words).lower()})" if words else ""


def unreachable_reason(exc: httpx.HTTPError) -> str:
    """Why a server could not be reached, in words a user acts on (not httpx's repr)."""
    if isinstance(exc, httpx.TimeoutException):
        return "it did not answer in time; is halcrm serving there?"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "the address must start with http:// or https://"
    if isinstance(exc, httpx.ConnectError):
        return f"nothing answers there{_os_reason(exc)}; is halcrm serving there?"
    if isinstance(exc, httpx.ProtocolError):
        return "what answers there does not speak HTTP as halcrm does; is it a halcrm server?"
    return f"the connection failed ({type(exc).__name__}); is halcrm serving there?"


def project_answer(status: int, body: bytes) -> str | None:
    """The project id in a ``GET /api/project`` answer, or None when no halcrm answered so
    (another web server, a proxy's page): a 200 that is not a project or an error body that
    is not halcrm's ``{"error", "detail"}``."""
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None
    if not isinstance(data, dict):
        return None
    if status == 200:
        project = data.get("id")
        return project if isinstance(project, str) and project else None
    return "" if isinstance(data.get("error"), str) and "detail" in data else None


def source_value(source: Source) -> str:
    """The header's value: the board's writes say so; anything else is the account API's."""
    return "board" if source is Source.BOARD else "account_api"


class Connection:
    """One HTTP client (a connection pool) for every call of the board to one server."""

    def __init__(self, url: str, token: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.http = httpx.AsyncClient(
            base_url=self.url,
            headers={
                AUTHORIZATION: f"{BEARER} {token}",
                "User-Agent": f"halcrm-board/{__version__}",
            },
            timeout=timeout,
        )

    async def close(self) -> None:
        await self.http.aclose()

    def unreachable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            f"the server at {self.url} cannot be reached ({type(exc).__name__}); nothing changed",
            code="unavailable",
        )

    async def call(
        self,
        method: str,
        path: str,
        answer: type[T],
        *,
        project_id: str,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        source: Source | None = None,
        read: bool = False,
    ) -> T:
        """One request; its answer decoded as ``answer``, its refusal raised.

        A request whose connection failed before an answer came is sent once more (a kept
        connection the server closed meanwhile fails that way). A write carries an
        ``Idempotency-Key`` for that, the same both times: the server writes it once.
        """
        headers = {PROJECT_HEADER: project_id}
        if source is not None:
            headers[SOURCE_HEADER] = source_value(source)
        content = None
        if body is not None:
            content = ENCODER.encode(body)
            headers["Content-Type"] = "application/json"
        # ``read``: a POST that writes nothing (its ids in a body): no key is stored for it.
        write = method != "GET" and not read
        if write:
            headers[IDEMPOTENCY_KEY] = "board-" + uuid.uuid4().hex
        query = httpx.QueryParams(params or {})
        for attempt in (1, 2):
            try:
                response = await self.http.request(
                    method,
                    path,
                    content=content,
                    params=query,
                    headers=headers,
                )
                break
            except httpx.TransportError as exc:
                if attempt == 2:
                    raise self.unreachable(exc) from exc
                log.info("retrying %s %s once after %r", method, path, exc)
        if response.status_code >= 400:
            raise error_from(response.status_code, response.content)
        if answer is type(None) and not response.content:  # a 204: done, nothing to read
            return None  # type: ignore[return-value]
        try:
            return msgspec.json.decode(response.content, type=answer)
        except msgspec.ValidationError as exc:
            raise StoreUnavailable(
                f"the server at {self.url} answered {method} {path} in a shape this board "
                f"does not read ({exc}); is it another halcrm version?"
            ) from exc
