"""The widget's chat routes: a visitor sends, reads its own chat, and follows its replies.

Public like every widget route (CORS open, the body or the query names the project), and
verified the same way (``user_hash``, services/widget/verification.py). The two reads take
their fields from the query string, since a browser's ``EventSource`` can send no body and
no header of its own.
"""

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import ServerSentEvent

from halcrm.domain.wire import WIDGET
from halcrm.server.chat_streams import ChatStreams, sse
from halcrm.server.ratelimit import Limits
from halcrm.server.routes.widget import client_address
from halcrm.services.container import Services
from halcrm.services.widget.inputs import ChatRead, ChatSend
from halcrm.services.widget.records import ChatHistory, ChatSent

ProjectParam = Annotated[
    str | None, Parameter(max_length=200, description="the project (or `project_id`)")
]
VisitorParam = Annotated[str, Parameter(min_length=1, max_length=200)]
HashParam = Annotated[
    str | None, Parameter(max_length=128, description="where identity verification is on")
]


async def chat_reader(
    visitor_id: VisitorParam,
    app_id: ProjectParam = None,
    project_id: ProjectParam = None,
    user_hash: HashParam = None,
) -> ChatRead:
    """The visitor a read is for, from the query string (documented on each read route)."""
    return ChatRead(
        app_id=app_id, project_id=project_id, visitor_id=visitor_id, user_hash=user_hash
    )


class WidgetChatController(Controller):
    path = f"{WIDGET}/chat"
    tags = ["widget"]
    security = []
    dependencies = {"reader": Provide(chat_reader)}

    @post("/messages", status_code=201)
    async def send(
        self, request: Request[Any, Any, Any], data: ChatSend, services: Services, limits: Limits
    ) -> ChatSent:
        """The visitor's message (plain text, at most 2,000 characters): it opens the
        visitor's chat or continues its open one, attached to its contact when identified.
        A resend with the same ``message_id`` is written once."""
        await limits.chat_message(data, client_address(request))
        return await services.widget.chat_send(data)

    @get("/messages")
    async def history(
        self, request: Request[Any, Any, Any], services: Services, limits: Limits, reader: ChatRead
    ) -> ChatHistory:
        """The visitor's own chat, oldest first (its latest 200 messages); never another
        visitor's, whatever contact they share."""
        await limits.widget_call(reader, client_address(request))
        return await services.widget.chat_history(reader)

    @get("/stream")
    async def stream(
        self, request: Request[Any, Any, Any], services: Services, limits: Limits, reader: ChatRead
    ) -> ServerSentEvent:
        """Server-Sent Events of the visitor's chat: ``ready`` when it follows the chat
        (load the history then), then ``message`` (JSON: ``id``, ``conversation_id``,
        ``author`` `visitor` or `agent`, ``body``, ``created_at``) for each new line, the
        founder's replies and the visitor's own from other tabs. A refused visitor (a wrong
        ``user_hash`` where verification is required) gets the error and no stream."""
        await limits.widget_call(reader, client_address(request))
        project = await services.widget.chat_check_stream(reader)
        hub: ChatStreams = request.app.state.chat_streams
        lease = await hub.reserve(project, reader.visitor_id)
        keepalive: float = request.app.state.sse_keepalive
        return ServerSentEvent(
            sse(hub, project, reader.visitor_id, keepalive, lease),
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
