"""Terminal notifications: the bell and OSC 777 / OSC 9 for a visitor's chat message and a
deal won, the kinds chosen in config.toml, nothing when the output is not a terminal."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from halcrm.config import BoardConfig, ConfigError, parse_config
from halcrm.domain.events import DomainEvent, EventKind
from halcrm.services.container import Services
from halcrm.services.crm.inputs import ContactCreate
from halcrm.services.support.schemas import ConversationCreate, MessageCreate
from halcrm.tui.app import HalcrmApp
from halcrm.tui.notify import Notifier, terminal_writer
from tests.tui.helpers import ready, until

CHAT = DomainEvent(
    id=1,
    project_id="local",
    kind=EventKind.MESSAGE,
    at=datetime(2026, 12, 6, tzinfo=UTC),
    source="widget",
    summary="Jane Cho: Is there a discount?",
    data={"author": "contact"},
)
WON = DomainEvent(
    id=2,
    project_id="local",
    kind=EventKind.STAGE_CHANGE,
    at=datetime(2026, 12, 6, tzinfo=UTC),
    source="board",
    summary="Acme moved",
    company_id="acme",
    company_name="Acme Inc",
    data={"applied": True, "stage": "Won"},
)

DUE = DomainEvent(
    id=3,
    project_id="local",
    kind=EventKind.TASK_OVERDUE,
    at=datetime(2026, 12, 6, tzinfo=UTC),
    source="schedule",
    summary="Next step overdue: Call Jane (Acme Inc)",
    company_id="acme",
    company_name="Acme Inc",
    data={"title": "Call Jane"},
    task_id="tk_1",
)


def never(_: str) -> bool:
    return False


def test_a_chat_message_rings_the_terminal() -> None:
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as tty:
        app = SimpleNamespace(
            is_headless=False, _driver=SimpleNamespace(_file=tty, write=tty.write)
        )
        write = terminal_writer(app)
        assert write is not None
        assert Notifier(["chat"], write).handle([CHAT], never) == 1
        tty.flush()
        written = os.read(master, 4096).decode()
    os.close(master)
    assert written.startswith("\a")
    assert "\x1b]777;notify;halcrm;Jane Cho wrote: Is there a discount?\x1b\\" in written
    assert "\x1b]9;halcrm: Jane Cho wrote: Is there a discount?\x1b\\" in written


def test_nothing_when_not_a_terminal_or_turned_off() -> None:
    read, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe:
        app = SimpleNamespace(
            is_headless=False, _driver=SimpleNamespace(_file=pipe, write=pipe.write)
        )
        assert terminal_writer(app) is None
    os.close(read)
    sent: list[str] = []
    assert Notifier([], sent.append).handle([CHAT, WON], lambda _: True) == 0
    assert Notifier(["won"], sent.append).handle([CHAT], lambda _: True) == 0
    assert sent == []
    assert Notifier(["won"], sent.append).handle([WON], lambda name: name == "Won") == 1
    assert "Acme Inc won (Won)" in sent[0]


def test_a_next_step_falling_due_rings_when_due_is_chosen() -> None:
    sent: list[str] = []
    assert Notifier(["chat", "won"], sent.append).handle([DUE], never) == 0
    assert Notifier(["due"], sent.append).handle([DUE], never) == 1
    assert sent[0].startswith("\a")
    assert "Next step due: Call Jane" in sent[0]


def test_the_config_chooses_the_kinds() -> None:
    assert BoardConfig().notify == ("chat", "due", "won")
    assert parse_config({"notify": []}).notify == ()
    assert parse_config({"notify": ["chat"]}).notify == ("chat",)
    with pytest.raises(ConfigError, match="notify"):
        parse_config({"notify": ["email"]})


async def test_the_running_board_notifies_a_visitor_message(
    app: HalcrmApp, seeded: Services
) -> None:
    sent: list[str] = []
    async with app.run_test() as pilot:
        await ready(pilot)
        # Headless (not a terminal): nothing is written.
        assert app.notifier.write is None
        app.notifier = Notifier(app.config.notify, sent.append)
        await seeded.contacts.create(ContactCreate(id="jane", email="j@acme.io", name="Jane Cho"))
        await seeded.support.create(
            ConversationCreate(
                contact_id="jane", message=MessageCreate(author="contact", body="Hello?")
            )
        )
        await until(pilot, lambda: sent, "a notification")
        assert sent == [
            "\a\x1b]777;notify;halcrm;j@acme.io wrote: Hello?\x1b\\"
            "\x1b]9;halcrm: j@acme.io wrote: Hello?\x1b\\"
        ]
        # The board moves a deal to Won: rung too.
        await seeded.companies.move("cobalt", "won")
        await until(pilot, lambda: len(sent) == 2, "the won notification")
        assert "Cobalt Co won (Won)" in sent[1]
