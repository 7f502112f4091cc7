"""The SDK's object forms beside the positional ones, and a user_hash identify() remembers."""

from __future__ import annotations

from typing import Any

from halcrm.domain.identity import user_hash
from halcrm.embed import embed_snippet
from halcrm.services.crm.inputs import ProjectPatch
from tests.browser.test_widget_sdk import SETTLE, open_founder_app, settle
from tests.conftest import TOKEN
from tests.live import halcrm_server, serving, static_pages


def _page(halcrm_url: str) -> str:
    return (
        "<!doctype html><html><head>"
        + embed_snippet(halcrm_url, "local")
        + f"<script>{SETTLE}</script></head><body></body></html>"
    )


async def _bodies(page: Any) -> list[dict[str, Any]]:
    return list(await page.evaluate("window.sent"))


RECORD = "window.sent = []; HalWidget.init({ onRequest: (i) => window.sent.push(i.body) })"


async def test_object_and_positional_forms_send_the_same_calls(services, page):
    async with (
        halcrm_server(services, TOKEN) as halcrm_url,
        serving(static_pages({"/": _page(halcrm_url)})) as app_url,
    ):
        await open_founder_app(page, app_url)
        await page.evaluate(RECORD)
        who = await settle(
            page,
            "HalWidget.identify({ email: 'ann@acme.com', company: { id: 'acme' }, "
            "company_ids: [] })",
        )
        assert who["ok"], who
        calls = [
            "HalWidget.track({ name: 'seat_added', value: 3, company_id: 'acme' })",
            "HalWidget.track('seat_added', 4, { company_id: 'acme' })",
            "HalWidget.setStage({ stage: 'Proposal', company_id: 'acme', "
            "stage_update_mode: 'exact' })",
            "HalWidget.setStage('Qualified', { company_id: 'acme', stage_update_mode: 'exact' })",
            "HalWidget.setDeal({ deal_value: 900, stage: 'Negotiation', company_id: 'acme' })",
            "HalWidget.setDeal(1200.5, { company_id: 'acme' })",
        ]
        for call in calls:
            answer = await settle(page, call)
            assert answer["ok"], (call, answer)
        sent = (await _bodies(page))[1:]
        # Every call carries its own message_id (a retry reuses it).
        assert len({body["message_id"] for body in sent}) == len(sent)
        strip = [
            {k: v for k, v in body.items() if k not in ("app_id", "visitor_id", "message_id")}
            for body in sent
        ]
        assert strip == [
            {"name": "seat_added", "value": 3, "company_id": "acme"},
            {"name": "seat_added", "value": 4, "company_id": "acme"},
            {"stage": "Proposal", "company_id": "acme", "stage_update_mode": "exact"},
            {"company_id": "acme", "stage_update_mode": "exact", "stage": "Qualified"},
            {"deal_value": 900, "stage": "Negotiation", "company_id": "acme"},
            {"company_id": "acme", "deal_value": 1200.5},
        ]
    acme = await services.companies.get("acme")
    assert (acme.stage, acme.deal_value) == ("Negotiation", 1200.5)
    events = [h for h in (await services.companies.history("acme")).items if h.type == "event"]
    assert sorted(h.value for h in events) == [3, 4]


async def test_the_hash_given_to_identify_goes_with_later_calls(services, page):
    await services.projects.update(ProjectPatch(identity_verification="required"))
    secret = (await services.projects.get()).secret
    good = user_hash(secret, "user-7")
    async with (
        halcrm_server(services, TOKEN) as halcrm_url,
        serving(static_pages({"/": _page(halcrm_url)})) as app_url,
    ):
        await open_founder_app(page, app_url)
        await page.evaluate(RECORD)
        # No init({userHash}): the hash comes with identify only, as in HAL's examples.
        who = await settle(
            page,
            f"HalWidget.identify({{ visitor_id: 'user-7', email: 'kim@initech.com', "
            f"user_hash: '{good}' }})",
        )
        assert who["ok"], who
        assert who["value"]["verified"] is True
        later = [
            "HalWidget.setProperties({ plan: 'pro' })",
            "HalWidget.track({ name: 'upgraded' })",
            "HalWidget.setStage({ stage: 'Qualified' })",
            "HalWidget.setDeal({ deal_value: 50 })",
        ]
        for call in later:
            answer = await settle(page, call)
            assert answer["ok"], (call, answer)
        assert all(body.get("user_hash") == good for body in await _bodies(page))
        # reset() (a logout) forgets it with the visitor: the next call is refused.
        await page.evaluate("HalWidget.reset()")
        refused = await settle(page, "HalWidget.setProperties({ plan: 'x' })")
        assert (refused["status"], refused["code"]) == (401, "identity_verification_failed")
    kim = (await services.contacts.all(email="kim@initech.com")).items[0]
    assert kim.metadata == {"plan": "pro"}
