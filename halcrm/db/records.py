"""Immutable records of the rows the hot paths read, and the ``SELECT`` of each.

The widget's calls and the board's move read and write rows with explicit Core statements
(``db.sql``) instead of the ORM: a record is a plain snapshot of a row as read. Nothing tracks
it; a change is written by an explicit statement, and the caller keeps the new values with
``dataclasses.replace`` where it reads them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, select

from halcrm.db.sql import default_of
from halcrm.db.tables import companies, contacts, projects, stages, visitors

if TYPE_CHECKING:
    from halcrm.db.base import Base


@dataclass(frozen=True, slots=True)
class ProjectRow:
    pk: int
    id: str
    name: str
    stage_update_mode: str
    identity_verification: str
    secret: str
    generation: int
    previous_secret: str | None = None
    secret_rotated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StageRow:
    pk: int
    id: str
    name: str
    position: int
    kind: str
    probability: int
    stall_after_days: int | None


@dataclass(frozen=True, slots=True)
class CompanyRow:
    pk: int
    id: str
    project_pk: int
    name: str
    domain: str | None
    industry: str | None
    notes: str | None
    meta: dict[str, Any]
    deal_value_cents: int | None
    stage_pk: int | None
    is_placeholder: bool
    placeholder_key: str | None
    stage_set_by_hand: bool
    last_stage_source: str | None
    last_stage_at: datetime | None
    last_activity_at: datetime


@dataclass(frozen=True, slots=True)
class ContactRow:
    pk: int
    id: str
    project_pk: int
    email: str | None
    user_id: str | None
    name: str | None
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class VisitorRow:
    pk: int
    project_pk: int
    visitor_id: str
    contact_pk: int | None
    active_company_pk: int | None
    properties: dict[str, Any]
    verified_identity: str | None


R = TypeVar("R")

TABLE_OF: dict[type[Any], Table] = {
    ProjectRow: projects,
    StageRow: stages,
    CompanyRow: companies,
    ContactRow: contacts,
    VisitorRow: visitors,
}
# A field named apart from its column: the JSON ``metadata`` column is ``meta`` (the models'
# ``metadata`` is the ORM's own attribute). The models map it the same way.
COLUMN_OF_FIELD = {"meta": "metadata"}


_COLUMNS: dict[type[Any], tuple[ColumnElement[Any], ...]] = {}
_NAMES: dict[type[Any], dict[str, str]] = {}


def record_columns(record: type[Any]) -> tuple[ColumnElement[Any], ...]:
    """The table's columns for the record's fields, in field order (field → column)."""
    found = _COLUMNS.get(record)
    if found is None:
        table = TABLE_OF[record]
        found = tuple(table.c[COLUMN_OF_FIELD.get(f.name, f.name)] for f in fields(record))
        _COLUMNS[record] = found
    return found


def record_fields(record: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))


def column_names(record: type[Any]) -> dict[str, str]:
    """Attribute → column name for every column of the record's table, its fields and the
    rest (``meta`` is stored as ``metadata``): what an INSERT or UPDATE of it may set."""
    found = _NAMES.get(record)
    if found is None:
        renamed = {column: name for name, column in COLUMN_OF_FIELD.items()}
        found = {renamed.get(c.name, c.name): c.name for c in TABLE_OF[record].c}
        _NAMES[record] = found
    return found


def table_of(record: type[Any]) -> Table:
    return TABLE_OF[record]


def select_of(record: type[Any]) -> Select[Any]:
    """``SELECT`` of the record's columns (add ``.where`` to it)."""
    return select(*record_columns(record))


@dataclass(frozen=True)
class InsertPlan:
    """How ``Tx.insert`` writes a record's row and builds the record without reading it back:
    columns not given get their ``default`` here (the value the INSERT stores), columns with a
    ``server_default`` come back through RETURNING, the rest are NULL."""

    defaults: tuple[tuple[str, Callable[[], Any]], ...]
    returned: tuple[str, ...]
    returning: tuple[ColumnElement[Any], ...]


_PLANS: dict[tuple[type[Any], frozenset[str]], InsertPlan] = {}


def insert_plan(record: type[Any], given: frozenset[str]) -> InsertPlan:
    key = (record, given)
    found = _PLANS.get(key)
    if found is None:
        table = table_of(record)
        defaults, returned = [], ["pk"]
        for f, column in zip(fields(record), record_columns(record), strict=True):
            if f.name in given or f.name == "pk":
                continue
            if column.default is not None:
                defaults.append((f.name, default_of(table.c[column.name])))
            elif column.server_default is not None:
                returned.append(f.name)
        returning = tuple(record_columns(record)[_index(record, n)] for n in returned)
        found = _PLANS[key] = InsertPlan(tuple(defaults), tuple(returned), returning)
    return found


def _index(record: type[Any], name: str) -> int:
    return next(i for i, f in enumerate(fields(record)) if f.name == name)


def of_model(record: type[R], instance: Base) -> R:
    """The record of an ORM instance's current attribute values."""
    return record(*(getattr(instance, f.name) for f in fields(record)))  # type: ignore[arg-type]
