"""The playground page, served by halcrm, fires the SDK; the board's data and feed change."""

from __future__ import annotations

import httpx

from halcrm.embed import playground_url
from halcrm.services.support.schemas import MessageCreate
from tests.conftest import TOKEN
from tests.live import halcrm_server


async def test_playground_set_stage_lands_in_the_crm_and_the_feed(services, page):
    async with halcrm_server(services, TOKEN) as url:
        await page.goto(playground_url(url))
        await page.wait_for_function("window.HalWidget && window.HalWidget.loaded === true")
        visitor = page.locator("#visitor")
        await visitor.filter(has_text="v_").wait_for()

        # Pre-filled demo values: jane@acme.com at Acme Inc (id acme), stage Lead.
        await page.locator("#identify button[type=submit]").click()
        await page.locator("#log li.ok", has_text="/api/widget/identify").wait_for()
        await page.locator("#set-stage input[name=stage]").fill("Proposal")
        await page.locator("#set-stage button[type=submit]").click()
        entry = page.locator("#log li", has_text="/api/widget/set-stage")
        await entry.wait_for()
        assert await entry.get_attribute("class") == "ok"
        logged = await entry.inner_text()
        assert "→ 200" in logged
        assert '"stage":"Proposal"' in logged
        assert '"applied":true' in logged

        # A refusal shows in the log too.
        await page.locator("#set-stage input[name=stage]").fill("Nowhere")
        await page.locator("#set-stage button[type=submit]").click()
        await page.locator("#log li.err", has_text="unknown_stage").wait_for()

        async with httpx.AsyncClient(base_url=url) as http:
            feed = await http.get("/api/activity", headers={"Authorization": f"Bearer {TOKEN}"})
        assert feed.status_code == 200

    acme = await services.companies.get("acme")
    assert (acme.name, acme.stage) == ("Acme Inc", "Proposal")
    moves = [
        (item["company_id"], item["source"], item["data"]["stage"], item["data"]["applied"])
        for item in feed.json()["items"]
        if item["kind"] == "stage_change"
    ]
    # Newest first: the playground's set-stage, then identify's company.stage.
    assert moves[0] == ("acme", "widget", "Proposal", True)


async def test_playground_has_the_chat_and_a_reply_reaches_it(services, page):
    async with halcrm_server(services, TOKEN) as url:
        await page.goto(playground_url(url))
        launcher = page.locator("[data-halcrm-chat] >> button.l")
        await launcher.click()
        box = page.locator("[data-halcrm-chat] >> textarea")
        await box.fill("hello from the playground")
        await box.press("Enter")
        await page.locator("[data-halcrm-chat] >> li.visitor:not(.pending)").wait_for()
        (talk,) = await services.support.inbox()
        await services.support.add_message(
            talk.id, MessageCreate(author="agent", body="hi, founder here")
        )
        await page.locator("[data-halcrm-chat] >> li.agent", has_text="founder here").wait_for()


async def test_the_playground_sends_company_hashes(services, page):
    """Its company.hash, company_ids and company_hashes fields reach the identify body."""
    async with halcrm_server(services, TOKEN) as url:
        await page.goto(playground_url(url))
        await page.wait_for_function("window.HalWidget && window.HalWidget.loaded === true")
        await page.locator("#identify input[name='company.hash']").fill("h0")
        await page.locator("#identify input[name='company_ids:list']").fill("acme, globex")
        await page.locator("#identify input[name='company_hashes:list']").fill("h1,h2")
        await page.locator("#identify button[type=submit]").click()
        entry = page.locator("#log li", has_text="/api/widget/identify")
        await entry.wait_for()
        logged = await entry.inner_text()
        assert '"hash":"h0"' in logged
        assert '"company_ids":["acme","globex"]' in logged
        assert '"company_hashes":["h1","h2"]' in logged
