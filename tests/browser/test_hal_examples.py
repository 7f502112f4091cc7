"""HAL's documented SDK example, run verbatim from a page on another origin against a project
that is not halcrm's default, with no project-specific start flag (issue 17)."""

from __future__ import annotations

from halcrm.embed import embed_snippet
from tests.browser.test_widget_sdk import SETTLE, open_founder_app, settle
from tests.conftest import TOKEN
from tests.live import halcrm_server, serving, static_pages

# HAL's example, as its docs print it (HAL-COMPAT.md).
HAL_IDENTIFY = """
HalWidget.identify({"visitor_id": "user_456", "user_id": "user_456", "email": "alice@acme.com",
 "name": "Alice", "metadata": {"plan": "enterprise", "role": "admin"},
 "company": {"id": "acme", "name": "Acme Inc", "stage": "Qualified",
             "metadata": {"arr_band": "50k-100k", "crm_owner": "Sam"}}})
"""


async def test_hal_sdk_example_lands_in_its_own_project(services, page):
    await services.projects.create("proj_123")
    hal = services.for_project("proj_123")
    async with halcrm_server(services, TOKEN) as halcrm_url:
        html = (
            "<!doctype html><html><head>"
            + embed_snippet(halcrm_url, "proj_123")
            + f"<script>{SETTLE}</script></head></html>"
        )
        async with serving(static_pages({"/": html})) as app_url:
            await open_founder_app(page, app_url)
            who = await settle(page, HAL_IDENTIFY.strip())
            assert who["ok"], who
            deal = await settle(page, "HalWidget.setDeal({deal_value: 12500, company_id: 'acme'})")
            assert deal["ok"], deal
            track = await settle(page, "HalWidget.track({name: 'trial-started'})")
            assert track["ok"], track
    acme = await hal.companies.get("acme")
    assert (acme.stage, acme.deal_value) == ("Qualified", 12500)
    assert (await hal.contacts.all(email="alice@acme.com")).items[0].metadata == {
        "plan": "enterprise",
        "role": "admin",
    }
    assert (await services.companies.all()).items == []
