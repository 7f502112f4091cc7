"""Identity verification: what a widget call's ``user_hash`` proves (API.md).

A hash over the ``visitor_id`` (HAL's form) proves the visitor; a hash over the identity an
identify claims (its ``user_id``, else its ``email``: Intercom's form) proves that identity. A
visitor keeps what its hash proved (``visitors.verified_identity``), so its later calls may
carry the same hash, and a visitor proven only by its own id cannot take over a contact that
another verified visitor holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import bindparam, select

from halcrm.db.models import ContactCompany, Visitor
from halcrm.db.records import CompanyRow, ContactRow, ProjectRow, VisitorRow
from halcrm.db.tx import Tx
from halcrm.domain.errors import (
    CompanyNotVerified,
    IdentityConflict,
    IdentityVerificationFailed,
)
from halcrm.domain.identity import differs_only_in_case, verify_user_hash
from halcrm.services.widget.inputs import Identify, WidgetBody

# How long hashes made with a project's previous secret keep verifying after a rotation.
GRACE = timedelta(hours=24)


def required(project: ProjectRow) -> bool:
    return project.identity_verification == "required"


def proves(project: ProjectRow, value: str, given: str | None, now: datetime) -> bool:
    """Whether ``given`` is the hash of ``value`` under the project's secret, or under the
    previous one within ``GRACE`` of its rotation."""
    if verify_user_hash(project.secret, value, given):
        return True
    previous, rotated = project.previous_secret, project.secret_rotated_at
    if previous is None or rotated is None or now - rotated >= GRACE:
        return False
    return verify_user_hash(previous, value, given)


def check_call(
    project: ProjectRow, body: WidgetBody, visitor: VisitorRow | None, now: datetime
) -> bool:
    """A call other than identify: the hash covers the visitor id or what the visitor proved.

    Returns:
        Whether the call is verified; refuses with 401 where verification is required.
    """
    proven = proves(project, body.visitor_id, body.user_hash, now)
    if not proven and visitor is not None and visitor.verified_identity is not None:
        proven = proves(project, visitor.verified_identity, body.user_hash, now)
    if required(project) and not proven:
        _refuse(body)
    return proven


Covers = Literal["user_id", "email"] | None


@dataclass(frozen=True)
class Proof:
    """What an identify's hash proved: ``value`` was hashed; ``claims`` when it is the identity
    the body claims rather than the visitor id; ``covers``: the body's field that names the
    contact to write (the signed one, or a ``user_id`` equal to the signed visitor id)."""

    value: str
    claims: bool
    covers: Covers


def check_identify(
    project: ProjectRow,
    body: Identify,
    email: str | None,
    visitor: VisitorRow | None,
    now: datetime,
) -> Proof | None:
    """The identify's proof, or ``None`` when it proves nothing (401 where required)."""
    proof = _claimed(project, body, email, now)
    if proof is not None:
        return proof
    own: Covers = "user_id" if body.user_id is not None else None
    if proves(project, body.visitor_id, body.user_hash, now):
        return Proof(body.visitor_id, claims=False, covers=own)
    known = visitor.verified_identity if visitor else None
    if known is not None and proves(project, known, body.user_hash, now):
        # The visitor proved this identity before; it proves it again, nothing more.
        if known == body.user_id:
            return Proof(known, claims=True, covers="user_id")
        if email is not None and known in (email, body.email):
            return Proof(known, claims=True, covers="email")
        return Proof(known, claims=False, covers=own)
    if required(project):
        _refuse(body)
    return None


def _claimed(project: ProjectRow, body: Identify, email: str | None, now: datetime) -> Proof | None:
    """A hash over the claimed ``user_id``, or over the ``email`` as normalised or as sent
    when the two differ only in letter case (403 for any other variant where required)."""
    if body.user_id is not None and proves(project, body.user_id, body.user_hash, now):
        return Proof(body.user_id, claims=True, covers="user_id")
    if body.email is None or email is None:
        return None
    for signed in dict.fromkeys((email, body.email)):
        if proves(project, signed, body.user_hash, now):
            if differs_only_in_case(signed, email):
                return Proof(signed, claims=True, covers="email")
            if required(project):
                raise IdentityConflict("email is not the address its user_hash covers")
            return None
    return None


@dataclass(frozen=True)
class Chosen:
    """The contact an identify writes, and which identifier it may fill in on it."""

    contact: ContactRow | None
    fill_email: bool
    fill_user_id: bool


def choose_contact(
    project: ProjectRow,
    proof: Proof | None,
    by_email: ContactRow | None,
    by_user: ContactRow | None,
) -> Chosen:
    """The contact the signed identity names (API.md, what a hash covers).

    Where verification is required and the body names a contact by both fields, the field the
    hash does not cover may not name another contact than the covered one (403), nor a contact
    at all when the covered field names none; it is written only onto the covered contact.
    """
    covers = proof.covers if proof is not None and required(project) else None
    if covers is not None and (by_email is not None or by_user is not None):
        signed, other = (by_user, by_email) if covers == "user_id" else (by_email, by_user)
        if other is not None and (signed is None or signed.pk != other.pk):
            unsigned = "email" if covers == "user_id" else "user_id"
            raise IdentityConflict(f"{unsigned} names another contact than the signed {covers}")
    contact = by_email or by_user
    return Chosen(
        contact,
        fill_email=by_email is None and (contact is None or contact.email is None),
        fill_user_id=by_user is None and (contact is None or contact.user_id is None),
    )


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


def check_company(
    tx: Tx, project: ProjectRow, company: CompanyRow, contact_pk: int, given: str | None
) -> None:
    """Linking an existing company that has contacts other than this one needs the company's
    own hash where verification is required (403 ``company_not_verified``)."""
    if not required(project) or proves(project, company.id, given, tx.now):
        return
    if tx.first(_OTHER_CONTACT, {"company_pk": company.pk, "contact_pk": contact_pk}) is None:
        return
    what = "does not match" if given else "is required"
    raise CompanyNotVerified(f"the hash of company {company.id!r} {what}")


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

_OTHER_CONTACT = (
    select(ContactCompany.contact_pk)
    .where(
        ContactCompany.company_pk == bindparam("company_pk"),
        ContactCompany.contact_pk != bindparam("contact_pk"),
    )
    .limit(1)
)
