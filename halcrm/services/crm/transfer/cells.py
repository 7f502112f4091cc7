"""One cell in and out: the API's own limits on the way in, the formula guard both ways.

An import refuses every cell the HTTP API would refuse, with the same limits: the lengths and
id pattern of the request shapes (``CompanyCreate``, ``ContactCreate``), held also to the
table's column width; no NUL (``services/limits.py``); JSON cells decoded as a body is. The
file is read as strict UTF-8, so a text cell cannot hold a lone surrogate; a JSON cell's
``\\udXXX`` escape is refused by the decoder.

CSV exports guard cells a spreadsheet would run as a formula (``= + - @``, tab, carriage
return first) with a leading ``'``; the import takes the guard off again, so an export
imported back is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import String, Table

from halcrm.db.tables import companies, contacts
from halcrm.domain.errors import InvalidRequest
from halcrm.services.crm.inputs import CompanyCreate, ContactCreate
from halcrm.services.limits import decode_json


class CellRefused(ValueError):
    """A cell the API would refuse; the reason names no column (the caller knows it)."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(text: str) -> bool:
    """Whether an export writes ``text`` behind a ``'``: it starts like a formula, or it is
    a ``'`` before such a text (so the import's taking-off is exact)."""
    while text.startswith("'"):
        text = text[1:]
    return text.startswith(FORMULA_STARTS)


def guard(text: str) -> str:
    return "'" + text if text[:1] in _FIRST and guarded(text) else text


def unguard(cell: str) -> str | None:
    """The cell without an export's guard, or None when it carries none."""
    if cell[:1] == "'" and guarded(cell[1:]):
        return cell[1:]
    return None


_FIRST = frozenset(("'", *FORMULA_STARTS))
# Zero-width and formatting characters that show nothing (Unicode's Cf class, in practice).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """``text`` without invisible characters, stripped again (one may have hidden a space)."""
    if text.isascii():
        return text
    return _INVISIBLE.sub("", text).strip()


@dataclass(frozen=True)
class Limit:
    max_length: int | None
    pattern: re.Pattern[str] | None = None
    min_length: int = 0


def _width(table: Table, column: str) -> int | None:
    kind = table.c[column].type
    return kind.length if isinstance(kind, String) else None


def _fields(shape: type[msgspec.Struct]) -> dict[str, Any]:
    """A request shape's fields by name, inspected once: each inspection walks the whole
    shape, and the limits below read 16 fields."""
    return {f.name: f for f in msgspec.inspect.type_info(shape).fields}  # type: ignore[attr-defined]


_SHAPES: dict[type[msgspec.Struct], dict[str, Any]] = {
    shape: _fields(shape) for shape in (CompanyCreate, ContactCreate)
}


def _limit(shape: type[msgspec.Struct], name: str, table: Table, column: str) -> Limit:
    """The request shape's limits on a field, within the table's column width."""
    kind = _SHAPES[shape][name].type
    if isinstance(kind, msgspec.inspect.UnionType):
        kind = next(t for t in kind.types if isinstance(t, msgspec.inspect.StrType))
    assert isinstance(kind, msgspec.inspect.StrType)
    width = _width(table, column)
    lengths = [n for n in (kind.max_length, width) if n is not None]
    pattern = re.compile(kind.pattern) if kind.pattern else None
    return Limit(min(lengths) if lengths else None, pattern, kind.min_length or 0)


LIMITS: dict[str, Limit] = {
    "company.id": _limit(CompanyCreate, "id", companies, "id"),
    "company.name": _limit(CompanyCreate, "name", companies, "name"),
    "company.domain": _limit(CompanyCreate, "domain", companies, "domain"),
    "company.industry": _limit(CompanyCreate, "industry", companies, "industry"),
    "company.notes": _limit(CompanyCreate, "notes", companies, "notes"),
    "company.stage": _limit(CompanyCreate, "stage", companies, "name"),
    "company.placeholder_key": Limit(_width(companies, "placeholder_key")),
    "contact.id": _limit(ContactCreate, "id", contacts, "id"),
    "contact.email": _limit(ContactCreate, "email", contacts, "email"),
    "contact.user_id": _limit(ContactCreate, "user_id", contacts, "user_id"),
    "contact.name": _limit(ContactCreate, "name", contacts, "name"),
    "contact.phone": _limit(ContactCreate, "phone", contacts, "phone"),
    "contact.notes": _limit(ContactCreate, "notes", contacts, "notes"),
    "contact.company": _limit(CompanyCreate, "name", companies, "name"),
    "deal.name": _limit(CompanyCreate, "name", companies, "name"),
}
# A tag, and how many a contact takes (``Tags`` of the request shapes).
_TAGS = _SHAPES[ContactCreate]["tags"]
_TAG_LIST = next(t for t in _TAGS.type.types if isinstance(t, msgspec.inspect.ListType))
_TAG = _TAG_LIST.item_type
assert isinstance(_TAG, msgspec.inspect.StrType)
LIMITS["contact.tag"] = Limit(_TAG.max_length, min_length=1)
MAX_TAGS: int = _TAG_LIST.max_length or 100
ID_RULE = "must not start with a space nor contain '/' (the API could not address it)"


def text(column: str, value: str) -> str:
    """``value`` when the API would take it in ``column``, else :class:`CellRefused`."""
    if "\x00" in value:
        raise CellRefused("contains a NUL character")
    limit = LIMITS.get(column)
    if limit is None:
        return value
    if limit.max_length is not None and len(value) > limit.max_length:
        raise CellRefused(f"is longer than {limit.max_length:,} characters")
    if len(value) < limit.min_length:
        raise CellRefused(f"must be at least {limit.min_length} characters")
    if limit.pattern is not None and not limit.pattern.search(value):
        raise CellRefused(ID_RULE)
    return value


def json_cell(value: str) -> Any:
    """A JSON cell decoded as the API decodes a body (size, depth, NUL, lone surrogates)."""
    try:
        return decode_json(value)
    except InvalidRequest as exc:
        raise CellRefused(exc.detail) from None
