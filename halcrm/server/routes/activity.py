"""The activity feed (account token)."""

from litestar import get

from halcrm.domain.wire import ACTIVITY
from halcrm.server.params import Limit
from halcrm.services.container import Services
from halcrm.services.crm.records import ActivityItem
from halcrm.services.page import Page


@get(ACTIVITY, tags=["activity"])
async def activity(
    services: Services, limit: Limit = None, cursor: str | None = None
) -> Page[ActivityItem]:
    """The project's recent signals and changes, newest first."""
    return await services.activity.recent(limit=limit, cursor=cursor)
