"""The limits every way in shares (the HTTP API and ``halcrm import``): no NUL, no lone
surrogate, JSON nested at most ``MAX_JSON_DEPTH`` levels, a body at most the server's body limit.

PostgreSQL refuses NUL in text and JSONB while SQLite stores it, and a lone surrogate cannot be
written out as UTF-8 at all, so both are refused on the way in, for both stores alike. Deep
nesting is refused before a body is decoded, so no decoder's recursion limit is ever reached.
The lengths of each field are the request shapes' (``services/fields.py``), the metadata
limits ``domain/metadata.py``'s.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

from halcrm.domain.errors import InvalidRequest

# Objects and arrays inside one another: a widget body needs about 6 (body, company, metadata
# and its 3 levels); far below where the decoder would recurse too deep.
MAX_JSON_DEPTH = 16
# The server's default body limit (``Settings.max_body_bytes``); an import's line is held to it.
MAX_BODY_BYTES = 64 * 1024
NUL_DETAIL = "text must not contain NUL characters (\\u0000)"
# A JSON string (skipped whole) or one bracket; what the depth scan walks over.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def check_json_body(body: bytes) -> None:
    """Refuses a body nested deeper than ``MAX_JSON_DEPTH`` or with a NUL in any string.

    Both checks start with a scan that runs in C (counting brackets, finding ``\\u0000``), so a
    common body costs almost nothing; only a suspicious one is walked.
    """
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH:
        _check_depth(body)
    if b"\\u0000" in body and has_nul(_decode_untyped(body)):
        raise InvalidRequest(NUL_DETAIL)


def _check_depth(body: bytes) -> None:
    depth = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InvalidRequest(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
        elif token in (b"]", b"}"):
            depth -= 1


def _decode_untyped(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        # Malformed JSON is refused by the route's own decoding, with its message.
        return None


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def decode_json(text: str, *, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """A JSON value as the API would take it in a body, else :class:`InvalidRequest` saying why:
    larger than ``max_bytes``, nested too deep, malformed (a lone surrogate escape included),
    or holding a NUL."""
    body = text.encode("utf-8", "surrogatepass")
    if len(body) > max_bytes:
        raise InvalidRequest(f"is larger than the API's limit of {max_bytes:,} bytes")
    check_json_body(body)
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        reason = str(exc).removeprefix("JSON is malformed: ")
    # The standard decoder takes a lone surrogate escape that msgspec refuses (the API's 400):
    # it tells that case from malformed JSON (the depth was checked, it cannot recurse far).
    try:
        json.loads(body)
    except ValueError:
        raise InvalidRequest(f"is not valid JSON ({reason})") from None
    raise InvalidRequest("holds a lone surrogate (a \\udXXX escape without its pair)")
