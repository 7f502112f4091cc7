"""``format: slack``: one sentence per event, as a founder reads it in a channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from halcrm.services.webhooks import types

SOURCES = {"widget": "website", "board": "board", "account_api": "API", "public_api": "API"}
QUOTE = 200

Data = dict[str, Any]


def _company(data: Data) -> str:
    return str(data.get("company_name") or data.get("company_id") or "A company")


def _short(text: object) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "…"


def _where(data: Data) -> str:
    source = data.get("source")
    return f" ({SOURCES.get(str(source), source)})" if source else ""


def _moved(data: Data) -> str:
    before, after = data.get("previous_stage"), data.get("stage") or "no stage"
    path = f"{before} → {after}" if before else f"to {after}"
    return f"{_company(data)} moved {path}{_where(data)}"


def _wrote(data: Data) -> str:
    who = "You" if data.get("author") == "agent" else data.get("contact_name") or "A visitor"
    return f"{who} wrote: {_short(data.get('body'))}"


def _task(prefix: str) -> Callable[[Data], str]:
    def say(data: Data) -> str:
        title = data.get("title") or data.get("summary") or "a next step"
        company = data.get("company_name")
        return f"{prefix}: {_short(title)}" + (f" ({company})" if company else "")

    return say


SENTENCES: dict[str, Callable[[Data], str]] = {
    types.COMPANY_CREATED: lambda d: f"{_company(d)} was added{_where(d)}",
    types.COMPANY_UPDATED: lambda d: (
        f"{_company(d)} was edited ({', '.join(d.get('fields') or [])}){_where(d)}"
    ),
    types.COMPANY_DELETED: lambda d: f"{_company(d)} was deleted{_where(d)}",
    types.STAGE_CHANGED: _moved,
    types.DEAL_VALUE: lambda d: (
        f"{_company(d)} deal value {d.get('previous_value') or 0} → {d.get('value') or 0}"
    ),
    types.DEAL_STALLED: lambda d: (
        f"{_company(d)} has stalled in {d.get('stage')} "
        f"(no activity for {d.get('stall_after_days')} days)"
    ),
    types.CONTACT_CREATED: lambda d: f"New contact: {d.get('email') or d.get('contact_id')}",
    types.VISITOR_IDENTIFIED: lambda d: (
        f"Visitor {d.get('visitor_id')} identified as {d.get('email') or d.get('contact_id')}"
    ),
    types.MESSAGE_CREATED: _wrote,
    types.TASK_CREATED: _task("New next step"),
    types.TASK_COMPLETED: _task("Next step done"),
    types.TASK_OVERDUE: _task("Next step overdue"),
    types.TEST: lambda d: "halcrm test: this channel gets the project's events",
}


def sentence(kind: str, data: Data) -> str:
    say = SENTENCES.get(kind)
    return say(data) if say is not None else f"halcrm: {kind}"


def body(payload: Data) -> Data:
    """Slack's incoming-webhook body for a stored standard payload."""
    return {"text": sentence(str(payload.get("type")), payload.get("data") or {})}
