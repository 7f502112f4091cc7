"""The chat in Chromium, on a page of another origin than halcrm, with the board (Pilot) in the
same test: the visitor writes, the board shows it, the founder answers with keys, the page
shows the answer; reload, a second visitor, hostile text, hostile CSS, a wrong hash."""

from __future__ import annotations

import re
from typing import Any

from halcrm.domain.identity import user_hash
from halcrm.services.container import Services
from halcrm.services.crm.inputs import ProjectPatch
from halcrm.services.support.schemas import MessageCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.screens.conversation import ConversationScreen
from halcrm.tui.screens.inbox import InboxScreen
from tests.conftest import TOKEN
from tests.live import halcrm_server, serving, static_pages
from tests.tui.helpers import ready, until

XSS = "<img src=x onerror=alert(1)>"
# The host page does its worst to everything, buttons and lists included.
HOSTILE_CSS = """
* { color: rgb(255, 0, 0) !important; font-size: 40px !important; font-family: serif !important; }
button, li, section, ol { background: rgb(0, 255, 0) !important; padding: 50px !important; }
"""


def host_page(halcrm_url: str, extra: str = "") -> str:
    return f"""<!doctype html>
<html><head><title>Founder's site</title><style>{HOSTILE_CSS}</style>
<script src="{halcrm_url}/widget.js" data-project-id="local" data-chat="on" {extra}></script>
<script>window.alerted = 0; window.alert = () => {{ window.alerted += 1; }};</script>
</head><body><h1>Founder's site</h1></body></html>"""


def shadow(selector: str) -> str:
    """A locator reaching into the chat's (open) shadow root."""
    return f"[data-halcrm-chat] >> {selector}"


async def open_site(page: Any, url: str) -> None:
    await page.goto(url.replace("127.0.0.1", "localhost") + "/")
    await page.wait_for_function("window.HalWidget && window.HalWidget.loaded === true")
    await page.locator(shadow("button.l")).wait_for()


async def send(page: Any, text: str) -> None:
    box = page.locator(shadow("textarea"))
    await box.fill(text)
    await box.press("Enter")


async def test_the_whole_loop_between_a_page_and_the_board(
    services: Services, browser: Any, clock: Any
) -> None:
    app = HalcrmApp(services, services.bus, server_url="http://127.0.0.1:0", clock=clock)
    async with (
        halcrm_server(services, TOKEN) as halcrm_url,
        serving(static_pages({"/": host_page(halcrm_url)})) as site,
        app.run_test(size=(160, 45)) as pilot,
    ):
        await ready(pilot)
        context = await browser.new_context()
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await open_site(page, site)
        # Keyboard: the launcher opens the panel with the message box focused; Esc closes it.
        await page.locator(shadow("button.l")).focus()
        await page.keyboard.press("Enter")
        await page.locator(shadow("section[role=dialog]")).wait_for()
        assert (
            await page.evaluate(
                "document.querySelector('[data-halcrm-chat]').shadowRoot.activeElement.tagName"
            )
            == "TEXTAREA"
        )
        await send(page, XSS)
        mine = page.locator(shadow("li.visitor:not(.pending)"), has_text=XSS)
        await mine.wait_for()

        # The board shows it live, as text.
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "inbox")
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await until(pilot, lambda: len(inbox.talks) == 1, "the chat on the board")
        assert inbox.talks[0].last_body == XSS
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConversationScreen), "conversation")
        await pilot.press(*"Hello from the board", "enter")

        # The page shows the reply, distinct from the visitor's lines.
        reply = page.locator(shadow("li.agent"), has_text="Hello from the board")
        await reply.wait_for()
        assert await page.evaluate("window.alerted") == 0
        assert await page.locator(shadow("li img")).count() == 0

        # The host page's CSS does not reach the panel.
        style = await reply.evaluate(
            "e => { const s = getComputedStyle(e); return [s.color, s.fontSize, s.padding]; }"
        )
        assert style == ["rgb(31, 35, 40)", "14px", "6px 10px"]

        # Esc closes, focus back on the launcher; a reply while closed raises the badge.
        await page.locator(shadow("textarea")).press("Escape")
        await page.locator(shadow("section[role=dialog]")).wait_for(state="hidden")
        await pilot.press("r", *"are you there?", "enter")  # r: the reply box again
        badge = page.locator(shadow("button.l .b"))
        await badge.filter(has_text="1").wait_for()

        # Reload keeps the history.
        await page.reload()
        await page.locator(shadow("button.l")).click()
        await page.locator(shadow("li.visitor"), has_text=XSS).wait_for()
        await page.locator(shadow("li.agent"), has_text="are you there?").wait_for()

        # A second visitor (another browser profile) sees none of it.
        second = await browser.new_context()
        other = await second.new_page()
        await open_site(other, site)
        await other.locator(shadow("button.l")).click()
        await other.locator(shadow("section[role=dialog]")).wait_for()
        await other.wait_for_timeout(300)
        assert await other.locator(shadow("li")).count() == 0
        await second.close()
        await context.close()


async def test_with_verification_a_wrong_hash_gets_no_stream(services: Services, browser: Any):
    await services.projects.update(ProjectPatch(identity_verification="required"))
    secret = (await services.projects.get()).secret
    assert isinstance(secret, str)
    good = user_hash(secret, "u_1")
    wrong = user_hash(secret, "u_2")
    seen: list[str] = []
    async with halcrm_server(services, TOKEN) as halcrm_url:
        pages = {
            "/": host_page(halcrm_url, f'data-user-hash="{wrong}"'),
            "/good": host_page(halcrm_url, f'data-user-hash="{good}"'),
        }
        async with serving(static_pages(pages)) as site:
            for path in ("/", "/good"):
                context = await browser.new_context()
                page = await context.new_page()
                page.set_default_timeout(15_000)
                page.on(
                    "response",
                    lambda r: seen.append(f"{r.status} {r.url}") if "/chat/" in r.url else None,
                )
                await page.add_init_script("localStorage.setItem('halcrm_visitor_id', 'u_1')")
                url = site.replace("127.0.0.1", "localhost") + path
                await page.goto(url)
                await page.locator(shadow("button.l")).click()
                if path == "/":
                    status = page.locator(shadow("p.s"), has_text="Chat unavailable")
                    await status.wait_for()
                    assert all(not s.startswith("200") for s in seen), seen
                else:
                    await send(page, "verified hello")
                    await page.locator(shadow("li.visitor:not(.pending)")).wait_for()
                await context.close()
    assert any(s.startswith("401") and "/chat/stream" in s for s in seen), seen
    assert any(s.startswith("201") for s in seen), seen


async def test_offline_the_message_is_kept_and_sent_once_when_back(
    services: Services, page: Any
) -> None:
    async with (
        halcrm_server(services, TOKEN) as halcrm_url,
        serving(static_pages({"/": host_page(halcrm_url)})) as site,
    ):
        await open_site(page, site)

        async def drop(route: Any) -> None:
            if route.request.method == "POST":
                await route.abort()
            else:
                await route.continue_()

        await page.route("**/api/widget/chat/messages", drop)
        await page.locator(shadow("button.l")).click()
        await send(page, "sent while offline")
        await page.locator(shadow("p.s"), has_text="Offline").wait_for()
        await page.locator(shadow("li.pending"), has_text="sent while offline").wait_for()
        assert "sent while offline" in await page.evaluate(
            "localStorage.getItem('halcrm_chat_outbox')"
        )
        await page.unroute("**/api/widget/chat/messages")
        await page.locator(shadow("li.visitor:not(.pending)"), has_text="offline").wait_for()
        await page.locator(shadow("p.s")).wait_for(state="hidden")
        (talk,) = await services.support.inbox()
        assert talk.message_count == 1


async def test_the_chat_is_off_unless_turned_on_and_names_the_visitor(
    services: Services, page: Any
) -> None:
    """No chat on a page that does not ask for it; init({chat: true}) turns it on; the
    header names the visitor once identified; every line has its time; the parts are
    labelled for screen readers; escape gives the focus back to the launcher."""
    plain = '<!doctype html><html><head><script src="{url}/widget.js" data-project-id="local">'
    plain += "</script></head><body><h1>Founder's site</h1></body></html>"
    async with (
        halcrm_server(services, TOKEN) as halcrm_url,
        serving(static_pages({"/": plain.format(url=halcrm_url)})) as site,
    ):
        await page.goto(site.replace("127.0.0.1", "localhost") + "/")
        await page.wait_for_function("window.HalWidget && window.HalWidget.loaded === true")
        await page.wait_for_timeout(200)
        assert await page.locator("[data-halcrm-chat]").count() == 0

        await page.evaluate("HalWidget.init({ chat: true })")
        launcher = page.locator(shadow("button.l"))
        await launcher.wait_for()
        assert await launcher.get_attribute("aria-label") == "Open chat"
        # A drawn icon, not an emoji (a page without an emoji font showed a box); the
        # button's label is what a screen reader says.
        assert (await launcher.text_content() or "").strip() == ""
        icon = page.locator(shadow("button.l svg"))
        assert await icon.get_attribute("aria-hidden") == "true"
        box = await icon.bounding_box()
        assert box is not None
        assert box["width"] >= 20
        assert box["height"] >= 20
        assert await page.get_by_role("button", name="Open chat").count() == 1
        await launcher.click()
        panel = page.locator(shadow("section[role=dialog]"))
        assert await panel.get_attribute("aria-label") == "Chat"
        assert await page.locator(shadow("textarea")).get_attribute("aria-label") == "Message"
        assert await page.locator(shadow("ol")).get_attribute("aria-live") == "polite"
        assert await page.locator(shadow("header h2")).inner_text() == "Chat with us"

        await page.evaluate("HalWidget.identify({ email: 'jo@acme.com', name: 'Jo' })")
        await page.locator(shadow("header h2"), has_text="Chat · Jo").wait_for()
        await send(page, "hello, it's Jo")
        mine = page.locator(shadow("li.visitor:not(.pending) time"))
        await mine.wait_for()
        assert re.fullmatch(r"\d\d:\d\d", await mine.inner_text())
        (talk,) = await services.support.inbox()
        await services.support.add_message(talk.id, MessageCreate(author="agent", body="hi Jo"))
        theirs = page.locator(shadow("li.agent time"))
        await theirs.wait_for()
        assert re.fullmatch(r"Team · \d\d:\d\d", await theirs.inner_text())

        await page.locator(shadow("textarea")).press("Escape")
        await panel.wait_for(state="hidden")
        focused = "document.querySelector('[data-halcrm-chat]').shadowRoot.activeElement"
        assert await page.evaluate(f"{focused}.className") == "l"
