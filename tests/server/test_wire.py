"""The wire both ends speak (``domain/wire.py``): every resource the ``--connect`` board calls is
a route the server serves, under the same path."""

from __future__ import annotations

from halcrm.domain import wire
from halcrm.runtime import Runtime
from halcrm.server.app import ServerConfig, create_app
from tests.conftest import TOKEN

RESOURCES = (
    wire.ACTIVITY,
    wire.AGENDA,
    wire.BOARD,
    wire.COMPANIES,
    wire.CONTACTS,
    wire.CONVERSATIONS,
    wire.EVENTS,
    wire.PROJECT,
    wire.PROJECTS,
    wire.STAGES,
    wire.TASKS,
    wire.WEBHOOKS,
    wire.WIDGET,
    wire.WIDGET_JS_PATH,
    wire.PLAYGROUND_PATH,
)


def test_every_path_of_the_wire_is_served(runtime: Runtime) -> None:
    app = create_app(runtime.services, ServerConfig(account_token=TOKEN))
    served = {route.path for route in app.routes}
    missing = [
        path for path in RESOURCES if not any(p == path or p.startswith(path + "/") for p in served)
    ]
    assert missing == []
