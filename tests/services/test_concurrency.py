"""Concurrent identifies from separate connections agree on one contact and lose no key."""

from __future__ import annotations

import asyncio

from halcrm.runtime import open_runtime
from halcrm.services.widget.inputs import Identify, IdentifyCompany
from halcrm.settings import Settings


async def test_40_identifies_for_one_new_email_from_separate_connections(settings: Settings):
    # Eight runtimes means eight engines: eight independent connection pools to one database.
    runtimes = [await open_runtime(settings) for _ in range(8)]
    try:
        calls = [
            runtimes[i % 8].services.widget.identify(
                Identify(
                    app_id="local",
                    visitor_id=f"visitor-{i}",
                    email="New.Person@Corp.io",
                    metadata={f"k{i}": i},
                )
            )
            for i in range(40)
        ]
        answers = await asyncio.gather(*calls)
        services = runtimes[0].services
        assert len({a.contact_id for a in answers}) == 1
        contacts = (await services.contacts.all()).items
        assert len(contacts) == 1
        assert contacts[0].metadata == {f"k{i}": i for i in range(40)}
        companies = (await services.companies.all()).items
        assert len(companies) == 1
        assert companies[0].is_placeholder
        assert companies[0].name == "corp.io"
        assert companies[0].contact_ids == [contacts[0].id]
    finally:
        for runtime in runtimes:
            await runtime.close()


async def test_concurrent_identifies_naming_one_new_company_create_it_once(settings: Settings):
    runtimes = [await open_runtime(settings) for _ in range(4)]
    try:
        calls = [
            runtimes[i % 4].services.widget.identify(
                Identify(
                    app_id="local",
                    visitor_id=f"v{i}",
                    email=f"person{i}@bigco.com",
                    company=IdentifyCompany(id="bigco", name="BigCo", metadata={f"m{i}": True}),
                )
            )
            for i in range(20)
        ]
        await asyncio.gather(*calls)
        services = runtimes[0].services
        companies = (await services.companies.all()).items
        assert [c.id for c in companies] == ["bigco"]
        assert len(companies[0].contact_ids) == 20
        assert companies[0].metadata == {f"m{i}": True for i in range(20)}
    finally:
        for runtime in runtimes:
            await runtime.close()
