"""Demo data: ~25 believable companies across the pipeline, seeded through the real services.

Everything goes through the same calls the widget and the board make (identify, set-stage,
set-deal, track, move, update), at times shifted back with the clock, so the demo shows
stalled deals, widget moves, placeholders and a skipped widget write like real use would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from halcrm.domain.stages import Source
from halcrm.services.container import Services
from halcrm.services.crm.inputs import CompanyPatch
from halcrm.services.support.schemas import (
    Author,
    ConversationCreate,
    ConversationPatch,
    MessageCreate,
    Status,
)
from halcrm.services.tasks.inputs import TaskCreate
from halcrm.services.widget.inputs import (
    Identify,
    IdentifyCompany,
    SetDeal,
    SetStage,
    Track,
)


@dataclass(frozen=True)
class DemoCompany:
    id: str
    name: str
    industry: str
    stage: str | None
    deal: int | None
    people: tuple[tuple[str, str], ...]
    by_widget: bool = False
    hours_ago: float = 30.0
    notes: str | None = None


D = DemoCompany
COMPANIES: tuple[DemoCompany, ...] = (
    D("acme", "Acme Robotics", "Manufacturing", "lead", 12_000, (("Jane Cho", "jane"),)),
    D(
        "brightpath",
        "Brightpath Learning",
        "Education",
        "lead",
        None,
        (("Omar Haddad", "omar"),),
        hours_ago=24 * 20,
    ),
    D(
        "copperleaf",
        "Copperleaf Coffee",
        "Retail",
        "lead",
        3_600,
        (("Mia Rossi", "mia"),),
        by_widget=True,
        hours_ago=2,
    ),
    D(
        "dunmore",
        "Dunmore Logistics",
        "Logistics",
        "lead",
        18_500,
        (("Tom Becker", "tom"), ("Ana Silva", "ana")),
    ),
    D(
        "everfield",
        "Everfield Farms",
        "Agriculture",
        "qualified",
        9_800,
        (("Lena Park", "lena"),),
        by_widget=True,
        hours_ago=0.2,
    ),
    D(
        "fathom",
        "Fathom Analytics",
        "Software",
        "qualified",
        24_000,
        (("Raj Patel", "raj"), ("Eve Martin", "eve"), ("Kai Lund", "kai")),
        notes="Wants SSO before the pilot.",
    ),
    D(
        "gridline",
        "Gridline Energy",
        "Energy",
        "qualified",
        41_250,
        (("Noor Aziz", "noor"),),
        hours_ago=24 * 18,
    ),
    D("harbor", "Harbor & Finch", "Legal", "qualified", 7_500, (("Sam Ortiz", "sam"),)),
    D(
        "ironwood",
        "Ironwood Capital",
        "Finance",
        "proposal",
        56_000,
        (("Ines Duarte", "ines"), ("Ben Ward", "ben")),
        notes="Proposal sent 21 Nov.",
    ),
    D(
        "juniper",
        "Juniper Health",
        "Healthcare",
        "proposal",
        33_400,
        (("Ada Nowak", "ada"),),
        by_widget=True,
        hours_ago=5,
    ),
    D(
        "kestrel",
        "Kestrel Aerospace",
        "Aerospace",
        "proposal",
        120_000,
        (("Leo Brandt", "leo"),),
        hours_ago=24 * 12,
    ),
    D(
        "lumen",
        "Lumen Studios",
        "Media",
        "proposal",
        14_900,
        (("Zoe Blake", "zoe"), ("Ian Frost", "ian")),
    ),
    D(
        "meridian",
        "Meridian Hotels",
        "Hospitality",
        "negotiation",
        88_000,
        (("Yuki Sato", "yuki"),),
        hours_ago=24 * 9,
        notes="Legal review of the DPA.",
    ),
    D(
        "northwind",
        "Northwind Traders",
        "Wholesale",
        "negotiation",
        47_300,
        (("Carl Jensen", "carl"), ("Rita Gomez", "rita")),
    ),
    D(
        "orbital",
        "Orbital Foods",
        "Food",
        "negotiation",
        22_150,
        (("Pia Holm", "pia"),),
        by_widget=True,
        hours_ago=26,
    ),
    D("pinecrest", "Pinecrest Realty", "Real estate", "won", 64_000, (("Max Weber", "max"),)),
    D(
        "quarry",
        "Quarry Tools",
        "Hardware",
        "won",
        15_750,
        (("Ola Nordmann", "ola"),),
        by_widget=True,
        hours_ago=50,
    ),
    D(
        "redwood",
        "Redwood Labs",
        "Biotech",
        "won",
        98_500,
        (("Dr. Amy Chen", "amy"), ("Paul Weiss", "paul")),
    ),
    D(
        "saltmarsh",
        "Saltmarsh Outdoor",
        "Retail",
        "lost",
        6_200,
        (("Eli Moss", "eli"),),
        notes="Went with a spreadsheet.",
    ),
    D("tidewater", "Tidewater Shipping", "Logistics", "lost", 31_000, (("Ivy Stone", "ivy"),)),
    D("umbra", "Umbra Security", "Security", None, None, (("Nils Berg", "nils"),)),
    D("vantage", "Vantage Point Media", "Media", None, 4_000, (("Rosa Díaz", "rosa"),)),
    D(
        "willow",
        "Willow & Co",
        "Design",
        "lead",
        2_500,
        (("Hana Ito", "hana"),),
        by_widget=True,
        hours_ago=0.05,
    ),
)
# Contacts whose company the widget never named: they get placeholder companies.
PLACEHOLDER_PEOPLE = (("Chris Doyle", "chris@globex.io"), ("Kim Lee", "kim.lee.dev@gmail.com"))
TRACKS = (
    ("fathom", "invited_teammate", 3),
    ("ironwood", "viewed_pricing", True),
    ("juniper", "started_trial", "team"),
    ("redwood", "paid_invoice", 98_500),
)

# Next steps (company, title, kind, due in days from today; a time makes it a date-time): one
# of each mark on the board, the others in open stages show "no next step".
STEPS = (
    ("kestrel", "Follow up on the security review", "task", -5, None),
    ("ironwood", "Send the revised proposal", "email", -2, None),
    ("meridian", "Call Sofia about the contract", "call", 0, "16:00"),
    ("fathom", "Demo the team plan", "meeting", 1, None),
    ("northwind", "Pricing review", "meeting", 3, None),
    ("brightpath", "Send a case study", "email", 6, None),
)
# Expected closes, in days from today (the forecast's months, and one already passed).
CLOSES = {"kestrel": -7, "meridian": 3, "ironwood": 8, "northwind": 18, "orbital": 54}


def _at(services: Services, hours_ago: float) -> Services:
    """The same services with the clock set back (the engine and bus are shared)."""
    now = services.db.clock
    shifted = services.db.with_clock(lambda: now() - timedelta(hours=hours_ago))
    return Services(shifted, services.project_id)


def _email(person: str, company: DemoCompany) -> str:
    return f"{person}@{company.id}.example.com"


async def seed_demo(services: Services) -> int:
    """Seeds the demo companies into the project; answers how many companies were made."""
    for company in COMPANIES:
        await _seed_company(services, company)
    await _seed_placeholders_and_tracks(services)
    await _seed_conversations(services)
    await _seed_steps(services)
    # A widget asking for an earlier stage: advance_only skips it, and the board says why.
    await _at(services, 0.5).widget.set_stage(
        SetStage(app_id=services.project_id, visitor_id="demo-ironwood-0", stage="Qualified")
    )
    return len(COMPANIES) + len(PLACEHOLDER_PEOPLE)


async def _seed_company(services: Services, company: DemoCompany) -> None:
    """Its contacts, details, deal and stage: by the widget's calls or by the board's."""
    project = services.project_id
    then = _at(services, company.hours_ago)
    # Created a few days before its last move, so the history reads in order.
    early = _at(services, company.hours_ago + 72)
    for n, (name, person) in enumerate(company.people):
        await early.widget.identify(
            Identify(
                app_id=project,
                visitor_id=f"demo-{company.id}-{n}",
                email=_email(person, company),
                name=name,
                company=IdentifyCompany(id=company.id, name=company.name),
            )
        )
    close = CLOSES.get(company.id)
    patch = CompanyPatch(
        industry=company.industry,
        notes=company.notes,
        domain=f"{company.id}.example.com",
        expected_close=None if close is None else services.db.clock().date() + timedelta(close),
    )
    await early.companies.update(company.id, patch, source=Source.BOARD)
    visitor = f"demo-{company.id}-0"
    if company.by_widget and company.stage:
        if company.deal is not None:
            await then.widget.set_deal(
                SetDeal(app_id=project, visitor_id=visitor, deal_value=Decimal(company.deal))
            )
        await then.widget.set_stage(
            SetStage(
                app_id=project,
                visitor_id=visitor,
                stage=company.stage,
                stage_update_mode="exact",
            )
        )
        return
    if company.deal is not None:
        await early.companies.update(
            company.id, CompanyPatch(deal_value=Decimal(company.deal)), source=Source.BOARD
        )
    if company.stage:
        await then.companies.move(company.id, company.stage, source=Source.BOARD)


async def _seed_placeholders_and_tracks(services: Services) -> None:
    """Contacts the widget names no company for, and a few tracked milestones."""
    project = services.project_id
    for name, email in PLACEHOLDER_PEOPLE:
        await _at(services, 6).widget.identify(
            Identify(app_id=project, visitor_id=f"demo-{email}", email=email, name=name)
        )
    for company_id, event, value in TRACKS:
        await _at(services, 1).widget.track(
            Track(
                app_id=project,
                visitor_id=f"demo-{company_id}-0",
                name=event,
                value=value,
                company_id=company_id,
            )
        )


# Support: (company, person, subject, [(author, body, hours ago)], status).
DemoTalk = tuple[str, str, str, list[tuple[Author, str, float]], Status]
CONVERSATIONS: tuple[DemoTalk, ...] = (
    (
        "ironwood",
        "ines",
        "Security review",
        [("contact", "Can you send your SOC 2 report before Friday's committee?", 3.0)],
        "open",
    ),
    (
        "acme",
        "jane",
        "Invoice address",
        [
            ("contact", "Please put our new address on the next invoice.", 50.0),
            ("agent", "Done, the next invoice goes to the new address.", 49.0),
        ],
        "resolved",
    ),
)


async def _seed_conversations(services: Services) -> None:
    by_id = {c.id: c for c in COMPANIES}
    for company_id, person, subject, messages, status in CONVERSATIONS:
        email = _email(person, by_id[company_id])
        contact = (await services.contacts.all(email=email)).items[0]
        first = _at(services, messages[0][2])
        talk = await first.support.create(
            ConversationCreate(contact_id=contact.id, subject=subject), source=Source.WIDGET
        )
        for author, body, hours_ago in messages:
            await _at(services, hours_ago).support.add_message(
                talk.id, MessageCreate(author=author, body=body), source=Source.WIDGET
            )
        if status != "open":
            await _at(services, messages[-1][2]).support.update(
                talk.id, ConversationPatch(status=status), source=Source.BOARD
            )


async def _seed_steps(services: Services) -> None:
    """The demo's next steps, added by the board's own call."""
    today = services.db.clock().date()
    for company_id, title, kind, days, at in STEPS:
        day = (today + timedelta(days=days)).isoformat()
        due = f"{day}T{at}:00+00:00" if at else day
        body = TaskCreate(company_id=company_id, title=title, kind=kind, due=due)  # type: ignore[arg-type]
        await _at(services, 24 * max(0, -days) + 1).tasks.create(body, Source.BOARD)
