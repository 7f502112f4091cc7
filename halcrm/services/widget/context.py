"""What every widget call starts with: its project, identity verification, and its visitor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import and_, bindparam, select

from halcrm.db.models import Contact, Project, Visitor
from halcrm.db.records import ContactRow, ProjectRow, VisitorRow, record_columns, select_of
from halcrm.db.tx import Tx
from halcrm.domain.errors import InvalidRequest, UnknownProject, VisitorNotIdentified
from halcrm.domain.stages import StageMode
from halcrm.services.widget.inputs import WidgetBody
from halcrm.services.widget.verification import check_call


def body_project_id(body: WidgetBody) -> str:
    """The body's project (``app_id`` or ``project_id``)."""
    if body.app_id and body.project_id and body.app_id != body.project_id:
        raise InvalidRequest("app_id and project_id name different projects")
    project_id = body.app_id or body.project_id
    if not project_id:
        raise InvalidRequest("app_id or project_id is required", field="project_id")
    return project_id


def project_and_visitor(
    tx: Tx, body: WidgetBody, ahead: Callable[[ProjectRow], None] | None = None
) -> tuple[ProjectRow, VisitorRow | None]:
    """The body's project as committed now, and its visitor when known.

    On SQLite one statement reads both (writers are serialised there, so no row lock is
    needed); PostgreSQL cannot lock the nullable side of an outer join, so it reads the
    visitor under its row lock in a statement of its own, and ``ahead(project)`` may send
    the call's next reads (``Tx.ahead``) in the same flight, after it (locks in that order).
    """
    project_id = body_project_id(body)
    if not tx.is_sqlite:
        project = tx.snapshot(project_id).project
        if ahead is not None:
            params = {"project_pk": project.pk, "visitor_id": body.visitor_id}
            tx.ahead(tx.lock(_VISITOR), params)
            ahead(project)
        return project, find_visitor(tx, project, body.visitor_id)
    row = tx.first(_OPEN, {"project_id": project_id, "visitor_id": body.visitor_id})
    if row is None:
        raise UnknownProject(f"no project with id {project_id!r}")
    project = tx.snapshot_at(project_id, row[0], row[1]).project
    return project, VisitorRow(*row[2:]) if row[2] is not None else None


def open_call(
    tx: Tx, body: WidgetBody, *, contact: bool = False
) -> tuple[ProjectRow, VisitorRow | None]:
    """The project and the visitor (if known) of a call other than identify, verified;
    ``contact``: the call reads the visitor's contact next (``visitor_contact``), sent with
    the visitor's read on PostgreSQL."""

    def ahead(project: ProjectRow) -> None:
        params = {"project_pk": project.pk, "visitor_id": body.visitor_id}
        tx.ahead(tx.lock(_CONTACT_OF_VISITOR), params)

    project, visitor = project_and_visitor(tx, body, ahead if contact else None)
    check_call(project, body, visitor, tx.now)
    return project, visitor


def widget_mode(project: ProjectRow, requested: str | None) -> StageMode:
    return StageMode(requested or project.stage_update_mode)


def find_visitor(tx: Tx, project: ProjectRow, visitor_id: str) -> VisitorRow | None:
    params = {"project_pk": project.pk, "visitor_id": visitor_id}
    return tx.one(VisitorRow, tx.lock(_VISITOR), params)


def save_visitor(
    tx: Tx, project: ProjectRow, found: VisitorRow | None, visitor_id: str, **values: Any
) -> VisitorRow:
    """Writes the visitor once per call: the row read earlier (seen now), or a new one.

    A concurrent creation of the same new visitor makes the transaction retry.
    """
    if found is not None:
        tx.update(VisitorRow, found.pk, last_seen_at=tx.now, **values)
        return replace(found, **values)
    return tx.insert(
        VisitorRow,
        project_pk=project.pk,
        visitor_id=visitor_id,
        created_at=tx.now,
        last_seen_at=tx.now,
        **values,
    )


def write_visitor(
    tx: Tx, project: ProjectRow, found: VisitorRow | None, visitor_id: str, **values: Any
) -> None:
    """``save_visitor`` for a call that does not read the row back (no answer awaited)."""
    if found is not None:
        tx.update(VisitorRow, found.pk, last_seen_at=tx.now, **values)
        return
    tx.put(
        VisitorRow,
        project_pk=project.pk,
        visitor_id=visitor_id,
        created_at=tx.now,
        last_seen_at=tx.now,
        **values,
    )


def visitor_contact(tx: Tx, visitor: VisitorRow | None) -> ContactRow | None:
    """The visitor's contact, under its row lock. PostgreSQL reads it by the visitor (the
    visitor's row is locked already, so it is the same row) to find it if sent ahead."""
    if visitor is None or visitor.contact_pk is None:
        return None
    if tx.is_sqlite:
        return tx.one(ContactRow, _CONTACT, {"pk": visitor.contact_pk})
    params = {"project_pk": visitor.project_pk, "visitor_id": visitor.visitor_id}
    return tx.one(ContactRow, tx.lock(_CONTACT_OF_VISITOR), params)


def identified_visitor(
    tx: Tx, visitor: VisitorRow | None, visitor_id: str
) -> tuple[VisitorRow, ContactRow]:
    """The visitor and its contact, for CRM writes that need both (else 409)."""
    contact = visitor_contact(tx, visitor)
    if visitor is None or contact is None:
        raise VisitorNotIdentified(
            f"visitor {visitor_id!r} is not identified: identify it with an email or user_id"
        )
    tx.update(VisitorRow, visitor.pk, last_seen_at=tx.now)
    return visitor, contact


_VISITOR = select_of(VisitorRow).where(
    Visitor.project_pk == bindparam("project_pk"), Visitor.visitor_id == bindparam("visitor_id")
)
_CONTACT = select_of(ContactRow).where(Contact.pk == bindparam("pk"))
_CONTACT_OF_VISITOR = select_of(ContactRow).where(
    Contact.pk
    == select(Visitor.contact_pk)
    .where(
        Visitor.project_pk == bindparam("project_pk"),
        Visitor.visitor_id == bindparam("visitor_id"),
    )
    .scalar_subquery()
)
_OPEN = (
    select(Project.pk, Project.generation, *record_columns(VisitorRow))
    .select_from(Project)
    .outerjoin(
        Visitor,
        and_(Visitor.project_pk == Project.pk, Visitor.visitor_id == bindparam("visitor_id")),
    )
    .where(Project.id == bindparam("project_id"))
)
