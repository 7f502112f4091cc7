"""Lookups shared by the services, and the records they answer with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import InstrumentedAttribute

from halcrm.db.models import Company, Contact, ContactCompany
from halcrm.db.project_cache import stage_info
from halcrm.db.records import CompanyRow, StageRow, select_of
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.domain.errors import Conflict, NotFound
from halcrm.domain.money import from_cents
from halcrm.domain.stages import is_stalled
from halcrm.services.crm.records import CompanyRecord, ContactRecord
from halcrm.services.tasks.queries import next_step_state, next_steps, project_zone
from halcrm.services.tasks.records import NextStep

_COMPANY_BY_ID = select_of(CompanyRow).where(
    Company.project_pk == bindparam("project_pk"), Company.id == bindparam("company_id")
)
_COMPANY_BY_PK = select_of(CompanyRow).where(Company.pk == bindparam("pk"))
_LINKED = (
    select_of(CompanyRow)
    .join(ContactCompany, ContactCompany.company_pk == Company.pk)
    .where(ContactCompany.contact_pk == bindparam("contact_pk"))
    .order_by(ContactCompany.created_at, Company.pk)
)
_IS_LINKED = select(ContactCompany.contact_pk).where(
    ContactCompany.contact_pk == bindparam("contact_pk"),
    ContactCompany.company_pk == bindparam("company_pk"),
)


def get_company(
    tx: Tx,
    project: ProjectKeys,
    company_id: str,
    *,
    lock: bool = False,
    error: type[NotFound] = NotFound,
) -> Company:
    """Loads a company of the project by id through the session (for edits), or ``error``."""
    stmt = select(Company).where(Company.project_pk == project.pk, Company.id == company_id)
    company = tx.session.scalar(tx.locking(stmt) if lock else stmt)
    if company is None:
        raise error(f"no company with id {company_id!r}")
    return company


def company_id_taken(tx: Tx, project: ProjectKeys, company_id: str) -> bool:
    """Whether a company of the project holds ``company_id`` (before one is made with it)."""
    taken = tx.session.scalar(
        select(Company.pk).where(Company.project_pk == project.pk, Company.id == company_id)
    )
    return taken is not None


def find_company(
    tx: Tx, project: ProjectKeys, company_id: str, *, lock: bool = False
) -> CompanyRow | None:
    """A company of the project by id, or ``None`` (locked for a read-modify-write)."""
    params = {"project_pk": project.pk, "company_id": company_id}
    return tx.one(CompanyRow, tx.lock(_COMPANY_BY_ID) if lock else _COMPANY_BY_ID, params)


def find_company_ahead(tx: Tx, project: ProjectKeys, company_id: str) -> None:
    """Sends ``find_company(..., lock=True)`` ahead (``Tx.ahead``): a call that will read it."""
    tx.ahead(tx.lock(_COMPANY_BY_ID), {"project_pk": project.pk, "company_id": company_id})


def load_company(
    tx: Tx,
    project: ProjectKeys,
    company_id: str,
    *,
    lock: bool = False,
    error: type[NotFound] = NotFound,
) -> CompanyRow:
    """A company of the project by id, or ``error``."""
    company = find_company(tx, project, company_id, lock=lock)
    if company is None:
        raise error(f"no company with id {company_id!r}")
    return company


def lock_company(tx: Tx, company: CompanyRow) -> CompanyRow:
    """The company as it is once its row lock is held, before a read-modify-write (PostgreSQL;
    SQLite serialises writers, so the row read earlier in the call is current)."""
    if tx.is_sqlite:
        return company
    locked = tx.one(CompanyRow, tx.lock(_COMPANY_BY_PK), {"pk": company.pk})
    assert locked is not None
    return locked


def get_contact(tx: Tx, project: ProjectKeys, contact_id: str, *, lock: bool = False) -> Contact:
    stmt = select(Contact).where(Contact.project_pk == project.pk, Contact.id == contact_id)
    contact = tx.session.scalar(tx.locking(stmt) if lock else stmt)
    if contact is None:
        raise NotFound(f"no contact with id {contact_id!r}")
    return contact


def ensure_contact_free(
    tx: Tx, project: ProjectKeys, email: str | None, user_id: str | None, but: Contact | None
) -> None:
    """A ``Conflict`` when another contact than ``but`` holds the email or the user id."""
    for column, value in ((Contact.email, email), (Contact.user_id, user_id)):
        if value is None:
            continue
        holder = tx.session.scalar(
            select(Contact.pk).where(Contact.project_pk == project.pk, column == value)
        )
        if holder is not None and (but is None or holder != but.pk):
            raise Conflict(f"another contact has {column.key} {value!r}", code="already_exists")


def linked_companies(tx: Tx, contact_pk: int) -> list[CompanyRow]:
    """The contact's companies, oldest link first."""
    return tx.all(CompanyRow, _LINKED, {"contact_pk": contact_pk})


def is_linked(tx: Tx, contact_pk: int, company_pk: int) -> bool:
    params = {"contact_pk": contact_pk, "company_pk": company_pk}
    return tx.first(_IS_LINKED, params) is not None


def contact_ids_by_company(tx: Tx, company_pks: Sequence[int]) -> dict[int, list[str]]:
    return _linked_ids(
        tx, company_pks, ContactCompany.company_pk, Contact, ContactCompany.contact_pk
    )


def company_ids_by_contact(tx: Tx, contact_pks: Sequence[int]) -> dict[int, list[str]]:
    return _linked_ids(
        tx, contact_pks, ContactCompany.contact_pk, Company, ContactCompany.company_pk
    )


def _linked_ids(
    tx: Tx,
    pks: Sequence[int],
    by: InstrumentedAttribute[int],
    other: type[Contact] | type[Company],
    to: InstrumentedAttribute[int],
) -> dict[int, list[str]]:
    """For each of ``pks`` (held in the link column ``by``), the ids of the ``other`` rows its
    links point at through ``to``, oldest link first."""
    out: dict[int, list[str]] = defaultdict(list)
    if not pks:
        return out
    rows = tx.session.execute(
        select(by, other.id)
        .join(other, other.pk == to)
        .where(by.in_(pks))
        .order_by(ContactCompany.created_at, other.pk)
    )
    for pk, other_id in rows:
        out[pk].append(other_id)
    return out


def company_records(
    tx: Tx, project: ProjectKeys, companies: Sequence[Company]
) -> list[CompanyRecord]:
    stages = {s.pk: s for s in tx.stage_rows(project)}
    pks = [c.pk for c in companies]
    contacts = contact_ids_by_company(tx, pks)
    steps, plans = next_steps(tx, pks, project_zone(tx, project))
    return [
        build_company_record(
            c,
            stages.get(c.stage_pk) if c.stage_pk else None,
            contacts[c.pk],
            tx,
            steps.get(c.pk),
            c.pk in plans,
        )
        for c in companies
    ]


def company_record(tx: Tx, project: ProjectKeys, company: Company) -> CompanyRecord:
    return (company_records(tx, project, [company]))[0]


def build_company_record(
    company: Company,
    stage: StageRow | None,
    contact_ids: list[str],
    tx: Tx,
    step: NextStep | None = None,
    planned: bool = False,
) -> CompanyRecord:
    info = stage_info(stage) if stage is not None else None
    return CompanyRecord(
        id=company.id,
        name=company.name,
        domain=company.domain,
        industry=company.industry,
        notes=company.notes,
        metadata=dict(company.meta or {}),
        deal_value=from_cents(company.deal_value_cents),
        stage=stage.name if stage else None,
        stage_id=stage.id if stage else None,
        is_placeholder=company.is_placeholder,
        contact_ids=list(contact_ids),
        created_at=company.created_at,
        updated_at=company.updated_at,
        last_activity_at=company.last_activity_at,
        stalled=is_stalled(info, company.last_activity_at, tx.now, planned),
        expected_close=company.expected_close,
        next_step=step,
        next_step_state=next_step_state(step),
        last_moved_by=company.last_stage_source,
        last_moved_at=company.last_stage_at,
    )


def contact_records(tx: Tx, contacts: Sequence[Contact]) -> list[ContactRecord]:
    companies = company_ids_by_contact(tx, [c.pk for c in contacts])
    return [
        ContactRecord(
            id=c.id,
            email=c.email,
            user_id=c.user_id,
            name=c.name,
            phone=c.phone,
            notes=c.notes,
            tags=list(c.tags or []),
            metadata=dict(c.meta or {}),
            company_ids=companies[c.pk],
            created_at=c.created_at,
            updated_at=c.updated_at,
        )
        for c in contacts
    ]


def contact_record(tx: Tx, contact: Contact) -> ContactRecord:
    return (contact_records(tx, [contact]))[0]
