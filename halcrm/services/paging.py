"""Keyset pagination and text search shared by every list the services answer."""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import BigInteger, ColumnElement, Select, and_, or_, true

from halcrm.db.folded import folded
from halcrm.db.tx import Tx
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.search import fold, terms

if TYPE_CHECKING:
    from sqlalchemy.orm import InstrumentedAttribute

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


# Every key a cursor carries is a row's primary key: a positive 64-bit integer.
_KEY = re.compile(r"[1-9][0-9]{0,18}")
_KEY_MAX = 2**63 - 1


def decode_cursor(cursor: str | None) -> int | None:
    """The key of a cursor ``encode_cursor`` made; anything else (a key out of the database's
    range, another spelling of the same bytes, garbage) is 400."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, binascii.Error) as exc:
        raise InvalidRequest("cursor is not valid", field="cursor") from exc
    if _KEY.fullmatch(text) is None or int(text) > _KEY_MAX or encode_cursor(int(text)) != cursor:
        raise InvalidRequest("cursor is not valid", field="cursor")
    return int(text)


def _max_key(key: InstrumentedAttribute[int]) -> int:
    """The largest key the column can hold: no cursor of halcrm's carries a larger one (and
    PostgreSQL refuses to compare a 32-bit column with a larger parameter)."""
    return _KEY_MAX if isinstance(key.type, BigInteger) else 2**31 - 1


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


def page_params(limit: int | None, cursor: str | None) -> tuple[int, int | None]:
    """Checks a request's ``limit`` and ``cursor`` before any transaction starts."""
    return check_limit(limit), decode_cursor(cursor)


def fetch_page(
    tx: Tx,
    stmt: Select[T],
    key: InstrumentedAttribute[int],
    limit: int,
    after: int | None,
    *,
    newest_first: bool = False,
) -> tuple[list[T], str | None]:
    """Runs ``stmt`` for one page ordered by ``key``; answers the rows and the next cursor.

    One row more than asked is read to know whether another page follows.
    """
    if after is not None:
        if after > _max_key(key):
            raise InvalidRequest("cursor is not valid", field="cursor")
        stmt = stmt.where(key < after if newest_first else key > after)
    order = key.desc() if newest_first else key
    rows = list(tx.session.scalars(stmt.order_by(order).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(getattr(rows[-1], key.key))


def text_matches(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case- and accent-insensitive search over ``columns``: each term of ``text``
    (``domain.search``) is in one of them, in any order; ``%`` and ``_`` match themselves."""
    wanted = terms(fold(text))
    if not wanted:
        return true()
    return and_(*(or_(*(_contains(column, term) for column in columns)) for term in wanted))


def _contains(column: Any, term: str) -> ColumnElement[bool]:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return folded(column).like(f"%{escaped}%", escape="\\")
