"""Area rules: a method written with ``tx`` is awaited without it, in one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from halcrm.db.models import Company
from halcrm.db.tx import Tx
from halcrm.domain.errors import InvalidRequest
from halcrm.services.area import Area, reads, writes
from halcrm.services.container import Services


class Names(Area):
    @writes
    def rename(self, tx: Tx, company_id: str, name: str, *, refuse: bool = False) -> str:
        project = self.project(tx)
        company = tx.session.scalar(
            select(Company).where(Company.project_pk == project.pk, Company.id == company_id)
        )
        assert company is not None
        company.name = name
        tx.session.flush()
        if refuse:
            raise InvalidRequest("refused after the write")
        return company.name

    @reads
    def name(self, tx: Tx, company_id: str) -> str:
        project = self.project(tx)
        found = tx.session.scalar(
            select(Company.name).where(Company.project_pk == project.pk, Company.id == company_id)
        )
        assert found is not None
        return found


async def test_a_write_rule_commits_and_a_refused_one_writes_nothing(services: Services) -> None:
    from halcrm.services.crm.inputs import CompanyCreate

    await services.companies.create(CompanyCreate(name="Acme", id="co_acme"))
    names = Names(services.db, services.project_id)
    assert await names.rename("co_acme", "Acme Inc") == "Acme Inc"
    with pytest.raises(InvalidRequest):
        await names.rename("co_acme", "Nope", refuse=True)
    assert await names.name("co_acme") == "Acme Inc"
