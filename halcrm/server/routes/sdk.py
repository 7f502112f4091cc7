"""The widget SDK (``/widget.js``) and the playground page that exercises it (``/playground``)."""

import html
import re
from functools import cache
from importlib.resources import files

from litestar import Controller, Response, get

from halcrm.embed import PLAYGROUND_PATH, WIDGET_JS_PATH, embed_snippet
from halcrm.services.container import Services

# Short enough that a halcrm upgrade reaches open pages soon; long enough to spare reloads.
WIDGET_CACHE = "public, max-age=300"


@cache
def static_text(name: str) -> str:
    """A file shipped under ``halcrm/server/static`` (package data), read once."""
    return (files("halcrm.server") / "static" / name).read_text(encoding="utf-8")


def render_playground(project_id: str, stage_names: list[str]) -> str:
    """The playground page for ``project_id``, embedding the SDK with the real snippet."""
    values = {
        "project": html.escape(project_id),
        "stage_options": "".join(f'<option value="{html.escape(n)}">' for n in stage_names),
        # Same-origin: the page and the SDK come from this server.
        "snippet": embed_snippet("", project_id),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], static_text("playground.html"))


class SdkController(Controller):
    """Public pages: no token, not part of the API schema."""

    tags = ["widget"]
    security = []
    include_in_schema = False

    @get(WIDGET_JS_PATH)
    async def widget_js(self) -> Response[str]:
        """The SDK a website embeds (CORS open, see ``server/cors.py``)."""
        return Response(
            static_text("widget.js"),
            media_type="text/javascript",
            headers={"Cache-Control": WIDGET_CACHE},
        )

    @get(PLAYGROUND_PATH)
    async def playground(self, services: Services) -> Response[str]:
        """Forms that fire every widget call through the SDK, with a log of the answers."""
        stages = await services.stages.all()
        page = render_playground(services.project_id, [s.name for s in stages.items])
        return Response(page, media_type="text/html", headers={"Cache-Control": "no-store"})
