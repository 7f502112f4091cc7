"""What an import matches against: the project's companies and contacts by key, in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from halcrm.db.tables import companies as COMPANIES
from halcrm.db.tables import contact_companies as LINKS
from halcrm.db.tables import contacts as CONTACTS

# SQLite's default limit on bound parameters per statement is well above this.
CHUNK = 900


@dataclass(slots=True, eq=False)
class Ref:
    """One company or contact the import knows of; ``pk`` is None until it is written."""

    pk: int | None
    is_placeholder: bool = False
    # "" until a row names it, then "new", "updated" or "unchanged".
    status: str = ""
    values: dict[str, Any] | None = None


# A domain or name held by several companies: the row must name the company by id.
AMBIGUOUS = Ref(None)


@dataclass
class Index:
    company_ids: dict[str, Ref] = field(default_factory=dict)
    domains: dict[str, Ref] = field(default_factory=dict)
    names: dict[str, Ref] = field(default_factory=dict)
    emails: dict[str, Ref] = field(default_factory=dict)
    contact_ids: dict[str, Ref] = field(default_factory=dict)
    user_ids: dict[str, Ref] = field(default_factory=dict)
    placeholder_keys: set[str] = field(default_factory=set)

    def add_company(self, ref: Ref, id_: str, domain: str | None, name: str | None) -> None:
        self.company_ids[id_] = ref
        if ref.is_placeholder:
            return  # placeholders are matched by id only: they stand for no real company
        if domain:
            _claim(self.domains, domain.casefold(), ref)
        if name:
            _claim(self.names, name, ref)

    def add_contact(self, ref: Ref, id_: str, email: str | None, user_id: str | None) -> None:
        self.contact_ids[id_] = ref
        if email:
            self.emails[email] = ref
        if user_id:
            self.user_ids[user_id] = ref

    def drop_company(self, id_: str) -> None:
        self.company_ids.pop(id_, None)


def _claim(keys: dict[str, Ref], key: str, ref: Ref) -> None:
    held = keys.get(key)
    keys[key] = ref if held is None or held is ref else AMBIGUOUS


def load(session: Session, project_pk: int) -> Index:
    """Reads the key columns of every company and contact of the project (not whole rows:
    those are read per batch, for the records a batch touches)."""
    index = Index()
    companies = select(
        COMPANIES.c.pk, COMPANIES.c.id, COMPANIES.c.domain, COMPANIES.c.name,
        COMPANIES.c.is_placeholder, COMPANIES.c.placeholder_key,
    ).where(COMPANIES.c.project_pk == project_pk).order_by(COMPANIES.c.pk)  # fmt: skip
    for pk, id_, domain, name, placeholder, key in session.execute(companies):
        index.add_company(Ref(pk, bool(placeholder)), id_, domain, name)
        if key:
            index.placeholder_keys.add(key)
    contacts = select(
        CONTACTS.c.pk, CONTACTS.c.id, CONTACTS.c.email, CONTACTS.c.user_id
    ).where(CONTACTS.c.project_pk == project_pk)  # fmt: skip
    for pk, id_, email, user_id in session.execute(contacts):
        index.add_contact(Ref(pk), id_, email, user_id)
    return index


def chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def fill_values(session: Session, table: Any, refs: Iterable[Ref]) -> None:
    """Reads the whole rows of the refs that have none in hand yet."""
    missing = {ref.pk: ref for ref in refs if ref.values is None and ref.pk is not None}
    for part in chunks(list(missing)):
        for row in session.execute(select(table).where(table.c.pk.in_(part))).mappings():
            missing[row["pk"]].values = dict(row)


def existing_links(session: Session, contact_pks: list[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for part in chunks(contact_pks):
        stmt = select(LINKS.c.contact_pk, LINKS.c.company_pk).where(LINKS.c.contact_pk.in_(part))
        found.update((a, b) for a, b in session.execute(stmt))
    return found
