"""``--demo``: the demo companies (``cli/demo.py``) in a project that has none, never over
companies that are there; ``serve --demo`` loads them before the server answers."""

from __future__ import annotations

from halcrm.cli.demo import seed_demo
from halcrm.domain.words import count
from halcrm.runtime import open_runtime
from halcrm.services.container import Services
from halcrm.settings import Settings


async def is_empty(services: Services) -> bool:
    """Whether the project has no company at all (a first run)."""
    return not (await services.companies.all(limit=1)).items


async def seed_if_empty(services: Services) -> int:
    """``--demo``: the demo companies in a project that has none (answers how many were made;
    0 when the project had companies, which are never touched)."""
    return await seed_demo(services) if await is_empty(services) else 0


async def seed_before_serving(settings: Settings) -> str:
    """``serve --demo``: the demo companies in a project that has none, before any request is
    answered (a board attached at once sees all of them); what was done, in one line."""
    runtime = await open_runtime(settings)
    try:
        made = await seed_if_empty(runtime.services)
    finally:
        await runtime.close()
    if not made:
        return "demo data: not loaded, the project has companies already"
    return f"demo data loaded: {count(made, 'company')}"
