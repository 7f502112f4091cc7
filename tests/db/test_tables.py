"""The tables are declared once, as Core ``Table``s: the mapped classes' annotations only type
them and cannot drift from that declaration, and the tables load without the ORM."""

from __future__ import annotations

import subprocess
import sys
import types
import typing
from typing import Any, Union

from sqlalchemy import inspect
from sqlalchemy.orm import Mapped

from halcrm.db import models, records, tables


def _mapped_annotations(cls: type) -> dict[str, Any]:
    """The class's own ``Mapped[X]`` annotations as ``{attribute: X}`` (not the ORM base's)."""
    hints = typing.get_type_hints(cls)
    own = vars(cls).get("__annotations__", {})
    mapped = {}
    for key in own:
        hint = hints[key]
        assert typing.get_origin(hint) is Mapped, f"{cls.__name__}.{key} is not Mapped[...]"
        (mapped[key],) = typing.get_args(hint)
    return mapped


def _is_optional(python_type: Any) -> bool:
    union = typing.get_origin(python_type) in (Union, types.UnionType)
    return union and types.NoneType in typing.get_args(python_type)


def test_every_mapped_attribute_is_typed_as_its_column_is_declared() -> None:
    declared = {getattr(tables, name) for name in tables.__all__}
    for name in models.__all__:
        cls = getattr(models, name)
        assert cls.__table__ in declared, f"{name} maps a table of its own"
        annotations = _mapped_annotations(cls)
        columns = {attr.key: attr.columns[0] for attr in inspect(cls).column_attrs}
        assert set(annotations) == set(columns), name
        for key, column in columns.items():
            # A nullable column reads as ``X | None``; a NOT NULL one as ``X``.
            assert _is_optional(annotations[key]) == column.nullable, f"{name}.{key}"


def test_the_tables_load_without_the_orm() -> None:
    # The server's start pays for sqlalchemy.orm only where the ORM is used, not for the schema.
    code = "import sys, halcrm.db.tables; print('sqlalchemy.orm' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"


def test_every_record_field_reads_its_column_under_the_models_name() -> None:
    # The hot paths read rows as records through Core, the rest as mapped objects: a field is
    # named as the model's attribute for the same column (``meta`` for ``metadata``), and
    # typed as nullable exactly where the column is.
    for record, table in records.TABLE_OF.items():
        (model,) = [m for n in models.__all__ if (m := getattr(models, n)).__table__ is table]
        attribute = {attr.columns[0].name: attr.key for attr in inspect(model).column_attrs}
        hints = typing.get_type_hints(record)
        for field, column in zip(
            records.record_fields(record), records.record_columns(record), strict=True
        ):
            assert column.table is table, f"{record.__name__}.{field}"
            assert attribute[column.name] == field, f"{record.__name__}.{field}"
            assert _is_optional(hints[field]) == column.nullable, f"{record.__name__}.{field}"
        names = records.column_names(record)
        assert sorted(names.values()) == sorted(table.c.keys()), record.__name__
        assert all(attribute[column] == name for name, column in names.items()), record.__name__
