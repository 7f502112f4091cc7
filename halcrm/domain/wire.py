"""The HTTP wire both ends speak (API.md): header names, the paths of the resources, where the
widget SDK lives.

The server routes and reads these; the ``--connect`` board, the embed snippet and the CLI send
them. Written once here, so the two ends cannot drift apart; plain strings, importable by the
board without Litestar, Textual or SQLAlchemy. A resource's own sub-paths (``/move``,
``/detail``…) are written beside its route and its remote call.
"""

from __future__ import annotations

# Credentials: the account token (``Authorization: Bearer TOKEN``) or a public API key.
AUTHORIZATION = "Authorization"
BEARER = "Bearer"
API_KEY_HEADER = "X-API-Key"
# The project an account request works on (else the server's own).
PROJECT_HEADER = "X-Project-Id"
# Who an account write is on behalf of: ``board`` or ``account_api`` (the default).
SOURCE_HEADER = "X-Halcrm-Source"
# A write sent twice is written once; the repeat's answer says it was replayed.
IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENT_REPLAYED = "Idempotent-Replayed"
# An event stream resumed after the last id a client received.
LAST_EVENT_ID = "Last-Event-ID"
RETRY_AFTER = "Retry-After"

# The resources (account token unless said).
API = "/api"
ACTIVITY = "/api/activity"
AGENDA = "/api/agenda"
BOARD = "/api/board"
COMPANIES = "/api/companies"
CONTACTS = "/api/contacts"
CONVERSATIONS = "/api/conversations"
EVENTS = "/api/events"
PROJECT = "/api/project"
PROJECTS = "/api/projects"
STAGES = "/api/stages"
TASKS = "/api/tasks"
WEBHOOKS = "/api/webhooks"
# The website's calls (``app_id`` in the body, no token).
WIDGET = "/api/widget"

# The widget SDK a website embeds, and the playground page that exercises it.
WIDGET_JS_PATH = "/widget.js"
PLAYGROUND_PATH = "/playground"
# The methods the embed snippet's stub queues before widget.js arrives; widget.js defines the
# same.
SDK_METHODS = ("init", "identify", "setProperties", "track", "setStage", "setDeal", "reset")
