"""Rows as detached instances of the mapped classes, read and written with Core statements.

The widget's calls are most of halcrm's writes, and each touches a handful of rows. Measured
here, the ORM's unit of work (flushes, identity bookkeeping, statement building) cost several
times the SQL itself on that path. So the hot paths read rows into *detached* instances of the
same model classes (one type per table for the service code, whichever way a row was loaded),
and ``Tx`` writes what a call changed with cached Core statements. Instances loaded through the
ORM session stay ORM-managed: ``Tx.set`` assigns those and lets the session flush them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Delete,
    Insert,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    insert,
    inspect,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from halcrm.db.base import Base

M = TypeVar("M", bound=Base)


@dataclass(frozen=True)
class Shape:
    """How one model's attributes map onto its table's columns."""

    model: type[Base]
    table: Table
    attrs: tuple[tuple[str, ColumnElement[Any]], ...]
    names: frozenset[str]
    select: Select[Any]

    def column(self, attr: str) -> ColumnElement[Any]:
        return dict(self.attrs)[attr]


@cache
def shape(model: type[Base]) -> Shape:
    mapper = inspect(model)
    attrs = tuple((prop.key, prop.columns[0]) for prop in mapper.column_attrs)
    table = mapper.local_table
    assert isinstance(table, Table)
    names = frozenset(attr for attr, _ in attrs)
    return Shape(model, table, attrs, names, select(*(column for _, column in attrs)))


def attrs(model: type[Base]) -> frozenset[str]:
    return shape(model).names


def columns(model: type[Base]) -> Select[Any]:
    """``SELECT`` of every column of the model, in attribute order (add ``.where`` to it)."""
    return shape(model).select


def detached(model: type[M], values: Mapping[str, Any]) -> M:
    """An instance of ``model`` holding ``values``, attached to no session.

    Built the way the ORM's own loader builds instances (no attribute events), which is what
    makes a row cheap here.
    """
    instance = inspect(model).class_manager.new_instance()
    instance.__dict__.update(values)
    return instance  # type: ignore[return-value]


def from_row(model: type[M], row: Sequence[Any]) -> M:
    attrs = shape(model).attrs
    return detached(model, {attr: value for (attr, _), value in zip(attrs, row, strict=True)})


def all_from(model: type[M], rows: Iterable[Sequence[Any]]) -> list[M]:
    return [from_row(model, row) for row in rows]


@cache
def update_statement(model: type[Base], attrs: frozenset[str]) -> Update:
    """``UPDATE … SET <attrs> WHERE pk = :pk_``, built once per set of attributes."""
    found = shape(model)
    return (
        sql_update(found.table)
        .where(found.table.c.pk == bindparam("pk_"))
        .values({found.column(attr): bindparam(attr) for attr in sorted(attrs)})
    )


@cache
def insert_statement(model: type[Base], attrs: frozenset[str]) -> Insert:
    """``INSERT … RETURNING pk``, built once per set of attributes."""
    found = shape(model)
    return (
        insert(found.table)
        .values({found.column(attr): bindparam(attr) for attr in sorted(attrs)})
        .returning(found.table.c.pk)
    )


@cache
def delete_statement(model: type[Base]) -> Delete:
    """``DELETE … WHERE pk = :pk_``."""
    table = shape(model).table
    return delete(table).where(table.c.pk == bindparam("pk_"))


def defaults(model: type[Base], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` with every other attribute filled as the INSERT fills it (scalar defaults,
    else ``None``)."""
    values = dict(given)
    for attr, column in shape(model).attrs:
        if attr in values:
            continue
        default = getattr(column, "default", None)
        if isinstance(default, ScalarElementColumnDefault):
            values[attr] = default.arg
        elif isinstance(default, CallableColumnDefault):
            values[attr] = default.arg(None)  # type: ignore[arg-type]  # dict or list: a new one
        else:
            values[attr] = None
    return values


@dataclass(frozen=True)
class Prepared:
    """A statement compiled once for a dialect, run on the DBAPI cursor with the same bind and
    result processing SQLAlchemy would apply (UTC datetimes, JSON, booleans)."""

    sql: str
    order: tuple[str, ...] | None
    """Parameter names in position order (qmark drivers); ``None`` for named parameters."""
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    constants: dict[str, Any]
    """Values the statement carries itself (a ``LIMIT 1``)."""
    results: tuple[Callable[[Any], Any] | None, ...]
    is_select: bool

    def parameters(self, values: Mapping[str, Any]) -> Any:
        if self.constants:
            values = {**self.constants, **values}
        if self.binds:
            values = dict(values)
            for name, process in self.binds:
                values[name] = process(values[name])
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        if not self.results:
            return tuple(raw)
        return tuple(
            value if process is None or value is None else process(value)
            for process, value in zip(self.results, raw, strict=True)
        )


_PREPARED: dict[tuple[int, str], Prepared] = {}


Statement = Select[Any] | Insert | Update | Delete


def prepared(stmt: Statement, dialect: Dialect) -> Prepared:
    """``stmt`` compiled for ``dialect``; kept for the process (statements are built at import)."""
    key = (id(stmt), dialect.name)
    found = _PREPARED.get(key)
    if found is not None:
        return found
    compiled = stmt.compile(dialect=dialect)
    binds = []
    constants = {
        name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
    }
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binds.append((name, process))
    results: list[Callable[[Any], Any] | None] = []
    returned = stmt.selected_columns if isinstance(stmt, Select) else stmt.exported_columns
    for column in returned:
        results.append(column.type.dialect_impl(dialect).result_processor(dialect, None))
    if not any(results):
        results = []
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    found = Prepared(
        compiled.string,
        order,
        tuple(binds),
        constants,
        tuple(results),
        is_select=isinstance(stmt, Select),
    )
    # The statement object is kept alive with it, so its id is never reused for another.
    _KEEP.append(stmt)
    _PREPARED[key] = found
    return found


_KEEP: list[Statement] = []
