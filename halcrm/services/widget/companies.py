"""The companies of one identify: the contact's links as they grow, and rules 3-4's target."""

from __future__ import annotations

from dataclasses import replace

from halcrm.db.records import CompanyRow, ProjectRow
from halcrm.db.tx import ProjectKeys, Tx
from halcrm.services.crm.placeholders import ensure_link
from halcrm.services.crm.queries import find_company, lock_company
from halcrm.services.ids import new_id
from halcrm.services.widget.inputs import IdentifyCompany
from halcrm.services.widget.targeting import choose_linked
from halcrm.services.widget.verification import check_company


class Linked:
    """A contact's companies during an identify, in link order, with the links made here."""

    def __init__(self, tx: Tx, contact_pk: int, companies: list[CompanyRow]) -> None:
        self.tx = tx
        self.contact_pk = contact_pk
        self.companies = companies
        self.created: set[int] = set()
        self._before = {c.pk for c in companies}

    def find(self, company_id: str) -> CompanyRow | None:
        return next((c for c in self.companies if c.id == company_id), None)

    def add(self, company: CompanyRow, *, created: bool = False) -> None:
        """Links the company (``created``: made by this call, ``last_activity_at`` set)."""
        if created:
            self.created.add(company.pk)
        if any(c.pk == company.pk for c in self.companies):
            return
        ensure_link(self.tx, self.contact_pk, company.pk)
        self.companies.append(company)

    def replace(self, company: CompanyRow) -> None:
        """Keeps a newer record of a linked company (read again under its row lock)."""
        self.companies = [company if c.pk == company.pk else c for c in self.companies]

    def ordered(self) -> list[CompanyRow]:
        """As ``linked_companies`` orders them: links made now (one timestamp) by company pk."""
        old = [c for c in self.companies if c.pk in self._before]
        new = sorted((c for c in self.companies if c.pk not in self._before), key=lambda c: c.pk)
        return old + new


def target_for(
    tx: Tx,
    project: ProjectRow,
    linked: Linked,
    spec: IdentifyCompany,
    active_pk: int | None,
) -> tuple[CompanyRow, bool, bool]:
    """Rules 3 and 4: the company named by ``company.id`` or ``company.name``.

    Returns:
        The targeted company, whether the contact gained a real (non-placeholder) company, and
        whether it becomes the visitor's active company.
    """
    if spec.id is not None:
        company = linked.find(spec.id)
        if company is not None:
            company = _locked(tx, linked, company)
        else:
            company = find_company(tx, project, spec.id, lock=True)
            if company is None:
                company = _new_company(tx, project, spec.id, spec.name or spec.id)
                linked.add(company, created=True)
            else:
                check_company(tx, project, company, linked.contact_pk, spec.hash)
                linked.add(company)
        return company, not company.is_placeholder, True
    if spec.name is not None:
        current = linked.companies
        if len(current) == 1 and current[0].is_placeholder:
            company = _upgrade(tx, _locked(tx, linked, current[0]), spec.name)
            linked.replace(company)
        else:
            folded = spec.name.casefold()
            match = next((c for c in current if c.name.casefold() == folded), None)
            if match is None:
                company = _new_company(tx, project, new_id("co"), spec.name)
                linked.add(company, created=True)
            else:
                company = _locked(tx, linked, match)
        return company, not company.is_placeholder, True
    # Only stage or metadata: the company is chosen as for set-stage.
    return _chosen(tx, linked, active_pk), False, False


def _locked(tx: Tx, linked: Linked, company: CompanyRow) -> CompanyRow:
    company = lock_company(tx, company)
    linked.replace(company)
    return company


def _upgrade(tx: Tx, placeholder: CompanyRow, name: str) -> CompanyRow:
    """Rule 4: the contact's only company, a placeholder, becomes the real one in place."""
    tx.update(
        CompanyRow,
        placeholder.pk,
        name=name,
        is_placeholder=False,
        placeholder_key=None,
        updated_at=tx.now,
    )
    return replace(placeholder, name=name, is_placeholder=False, placeholder_key=None)


def _chosen(tx: Tx, linked: Linked, active_pk: int | None) -> CompanyRow:
    return _locked(tx, linked, choose_linked(linked.companies, active_pk))


def _new_company(tx: Tx, project: ProjectKeys, company_id: str, name: str) -> CompanyRow:
    return tx.insert(
        CompanyRow,
        id=company_id,
        project_pk=project.pk,
        name=name,
        created_at=tx.now,
        updated_at=tx.now,
        last_activity_at=tx.now,
    )
