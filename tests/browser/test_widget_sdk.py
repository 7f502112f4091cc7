"""The SDK in a real browser, embedded by a page served from another port than halcrm."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from halcrm.domain.identity import user_hash
from halcrm.embed import embed_snippet
from halcrm.server.routes.sdk import static_text
from halcrm.services.crm.inputs import ProjectPatch
from tests.conftest import TOKEN
from tests.live import halcrm_server, recording, serving, static_pages

# Settles a promise into plain data Playwright can return, keeping the rejection's fields.
SETTLE = """
window.settle = (p) => p.then(
  (value) => ({ ok: true, value }),
  (e) => ({ ok: false, isError: e instanceof Error, code: e.code, detail: e.detail,
            status: e.status, message: e.message }));
"""


def founder_page(halcrm_url: str) -> str:
    """The founder's app: the snippet, then three calls made before widget.js has loaded (the
    set-stage would be refused as not identified if it overtook the slowed-down identify)."""
    return f"""<!doctype html>
<html><head><title>Founder's app</title>
{embed_snippet(halcrm_url, "local")}
<script>
{SETTLE}
window.queued = {{
  identify: settle(HalWidget.identify({{
    email: "jane@acme.com", name: "Jane", company: {{ id: "acme", name: "Acme Inc" }} }})),
  track: settle(HalWidget.track("signed_up", 1)),
  setStage: settle(HalWidget.setStage("Qualified")),
}};
window.queuedBeforeLoad = HalWidget.q.length;
</script></head><body><h1>Founder's app</h1></body></html>"""


async def settle(page: Any, call: str) -> dict[str, Any]:
    return await page.evaluate(f"() => settle({call})")


async def open_founder_app(page: Any, app_url: str) -> None:
    """Opens the app as ``localhost:PORT`` while halcrm is ``127.0.0.1:PORT``, as a founder
    would (their app on localhost:3000, halcrm on 127.0.0.1:8765)."""
    await page.goto(app_url.replace("127.0.0.1", "localhost") + "/")
    await page.wait_for_function("window.HalWidget && window.HalWidget.loaded === true")


async def test_every_call_from_a_page_on_another_port(services, page):
    seen: list[tuple[str, str, str | None]] = []
    async with (
        halcrm_server(
            services, TOKEN, wrap=recording(seen, slow_post="/api/widget/identify")
        ) as halcrm_url,
        serving(static_pages({"/": founder_page(halcrm_url)})) as app_url,
    ):
        await open_founder_app(page, app_url)
        origin = app_url.replace("127.0.0.1", "localhost")

        # Queued by the stub before the script loaded, replayed in order, promises settled.
        assert await page.evaluate("window.queuedBeforeLoad") == 3
        queued = await page.evaluate(
            "async () => ({ identify: await queued.identify, track: await queued.track, "
            "setStage: await queued.setStage })"
        )
        assert queued["setStage"]["ok"], queued
        assert queued["setStage"]["value"]["stage"] == "Qualified"
        assert queued["identify"]["ok"], queued
        assert queued["track"]["ok"], queued
        assert queued["track"]["value"]["company_id"] is None
        identified = queued["identify"]["value"]
        visitor = identified["visitor_id"]
        assert visitor.startswith("v_")
        assert identified["active_company_id"] == "acme"
        stored = await page.evaluate("localStorage.getItem('halcrm_visitor_id')")
        assert stored == visitor

        props = await settle(page, "HalWidget.setProperties({ plan: 'pro', seats: 5 })")
        assert props["value"] == {"visitor_id": visitor, "contact_id": identified["contact_id"]}
        tracked = await settle(
            page, "HalWidget.track('trial_started', true, { company_id: 'acme' })"
        )
        assert tracked["ok"]
        assert tracked["value"]["company_id"] == "acme"
        staged = await settle(page, "HalWidget.setStage('Proposal')")
        assert staged["value"]["stage"] == "Proposal"
        assert staged["value"]["applied"] is True
        dealt = await settle(
            page, "HalWidget.setDeal({ deal_value: 12500.5, stage: 'Negotiation' })"
        )
        assert dealt["value"]["deal_value"] == 12500.5
        assert dealt["value"]["stage"] == "Negotiation"

        # Refused: an unknown company, then an unknown stage; the promise rejects with the code.
        refused = await settle(page, "HalWidget.setStage('Won', { company_id: 'globex' })")
        assert refused["ok"] is False
        assert refused["isError"] is True
        assert (refused["status"], refused["code"]) == (404, "unknown_company")
        assert "globex" in refused["detail"]
        refused = await settle(page, "HalWidget.setDeal({ deal_value: 1, stage: 'Nowhere' })")
        assert (refused["status"], refused["code"]) == (400, "unknown_stage")
        assert "Qualified" in refused["detail"]

        # The visitor survives a reload; reset() starts an anonymous one the CRM does not know.
        await page.reload()
        await page.wait_for_function("window.HalWidget && window.HalWidget.loaded === true")
        assert await page.evaluate("HalWidget.visitorId()") == visitor
        await page.evaluate("HalWidget.reset()")
        anonymous = await settle(page, "HalWidget.setStage('Won')")
        assert anonymous["code"] == "visitor_not_identified"
        assert await page.evaluate("HalWidget.visitorId()") != visitor

    # The CRM, read through the services.
    acme = await services.companies.get("acme")
    assert acme.stage == "Negotiation"
    assert Decimal(str(acme.deal_value)) == Decimal("12500.50")
    jane = await services.contacts.get(identified["contact_id"])
    assert (jane.email, jane.name, jane.company_ids) == ("jane@acme.com", "Jane", ["acme"])
    assert jane.metadata == {"plan": "pro", "seats": 5}
    history = (await services.companies.history("acme")).items
    assert [(h.name, h.value) for h in history if h.type == "event"] == [("trial_started", True)]
    moves = [(h.stage, h.source) for h in history if h.type == "stage_change" and h.applied]
    assert moves[0] == ("Negotiation", "widget")

    # Cross-origin from the founder's port, preflight included.
    preflights = {path for method, path, o in seen if method == "OPTIONS" and o == origin}
    assert "/api/widget/identify" in preflights
    assert ("POST", "/api/widget/set-deal", origin) in seen


async def test_user_hash_is_sent_with_every_call(services, page):
    await services.projects.update(ProjectPatch(identity_verification="required"))
    secret = (await services.projects.get()).secret
    good = user_hash(secret, "user-42")
    blank = "<!doctype html><html><head>" + "{snippet}" + f"<script>{SETTLE}</script></head></html>"
    async with halcrm_server(services, TOKEN) as halcrm_url:
        page_html = blank.replace("{snippet}", embed_snippet(halcrm_url, "local"))
        async with serving(static_pages({"/": page_html})) as app_url:
            await open_founder_app(page, app_url)
            await page.evaluate(f"HalWidget.init({{ userHash: '{good}' }})")
            who = await settle(
                page, "HalWidget.identify({ visitor_id: 'user-42', email: 'max@initech.com' })"
            )
            assert who["ok"]
            assert who["value"]["verified"] is True
            # The adopted visitor id and the hash go with the next calls too.
            assert (await settle(page, "HalWidget.setStage('Qualified')"))["ok"]
            await page.evaluate("HalWidget.init({ userHash: 'f00d' })")
            wrong = await settle(page, "HalWidget.setProperties({ plan: 'x' })")
            assert (wrong["status"], wrong["code"]) == (401, "identity_verification_failed")
            await page.evaluate("HalWidget.init({ apiBase: 'http://127.0.0.1:1' })")
            lost = await settle(page, "HalWidget.track('x')")
            assert (lost["status"], lost["code"]) == (0, "network_error")

    contact = (await services.contacts.all(email="max@initech.com")).items[0]
    assert contact.metadata == {}
    companies = (await services.companies.all()).items
    assert [(c.name, c.stage) for c in companies] == [("initech.com", "Qualified")]


async def test_company_hashes_go_through_the_sdk(services, page):
    """Verification required: a company another contact shares is linked with its hash, in
    both forms (company.hash, company_hashes), and refused without it."""
    await services.projects.update(ProjectPatch(identity_verification="required"))
    secret = (await services.projects.get()).secret
    blank = "<!doctype html><html><head>" + "{snippet}" + f"<script>{SETTLE}</script></head></html>"

    async def identify(visitor: str, **fields: Any) -> dict[str, Any]:
        await page.evaluate(f"HalWidget.init({{ userHash: '{user_hash(secret, visitor)}' }})")
        payload = json.dumps({"visitor_id": visitor, "user_id": visitor, **fields})
        return await settle(page, f"HalWidget.identify({payload})")

    acme = user_hash(secret, "acme")
    async with halcrm_server(services, TOKEN) as halcrm_url:
        page_html = blank.replace("{snippet}", embed_snippet(halcrm_url, "local"))
        async with serving(static_pages({"/": page_html})) as app_url:
            await open_founder_app(page, app_url)
            assert (await identify("owner", company={"id": "acme"}))["ok"]
            bare = await identify("u-1", company={"id": "acme"})
            assert (bare["status"], bare["code"]) == (403, "company_not_verified")
            one = await identify("u-1", company={"id": "acme", "hash": acme})
            assert one["ok"], one
            two = await identify("u-2", company_ids=["acme"], company_hashes=[acme])
            assert two["ok"], two
            assert "acme" in two["value"]["company_ids"]


async def test_a_plain_script_tag_is_configured_by_its_data_attributes(services, page):
    async with halcrm_server(services, TOKEN) as halcrm_url:
        # widget.js from the founder's own server (self-hosted), calls sent to halcrm.
        plain = (
            f'<!doctype html><html><head><script src="/vendor/widget.js" '
            f'data-project-id="local" data-api-base="{halcrm_url}/"></script>'
            f"<script>{SETTLE}</script></head></html>"
        )
        pages = {"/": plain, "/vendor/widget.js": static_text("widget.js")}
        async with serving(static_pages(pages)) as app_url:
            await open_founder_app(page, app_url)
            config = await page.evaluate("HalWidget.config()")
            assert config["projectId"] == "local"
            assert config["apiBase"] == halcrm_url + "/"
            who = await settle(page, "HalWidget.identify({ email: 'lee@hooli.com' })")
            assert who["ok"], who
            assert who["value"]["visitor_id"] == config["visitorId"]

    lee = (await services.contacts.all(email="lee@hooli.com")).items
    assert len(lee) == 1
