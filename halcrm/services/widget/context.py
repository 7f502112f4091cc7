"""What every widget call starts with: its project, identity verification, and its visitor."""

from __future__ import annotations

from sqlalchemy import bindparam

from halcrm.db.models import Contact, Project, Visitor
from halcrm.db.sql import columns
from halcrm.db.tx import Tx
from halcrm.domain.errors import IdentityVerificationFailed, InvalidRequest, VisitorNotIdentified
from halcrm.domain.identity import verify_user_hash
from halcrm.domain.stages import StageMode
from halcrm.services.widget.inputs import WidgetBody


def widget_project(tx: Tx, body: WidgetBody) -> tuple[Project, bool]:
    """Finds the body's project and checks ``user_hash``.

    Returns:
        The project (read-only) and whether the visitor's identity was verified.
    """
    if body.app_id and body.project_id and body.app_id != body.project_id:
        raise InvalidRequest("app_id and project_id name different projects")
    project_id = body.app_id or body.project_id
    if not project_id:
        raise InvalidRequest("app_id or project_id is required", field="project_id")
    project = tx.snapshot(project_id).project
    verified = verify_user_hash(project.secret, body.visitor_id, body.user_hash)
    if project.identity_verification == "required" and not verified:
        what = "does not match" if body.user_hash else "is required"
        raise IdentityVerificationFailed(f"user_hash {what} for this visitor_id")
    return project, verified


def widget_mode(project: Project, requested: str | None) -> StageMode:
    return StageMode(requested or project.stage_update_mode)


def find_visitor(tx: Tx, project: Project, visitor_id: str) -> Visitor | None:
    params = {"project_pk": project.pk, "visitor_id": visitor_id}
    return tx.one(Visitor, tx.lock(_VISITOR), params)


def upsert_visitor(tx: Tx, project: Project, visitor_id: str, *, needs_pk: bool = True) -> Visitor:
    """Finds the visitor or creates it; a concurrent creation makes the transaction retry.

    Args:
        needs_pk: Whether the caller uses the new visitor's ``pk``; when not, the row is written
            once, when the call's work ends, with everything the call set on it.
    """
    visitor = find_visitor(tx, project, visitor_id)
    if visitor is None:
        make = tx.insert if needs_pk else tx.add
        return make(
            Visitor,
            project_pk=project.pk,
            visitor_id=visitor_id,
            contact_pk=None,
            active_company_pk=None,
            properties={},
            created_at=tx.now,
            last_seen_at=tx.now,
        )
    tx.set(visitor, last_seen_at=tx.now)
    return visitor


def visitor_contact(tx: Tx, visitor: Visitor) -> Contact | None:
    if visitor.contact_pk is None:
        return None
    return tx.one(Contact, tx.lock(_CONTACT), {"pk": visitor.contact_pk})


def identified_visitor(tx: Tx, project: Project, visitor_id: str) -> tuple[Visitor, Contact]:
    """The visitor and its contact, for CRM writes that need both (else 409)."""
    visitor = find_visitor(tx, project, visitor_id)
    contact = visitor_contact(tx, visitor) if visitor else None
    if visitor is None or contact is None:
        raise VisitorNotIdentified(
            f"visitor {visitor_id!r} is not identified: identify it with an email or user_id"
        )
    tx.set(visitor, last_seen_at=tx.now)
    return visitor, contact


_VISITOR = columns(Visitor).where(
    Visitor.project_pk == bindparam("project_pk"), Visitor.visitor_id == bindparam("visitor_id")
)
_CONTACT = columns(Contact).where(Contact.pk == bindparam("pk"))
