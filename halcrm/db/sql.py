"""Core statements compiled once per dialect and run on the DBAPI cursor of a transaction.

Measured here, SQLAlchemy's per-statement execution context cost several times the SQLite
statement itself on the widget's paths. So the hot statements are plain Core statements built
once (at import, or by the cached builders below), compiled once per dialect, and run straight
on the driver's cursor with the same bind and result processing SQLAlchemy would apply (UTC
datetimes, JSON, booleans) and the same column defaults an INSERT would fill. Rows come back as
plain tuples; ``db.records`` turns them into immutable records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    CompoundSelect,
    DateTime,
    Delete,
    Insert,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    insert,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.schema import CallableColumnDefault, Column, ScalarElementColumnDefault

Statement = Select[Any] | CompoundSelect[Any] | Insert | Update | Delete


def default_of(column: Column[Any]) -> Callable[[], Any]:
    """How SQLAlchemy fills a column an INSERT does not name (its Python-side ``default``)."""
    default = column.default
    if isinstance(default, ScalarElementColumnDefault):
        value = default.arg
        return lambda: value
    if isinstance(default, CallableColumnDefault):
        make = default.arg
        return lambda: make(None)  # type: ignore[call-arg,arg-type]  # a new dict or list
    raise TypeError(f"column {column} has a default halcrm cannot run outside the ORM")


@dataclass(frozen=True)
class Prepared:
    """A statement compiled once for a dialect, with what its parameters and results need."""

    sql: str
    order: tuple[str, ...] | None
    """Parameter names in position order (qmark drivers); ``None`` for named parameters."""
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    constants: dict[str, Any]
    """Values the statement carries itself (a ``LIMIT 1``)."""
    defaults: tuple[tuple[str, Callable[[], Any]], ...]
    """Columns an INSERT fills from their ``default`` (a new ``{}`` for JSON, ``False``)."""
    results: tuple[Callable[[Any], Any] | None, ...]
    is_select: bool

    def parameters(self, values: Mapping[str, Any]) -> Any:
        if self.constants or self.defaults:
            values = {**self.constants, **values}
            for name, make in self.defaults:
                values[name] = make()
        if self.order is None:
            if self.binds:
                values = dict(values)
                for name, process in self.binds:
                    values[name] = process(values[name])
            return values
        picked = self.pick(values)
        if not self._bound:
            return picked
        # Processed in place once picked: no copy of the named values first.
        out = list(picked)
        for n, process in self._bound:
            out[n] = process(out[n])
        return out

    @cached_property
    def _bound(self) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """The positional parameters that have a bind processor, by position."""
        process = dict(self.binds)
        names = self.order or ()
        return tuple((n, process[name]) for n, name in enumerate(names) if name in process)

    @cached_property
    def pick(self) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
        """The positional parameters from the named ones (qmark drivers)."""
        found = _PICKERS.get(self.order)
        if found is None:
            names = self.order or ()
            if len(names) < 2:
                found = _PICKERS[self.order] = lambda values: tuple(values[n] for n in names)
            else:
                found = _PICKERS[self.order] = itemgetter(*names)
        return found

    @cached_property
    def _processed(self) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """The result columns that have a processor, by position: most have none."""
        return tuple((n, process) for n, process in enumerate(self.results) if process)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        if not self.results:
            return tuple(raw)
        values = list(raw)
        for n, process in self._processed:
            value = values[n]
            if value is not None:
                values[n] = process(value)
        return tuple(values)


def _is_datetime(kind: Any) -> bool:
    return isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime)


def _is_json(kind: Any) -> bool:
    return isinstance(kind, JSON) or isinstance(getattr(kind, "impl", None), JSON)


def _empty_first(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A JSON bind processor that knows the text of ``{}``, which most new rows hold."""
    empty = process({})

    def encode(value: Any) -> Any:
        if type(value) is dict and not value:
            return empty
        return process(value)

    return encode


_PICKERS: dict[tuple[str, ...] | None, Callable[[Mapping[str, Any]], tuple[Any, ...]]] = {}
_MEMOS: dict[tuple[Any, ...], list[tuple[Any, Any]]] = {}


def _memo(process: Callable[[Any], Any], kind: tuple[Any, ...]) -> Callable[[Any], Any]:
    """A datetime bind processor that remembers its last value, shared by every statement of
    one column type: the statements of a call bind the same ``tx.now`` again and again, and
    formatting it each time was a tenth of a widget call."""
    last = _MEMOS.setdefault(kind, [(object(), None)])

    def remembered(value: Any) -> Any:
        seen, out = last[0]
        if value is seen:
            return out
        out = process(value)
        last[0] = (value, out)
        return out

    return remembered


_PREPARED: dict[tuple[int, str], Prepared] = {}
# Statements whose compiled form is kept: holding them keeps their ids from being reused.
_KEEP: list[Statement] = []


def prepared(stmt: Statement, dialect: Dialect) -> Prepared:
    """``stmt`` compiled for ``dialect``; kept for the process (statements are built once)."""
    key = (id(stmt), dialect.name)
    found = _PREPARED.get(key)
    if found is not None:
        return found
    compiled = stmt.compile(dialect=dialect)
    prefetch = {column.key: column for column in getattr(compiled, "insert_prefetch", ())}
    defaults = tuple((name, default_of(column)) for name, column in prefetch.items())
    constants = {
        name: bind.effective_value
        for name, bind in compiled.binds.items()
        if not bind.required and name not in prefetch
    }
    binds: list[tuple[str, Callable[[Any], Any]]] = []
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        if _is_datetime(bind.type):
            kind = (repr(bind.type), type(bind.type), dialect.name)
            binds.append((name, _memo(process, kind)))
        elif dialect.name == "sqlite" and _is_json(bind.type):
            binds.append((name, _empty_first(process)))
        else:
            binds.append((name, process))
    results: list[Callable[[Any], Any] | None] = []
    reads = isinstance(stmt, Select | CompoundSelect)
    returned = (
        stmt.selected_columns
        if isinstance(stmt, Select | CompoundSelect)
        else stmt.exported_columns
    )
    for column in returned:
        results.append(column.type.dialect_impl(dialect).result_processor(dialect, None))
    if not any(results):
        results = []
    found = Prepared(
        compiled.string,
        tuple(compiled.positiontup or ()) if compiled.positional else None,
        tuple(binds),
        constants,
        defaults,
        tuple(results),
        is_select=reads,
    )
    _KEEP.append(stmt)
    _PREPARED[key] = found
    return found


# Builders for the statements whose shape depends on which columns a call writes. Each shape is
# built once and kept (``functools.cache``), so ``prepared`` finds it by identity next time.


@cache
def update_by_pk(table: Table, names: frozenset[str]) -> Update:
    """``UPDATE table SET <names> WHERE pk = :pk_`` (column names as bind names)."""
    return (
        update(table)
        .where(table.c.pk == bindparam("pk_"))
        .values({table.c[name]: bindparam(name) for name in sorted(names)})
    )


@cache
def insert_returning(
    table: Table, names: frozenset[str], returning: tuple[ColumnElement[Any], ...]
) -> Insert:
    """``INSERT INTO table (<names>) … RETURNING <returning>``; other columns get their defaults."""
    return (
        insert(table)
        .values({table.c[name]: bindparam(name) for name in sorted(names)})
        .returning(*returning)
    )


@cache
def insert_row(table: Table, names: frozenset[str]) -> Insert:
    """``INSERT INTO table (<names>) …``, answering nothing; other columns get their defaults."""
    return insert(table).values({table.c[name]: bindparam(name) for name in sorted(names)})


@cache
def delete_by_pk(table: Table) -> Delete:
    return delete(table).where(table.c.pk == bindparam("pk_"))
