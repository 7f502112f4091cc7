"""A large import into a small table fills its plain indexes after its inserts (SQLite): the
same rows, the same indexes afterwards, and nothing dropped when the table is the larger."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from halcrm.db.models import Company, StageChange
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyCreate
from halcrm.services.crm.transfer import deferred
from halcrm.services.crm.transfer.report import ImportOptions
from tests.services.transfer.helpers import indexes, write_csv

HEADER = ["Company name", "Company Domain Name", "Industry", "Deal Stage", "Amount"]


def _file(path: Path, rows: int, start: int = 0) -> Path:
    body = [
        [f"Company {n}", f"c{n}.example", "Software", "Qualified", f"${n},000.50"]
        for n in range(start, start + rows)
    ]
    return write_csv(path, [HEADER, *body])


def _indexes(services: Services) -> list[tuple[str, str]]:
    with services.db.session() as session:
        return [(name, sql) for name, sql in session.execute(indexes(session))]


def _counts(services: Services) -> tuple[int, int]:
    with services.db.session() as session:
        companies = session.scalar(select(func.count()).select_from(Company))
        changes = session.scalar(select(func.count()).select_from(StageChange))
        return companies or 0, changes or 0


class _Spy(deferred.Deferred):
    """Notes what each import dropped (the real ``Deferred``, its decisions kept)."""

    dropped: list[str] = []

    def restore(self) -> None:
        _Spy.dropped += self.dropped
        super().restore()


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from halcrm.services.crm.transfer import importer

    monkeypatch.setattr(deferred, "LEAST_ROWS", 10)
    monkeypatch.setattr(importer, "Deferred", _Spy)
    _Spy.dropped = []
    return _Spy.dropped


async def test_a_large_import_fills_the_indexes_after(
    services: Services, tmp_path: Path, spied: list[str]
) -> None:
    await services.companies.create(CompanyCreate(name="Kept Co", id="co_kept"))
    before = _indexes(services)
    report = await services.transfer.import_file(_file(tmp_path / "a.csv", 50), ImportOptions())
    assert report.companies.new == 50
    assert _counts(services) == (51, 50)
    assert _indexes(services) == before
    sqlite = services.db.engine.dialect.name == "sqlite"
    assert bool(spied) == sqlite  # PostgreSQL's rows go in by COPY, its indexes as they are
    if sqlite:
        assert "CREATE INDEX ix_companies_project_domain ON companies (project_pk, domain)" in spied
        assert "CREATE INDEX ix_stage_changes_company ON stage_changes (company_pk, pk)" in spied
        assert not any("UNIQUE" in sql for sql in spied)
        with services.db.session() as session:
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            query = "SELECT pk FROM companies WHERE project_pk = 1 AND domain = 'c7.example'"
            plan = session.execute(text(f"EXPLAIN QUERY PLAN {query}")).all()
            assert "ix_companies_project_domain" in str(plan)


async def test_nothing_is_dropped_for_a_file_smaller_than_the_table(
    services: Services, tmp_path: Path, spied: list[str]
) -> None:
    await services.transfer.import_file(_file(tmp_path / "a.csv", 40), ImportOptions())
    spied.clear()
    before = _indexes(services)
    report = await services.transfer.import_file(
        _file(tmp_path / "b.csv", 20, start=100), ImportOptions()
    )
    assert report.companies.new == 20
    assert spied == []
    assert _indexes(services) == before
    assert _counts(services) == (60, 60)
