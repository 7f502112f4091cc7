"""Identity verification: what a widget call's ``user_hash`` proves (API.md).

A hash over the ``visitor_id`` (HAL's form) proves the visitor; a hash over the identity an
identify claims (its ``user_id``, else its ``email``: Intercom's form) proves that identity. A
visitor keeps what its hash proved (``visitors.verified_identity``), so its later calls may
carry the same hash, and a visitor proven only by its own id cannot take over a contact that
another verified visitor holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from halcrm.db.models import Visitor
from halcrm.db.records import ContactRow, ProjectRow, VisitorRow
from halcrm.db.tx import Tx
from halcrm.domain.errors import IdentityConflict, IdentityVerificationFailed
from halcrm.domain.identity import verify_user_hash
from halcrm.services.widget.inputs import Identify, WidgetBody


def required(project: ProjectRow) -> bool:
    return project.identity_verification == "required"


def check_call(project: ProjectRow, body: WidgetBody, visitor: VisitorRow | None) -> bool:
    """A call other than identify: the hash covers the visitor id or what the visitor proved.

    Returns:
        Whether the call is verified; refuses with 401 where verification is required.
    """
    proven = verify_user_hash(project.secret, body.visitor_id, body.user_hash)
    if not proven and visitor is not None and visitor.verified_identity is not None:
        proven = verify_user_hash(project.secret, visitor.verified_identity, body.user_hash)
    if required(project) and not proven:
        _refuse(body)
    return proven


@dataclass(frozen=True)
class Proof:
    """What an identify's hash proved: ``value`` was hashed; ``claims`` when it is the identity
    the body claims rather than the visitor id."""

    value: str
    claims: bool


def check_identify(
    project: ProjectRow, body: Identify, email: str | None, visitor: VisitorRow | None
) -> Proof | None:
    """The identify's proof, or ``None`` when it proves nothing (401 where required)."""
    claimed = body.user_id or body.email
    if claimed is not None:
        for value in {claimed, email or claimed}:
            if verify_user_hash(project.secret, value, body.user_hash):
                return Proof(value, claims=True)
    if verify_user_hash(project.secret, body.visitor_id, body.user_hash):
        return Proof(body.visitor_id, claims=False)
    known = visitor.verified_identity if visitor else None
    if known is not None and verify_user_hash(project.secret, known, body.user_hash):
        # The visitor proved this identity before; it proves it again, nothing more.
        return Proof(known, claims=known in (claimed, email))
    if required(project):
        _refuse(body)
    return None


def check_claim(
    tx: Tx,
    project: ProjectRow,
    body: Identify,
    proof: Proof | None,
    contact: ContactRow | None,
    visitor: VisitorRow | None,
) -> None:
    """A visitor proven only by its own id may create a contact, or take one no other
    verified visitor holds, and never one whose ``user_id`` is not its own (403)."""
    if not required(project) or proof is None or proof.claims:
        return
    if body.user_id is not None and body.user_id != body.visitor_id:
        raise IdentityConflict("user_id differs from the verified visitor_id")
    if contact is None:
        return
    if contact.user_id is not None and contact.user_id != body.visitor_id:
        raise IdentityConflict("that contact belongs to another verified user")
    params = {"contact_pk": contact.pk, "visitor_pk": visitor.pk if visitor else 0}
    if tx.first(_HELD, params) is not None:
        raise IdentityConflict("that contact is held by another verified visitor")


def _refuse(body: WidgetBody) -> None:
    what = "does not match" if body.user_hash else "is required"
    raise IdentityVerificationFailed(f"user_hash {what} for this visitor")


_HELD = (
    select(Visitor.pk)
    .where(
        Visitor.contact_pk == bindparam("contact_pk"),
        Visitor.pk != bindparam("visitor_pk"),
        Visitor.verified_identity.is_not(None),
    )
    .limit(1)
)
