"""Export, then import into a fresh database: the same pipeline, companies, contacts, links,
stages, values and metadata."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from halcrm.db.models import Company, Contact, ContactCompany, Stage
from halcrm.runtime import Runtime
from halcrm.services.container import Services
from halcrm.services.crm.inputs import (
    CompanyCreate,
    CompanyPatch,
    ContactCreate,
    StageCreate,
    StagePatch,
)
from halcrm.services.crm.transfer.report import ImportOptions
from halcrm.services.widget.inputs import Identify


async def _text(services: Services, what: str, fmt: str = "csv") -> str:
    return "".join([chunk async for chunk in services.transfer.export(what, fmt)])


def _state(services: Services) -> dict[str, Any]:
    with services.db.session() as session:
        stages = {s.pk: s.name for s in session.scalars(select(Stage))}
        companies = {
            c.id: (
                c.name, c.domain, c.industry, c.notes, c.meta, c.deal_value_cents,
                stages.get(c.stage_pk) if c.stage_pk else None, c.is_placeholder,
                c.created_at, c.last_activity_at,
            )
            for c in session.scalars(select(Company))
        }  # fmt: skip
        contacts = {
            c.id: (c.email, c.user_id, c.name, c.phone, c.notes, c.tags, c.meta, c.created_at)
            for c in session.scalars(select(Contact))
        }
        links = set(
            session.execute(
                select(Contact.id, Company.id)
                .join(ContactCompany, ContactCompany.contact_pk == Contact.pk)
                .join(Company, Company.pk == ContactCompany.company_pk)
            ).all()
        )
    return {"companies": companies, "contacts": contacts, "links": links}


async def _pipeline(services: Services) -> list[tuple[Any, ...]]:
    """The stages as the board and the rules see them: id, name, kind, order, odds, stall."""
    return [
        (s.id, s.name, s.kind, s.position, s.probability, s.stall_after_days)
        for s in (await services.stages.all()).items
    ]


async def _seed_pipeline(services: Services) -> None:
    """A pipeline of one's own: an extra open stage with odds and a stall limit (made as
    "Pilot", since renamed "Demo": its id stays "pilot"), a renamed default stage, a lost-kind
    "Parked", a default stage without its stall limit; and companies in each."""
    pilot = StageCreate(name="Pilot", kind="open", probability=40, stall_after_days=5, position=2)
    await services.stages.create(pilot)
    await services.stages.update("pilot", StagePatch(name="Demo"))
    closing = StagePatch(name="Closing", probability=80, stall_after_days=3)
    await services.stages.update("negotiation", closing)
    await services.stages.create(StageCreate(name="Parked", kind="lost"))
    await services.stages.update("lead", StagePatch(stall_after_days=None))
    for id_, stage, value in (("dune", "Demo", "900"), ("echo", "Closing", None)):
        await services.companies.create(CompanyCreate(id=id_, name=id_.title(), stage=stage))
        if value:
            await services.companies.update(id_, CompanyPatch(deal_value=Decimal(value)))
    await services.companies.create(
        CompanyCreate(name="Frost", stage="parked", metadata={"why": "budget"})
    )


async def _seed(services: Services) -> None:
    await services.companies.create(
        CompanyCreate(
            id="acme", name="Acme, Inc.", domain="acme.com", industry="Rockets",
            notes='Line one\nline "two"', metadata={"plan": "pro", "seats": 5, "flags": [1, 2]},
            deal_value=Decimal("15000.50"), stage="Proposal",
        )
    )  # fmt: skip
    await services.companies.create(
        CompanyCreate(name="Globex", deal_value=Decimal("12"), stage="Won")
    )
    await services.companies.create(CompanyCreate(id="bare", name="Bare"))
    await services.contacts.create(
        ContactCreate(
            email="jane@acme.com", name="Jane", user_id="u-1", phone="+33 1", tags=["vip", "b"],
            metadata={"role": "cto", "nested": {"a": 1}}, notes="likes; semicolons",
        )
    )  # fmt: skip
    jane = (await services.contacts.all(email="jane@acme.com")).items[0]
    await services.contacts.link(jane.id, "acme")
    await services.contacts.link(jane.id, "bare")
    # A widget visitor with a free-mail address: a placeholder company of its own.
    await services.widget.identify(Identify(app_id="local", visitor_id="v1", email="max@gmail.com"))
    await services.widget.identify(
        Identify(app_id="local", visitor_id="v2", email="kim@initech.com")
    )
    placeholder = next(c for c in (await services.companies.all()).items if c.name == "initech.com")
    await services.companies.update(placeholder.id, CompanyPatch(metadata={"seen": True}))


async def test_export_then_import_gives_the_same_records(
    services: Services, fresh: Runtime, tmp_path: Path
) -> None:
    await _seed_pipeline(services)
    await _seed(services)
    files = {}
    for what in ("stages", "companies", "contacts"):
        files[what] = tmp_path / f"{what}.csv"
        files[what].write_text(await _text(services, what), encoding="utf-8")

    # Stages first (every company's stage is then there, whole), companies, then contacts.
    target = fresh.services
    stages = await target.transfer.import_file(files["stages"], ImportOptions())
    first = await target.transfer.import_file(files["companies"], ImportOptions())
    second = await target.transfer.import_file(files["contacts"], ImportOptions())
    assert stages.stages is not None
    assert (stages.stages.new, stages.rejected, stages.stages_untouched) == (2, [], [])
    assert (first.companies.new, first.rejected, first.stages_created) == (8, [], [])
    assert (second.contacts.new, second.links) == (3, 4)
    assert await _pipeline(target) == await _pipeline(services)
    assert [s[1:3] for s in await _pipeline(target)][-2:] == [("Lost", "lost"), ("Parked", "lost")]
    assert _state(target) == _state(services)

    # Importing the same exports again changes nothing.
    for what, counts in (("stages", 8), ("companies", 8), ("contacts", 3)):
        again = await target.transfer.import_file(files[what], ImportOptions())
        expected = {"new": 0, "updated": 0, "unchanged": counts}
        assert getattr(again, what).as_dict() == expected
    assert await _pipeline(target) == await _pipeline(services)


async def test_json_and_activity_exports(services: Services) -> None:
    await _seed(services)
    rows = json.loads(await _text(services, "companies", "json"))
    acme = next(r for r in rows if r["id"] == "acme")
    assert acme["deal_value"] == 15000.5
    assert acme["metadata"] == {"plan": "pro", "seats": 5, "flags": [1, 2]}
    assert acme["stage"] == "Proposal"
    people = json.loads(await _text(services, "contacts", "json"))
    assert {p["email"]: sorted(p["company_ids"]) for p in people}["jane@acme.com"] == [
        "acme",
        "bare",
    ]
    activity = list(csv.DictReader(io.StringIO(await _text(services, "activity"))))
    assert {"company_created", "identify"} <= {row["kind"] for row in activity}
    assert json.loads(await _text(services, "activity", "json"))[0]["id"] == activity[0]["id"]


async def test_exports_are_streamed_a_page_at_a_time(services: Services, tmp_path: Path) -> None:
    rows = "\n".join(f"Co {n},co{n}.com" for n in range(2500))
    source = tmp_path / "many.csv"
    source.write_text("Company name,Company Domain Name\n" + rows + "\n")
    await services.transfer.import_file(source, ImportOptions())
    chunks = [chunk async for chunk in services.transfer.export("companies")]
    # A header, then one chunk per page of 1000.
    assert len(chunks) == 4
    assert sum(chunk.count("\r\n") for chunk in chunks) == 2501
