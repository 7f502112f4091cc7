"""Every non-widget route refuses a missing, a wrong and the other kind of credential (401).

The routes come from the app's own route table, so a route added later is covered too.
"""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute

from halcrm.server.app import ServerConfig, create_app
from tests.conftest import TOKEN

# Public by design: the widget's routes and script, the playground, health and the schema.
PUBLIC_PREFIXES = ("/api/widget/", "/widget.js", "/playground", "/health", "/schema")
# OPTIONS is answered by Litestar itself (CORS preflights, Allow); it reads and writes nothing.
SKIPPED_METHODS = {"OPTIONS", "HEAD"}


def guarded_routes() -> list[tuple[str, str]]:
    app = create_app(None, ServerConfig(account_token=TOKEN))  # type: ignore[arg-type]
    out: list[tuple[str, str]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(PUBLIC_PREFIXES):
            continue
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        out += [(method, path) for method in sorted(route.methods - SKIPPED_METHODS)]
    return out


ROUTES = guarded_routes()


def test_the_matrix_covers_both_families():
    paths = {path for _, path in ROUTES}
    assert "/api/companies" in paths
    assert "/api/events" in paths
    assert "/api/v1/conversations/x/messages" in paths
    assert len(ROUTES) >= 25


def _credentials(path: str, api_key: str) -> dict[str, dict[str, str]]:
    if path.startswith("/api/v1/"):
        return {
            "missing": {},
            "wrong": {"X-API-Key": "hcrm_live_" + "A" * 43},
            "account token": {"Authorization": f"Bearer {TOKEN}", "X-API-Key": ""},
            "bearer key": {"Authorization": f"Bearer {api_key}"},
        }
    return {
        "missing": {},
        "wrong": {"Authorization": "Bearer " + "y" * len(TOKEN)},
        "not bearer": {"Authorization": f"Basic {TOKEN}"},
        "api key": {"X-API-Key": api_key},
    }


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_route_refuses_bad_credentials(client, services, auth, method, path):
    api_key = (await services.api_keys.create("matrix")).key
    before = len((await services.activity.recent()).items)
    for label, headers in _credentials(path, api_key).items():
        answer = await client.request(method, path, headers=headers, json={})
        assert answer.status_code == 401, (label, answer.text)
        body = answer.json()
        assert body["error"] == "unauthorized", label
        assert isinstance(body["detail"], str)
        assert body["detail"]
    assert len((await services.activity.recent()).items) == before
