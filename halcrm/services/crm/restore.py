"""A company captured whole before a delete, and put back with the same id (the board's undo)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Date, DateTime, Table, select, update

from halcrm.db.base import Base
from halcrm.db.models import (
    Company,
    Contact,
    ContactCompany,
    Event,
    FocusAnswer,
    Project,
    Stage,
    StageChange,
    Task,
    Visitor,
)
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.db.types import UTCDateTime
from halcrm.domain.errors import Conflict, InvalidRequest
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.services.crm.queries import company_id_taken, company_record, get_company
from halcrm.services.crm.records import CompanyRecord, CompanySnapshot


def column_values(obj: Base, skip: tuple[str, ...] = ("pk",)) -> dict[str, Any]:
    """The row's columns as a snapshot keeps them (its keys in ``skip`` and its project aside)."""
    mapper = obj.__mapper__
    return {
        attr.key: getattr(obj, attr.key)
        for attr in mapper.column_attrs
        if attr.key not in skip and attr.key != "project_pk"
    }


def _capture(tx: Tx, company: Company) -> CompanySnapshot:
    session = tx.session
    stage = session.get(Stage, company.stage_pk) if company.stage_pk else None

    def rows(model: type[Base], column: Any) -> list[dict[str, Any]]:
        found = session.scalars(select(model).where(column == company.pk).order_by(column))
        return [column_values(r, ("pk", "company_pk")) for r in found]

    return CompanySnapshot(
        company=column_values(company, ("pk", "stage_pk")),
        stage_id=stage.id if stage is not None else None,
        links=rows(ContactCompany, ContactCompany.company_pk),
        stage_changes=rows(StageChange, StageChange.company_pk),
        events=rows(Event, Event.company_pk),
        focus_answers=rows(FocusAnswer, FocusAnswer.company_pk),
        tasks=rows(Task, Task.company_pk),
        visitor_pks=list(
            session.scalars(select(Visitor.pk).where(Visitor.active_company_pk == company.pk))
        ),
    )


# Columns a restore sets itself, whatever a snapshot says.
GIVEN = ("project_pk", "company_pk", "stage_pk")


def checked_row(
    model: type[Base], row: dict[str, Any], given: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The row checked against the model's columns, its times as datetimes again (a snapshot
    that went over the account API carries them as RFC 3339 strings). A row that names an
    unknown column, or holds a value of the wrong type, is refused: nothing is written.
    ``given`` are the columns the restore sets itself."""
    # A class mapped onto its declared table has no ``__tablename__``: the table has the name.
    name = cast(Table, model.__table__).name
    if not isinstance(row, dict):
        raise InvalidRequest(f"snapshot: a {name} row must be an object")
    columns = {attr.key: attr.columns[0] for attr in model.__mapper__.column_attrs}
    unknown = sorted(set(row) - set(columns))
    if unknown:
        raise InvalidRequest(f"snapshot: unknown {name} column(s) {', '.join(unknown)}")
    out = {k: v for k, v in row.items() if k not in given and k != "pk"}
    for key, column in columns.items():
        if key in given or key == "pk":
            continue
        value = out.get(key)
        if value is None:
            if (
                key not in out
                and column.default is None
                and column.server_default is None
                and not column.nullable
            ):
                # (A column the database fills, such as a primary key, is not a row's to give.)
                raise InvalidRequest(f"snapshot: a {name} row needs {key}")
            if not column.nullable and key in out:
                raise InvalidRequest(f"snapshot: {name}.{key} cannot be null")
            continue
        if isinstance(column.type, Date) and not isinstance(column.type, DateTime):
            try:
                out[key] = value if isinstance(value, date) else date.fromisoformat(value)
            except (TypeError, ValueError):
                raise InvalidRequest(f"snapshot: {name}.{key} must be a date") from None
            continue
        if isinstance(column.type, UTCDateTime | DateTime):
            try:
                at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
                at.astimezone(UTC)  # a time at the edge of the calendar cannot be stored
            except (TypeError, ValueError, OverflowError):
                raise InvalidRequest(f"snapshot: {name}.{key} must be a time") from None
            out[key] = at
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            continue
        if kind in (dict, list):
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise InvalidRequest(f"snapshot: {name}.{key} must be {kind.__name__}")
        _check_size(name, key, column, value)
    return out


def _check_size(name: str, key: str, column: Any, value: object) -> None:
    """A text longer than its column, or a number beyond 64 bits, is a refusal (PostgreSQL
    would refuse it only once the write is under way)."""
    length = getattr(column.type, "length", None)
    if isinstance(value, str) and length is not None and len(value) > length:
        raise InvalidRequest(f"snapshot: {name}.{key} is longer than {length} characters")
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise InvalidRequest(f"snapshot: {name}.{key} is out of range")


def capture_in(tx: Tx, project: Project, company_id: str) -> CompanySnapshot:
    """Reads everything a delete of ``company_id`` would remove."""
    return _capture(tx, get_company(tx, project, company_id))


# A snapshot's history rows, by model, in the order a restore inserts them.
History = list[tuple[type[Base], list[dict[str, Any]]]]


def restore_in(
    tx: Tx, project: Project, snapshot: CompanySnapshot, source: Source = Source.BOARD
) -> CompanyRecord:
    """Puts a deleted company back with the same id, stage, contacts, history and events.

    Rows whose other end is gone since (a deleted contact, a deleted stage) are left out;
    a company holding the id again is a ``Conflict`` and nothing is written.
    """
    # Checked before anything is written: a snapshot may have come over the account API.
    fields, links, history = _checked_rows(snapshot)
    events = history[1][1]
    session = tx.session
    company_id = fields["id"]
    if company_id_taken(tx, project, company_id):
        raise Conflict(f"a company with id {company_id!r} exists again")
    stage_pk = _stage_pk(tx, project, snapshot.stage_id)
    company = Company(**fields, project_pk=project.pk, stage_pk=stage_pk)
    session.add(company)
    session.flush()
    alive, seen = _still_there(tx, project, links, events, history[3][1])
    for row in links:
        if row["contact_pk"] in alive:
            session.add(ContactCompany(**row, company_pk=company.pk))
    _add_history(tx, project, company, history, alive, seen)
    if snapshot.visitor_pks:
        session.execute(
            update(Visitor)
            .where(
                Visitor.pk.in_(snapshot.visitor_pks),
                # A snapshot may have come over the account API: the project's visitors only.
                Visitor.project_pk == project.pk,
                Visitor.active_company_pk.is_(None),
            )
            .values(active_company_pk=company.pk)
        )
    session.flush()
    tx.record(project, EventKind.COMPANY_CREATED, source, f"{company.name} restored", company)
    return company_record(tx, project, company)


def _checked_rows(
    snapshot: CompanySnapshot,
) -> tuple[dict[str, Any], list[dict[str, Any]], History]:
    """The company's columns, its contact links and its history, each row ``_typed``."""
    fields = checked_row(Company, snapshot.company, GIVEN)
    links = [checked_row(ContactCompany, row, GIVEN) for row in snapshot.links]
    history: History = [
        (model, [checked_row(model, row, GIVEN) for row in rows])
        for model, rows in (
            (StageChange, snapshot.stage_changes),
            (Event, snapshot.events),
            (FocusAnswer, snapshot.focus_answers),
            (Task, snapshot.tasks),
        )
    ]
    return fields, links, history


def _stage_pk(tx: Tx, project: ProjectKeys, stage_id: str | None) -> int | None:
    """The snapshot's stage, or ``None`` when it had none or the stage is deleted since."""
    if stage_id is None:
        return None
    return tx.session.scalar(
        select(Stage.pk).where(Stage.project_pk == project.pk, Stage.id == stage_id)
    )


def _still_there(
    tx: Tx,
    project: ProjectKeys,
    links: list[dict[str, Any]],
    events: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
) -> tuple[set[int], set[int]]:
    """Of the contacts and visitors the rows name, those the project still has."""
    contacts = {row.get("contact_pk") for row in links + events + tasks} - {None}
    alive = set(
        tx.session.scalars(
            select(Contact.pk).where(Contact.project_pk == project.pk, Contact.pk.in_(contacts))
        )
    )
    visitors = {row.get("visitor_pk") for row in events} - {None}
    seen = set(
        tx.session.scalars(
            select(Visitor.pk).where(Visitor.project_pk == project.pk, Visitor.pk.in_(visitors))
        )
    )
    return alive, seen


def _add_history(
    tx: Tx,
    project: ProjectKeys,
    company: Company,
    history: History,
    alive: set[int],
    seen: set[int],
) -> None:
    """The history rows put back on ``company``; ``alive`` and ``seen`` as ``_still_there``
    answers them."""
    for model, rows in history:
        for row in rows:
            extra: dict[str, Any] = {}
            if "project_pk" in model.__table__.c:
                extra["project_pk"] = project.pk
            if model is Task:  # its contact may be gone since: keep the next step
                contact = row.get("contact_pk")
                extra["contact_pk"] = contact if contact in alive else None
                row = {k: v for k, v in row.items() if k not in extra}
            if model is Event:  # its contact or visitor may be gone since: keep the event
                contact, visitor = row.get("contact_pk"), row.get("visitor_pk")
                extra["contact_pk"] = contact if contact in alive else None
                extra["visitor_pk"] = visitor if visitor in seen else None
                row = {k: v for k, v in row.items() if k not in extra}
            tx.session.add(model(**row, company_pk=company.pk, **extra))
