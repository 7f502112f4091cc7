"""A planned batch written with a few multi-row statements (Core, on the call's transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Table, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from halcrm.db.tables import events as EVENTS
from halcrm.db.tables import stage_changes as STAGE_CHANGES
from halcrm.services.crm.transfer import bulk
from halcrm.services.crm.transfer.index import COMPANIES, CONTACTS, LINKS, Index, Ref, chunks
from halcrm.services.crm.transfer.plan import Pending


def write(conn: Connection, pending: Pending, index: Index, now: datetime) -> int:
    """Writes a batch: new rows (with the pks taken for them), changed columns, stage audit
    rows, links; then lets go the placeholders of contacts that gained a real company.

    Returns:
        How many placeholder companies were deleted.
    """
    _insert(conn, COMPANIES, pending.new_companies)
    _update(conn, COMPANIES, pending.changed_companies.values())
    audits = [row for _, row in pending.audits]
    for ref, row in pending.audits:
        row["company_pk"] = ref.pk
    if audits:
        bulk.write_rows(conn, STAGE_CHANGES, audits)
    _insert(conn, CONTACTS, pending.new_contacts)
    _update(conn, CONTACTS, pending.changed_contacts.values())
    links = [
        {"contact_pk": contact.pk, "company_pk": company.pk, "created_at": now}
        for contact, company in pending.links.values()
    ]
    if links:
        conn.execute(_insert_ignoring(conn, LINKS), links)
    gained = [ref.pk for ref in pending.gained_real.values() if ref.pk is not None]
    return release_placeholders(conn, gained, index, _touched(pending))


def _touched(pending: Pending) -> set[int]:
    refs = [*pending.new_companies, *(ref for ref, _ in pending.changed_companies.values())]
    refs += [company for _, company in pending.links.values()]
    return {ref.pk for ref in refs if ref.pk is not None}


def _insert(conn: Connection, table: Table, refs: list[Ref]) -> None:
    """The new rows with the pks taken for them (``bulk``): nothing read back."""
    fresh = [ref for ref in refs if ref.values is not None]
    for ref, pk in zip(fresh, bulk.reserve_pks(conn, table, len(fresh)), strict=True):
        ref.pk = pk
        ref.values["pk"] = pk  # type: ignore[index]
    bulk.write_rows(conn, table, [ref.values for ref in fresh])  # type: ignore[misc]


def _update(conn: Connection, table: Any, changed: Iterable[tuple[Ref, set[str]]]) -> None:
    """One executemany per set of changed columns (most rows of a batch share one)."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for ref, columns in changed:
        assert ref.values is not None
        params = {f"v_{c}": ref.values[c] for c in columns}
        params["b_pk"] = ref.pk
        groups.setdefault(frozenset(columns), []).append(params)
    for names, batch in groups.items():
        stmt = (
            update(table)
            .where(table.c.pk == bindparam("b_pk"))
            .values({c: bindparam(f"v_{c}") for c in sorted(names)})
        )
        conn.execute(stmt, batch)


def release_placeholders(
    conn: Connection, contact_pks: list[int], index: Index, keep: set[int]
) -> int:
    """Identify's rule 6, for many contacts at once: a placeholder that holds no value (deal
    value, notes, metadata, events, a stage set by hand) loses these contacts' links, and is
    deleted once no contact is linked to it. Placeholders this import wrote to are kept.

    Returns:
        How many placeholders were deleted.
    """
    deleted = 0
    for part in chunks(contact_pks):
        found = conn.execute(
            select(LINKS.c.contact_pk, COMPANIES.c.pk, COMPANIES.c.id)
            .join(COMPANIES, COMPANIES.c.pk == LINKS.c.company_pk)
            .where(
                LINKS.c.contact_pk.in_(part),
                COMPANIES.c.is_placeholder.is_(True),
                COMPANIES.c.deal_value_cents.is_(None),
                COMPANIES.c.stage_set_by_hand.is_(False),
                or_(COMPANIES.c.notes.is_(None), func.trim(COMPANIES.c.notes) == ""),
                ~select(EVENTS.c.pk).where(EVENTS.c.company_pk == COMPANIES.c.pk).exists(),
            )
        ).all()
        # Empty metadata is read in Python: JSON comparisons differ between the backends.
        meta = _metadata(conn, {pk for _, pk, _ in found})
        loose = [(c, pk, id_) for c, pk, id_ in found if not meta.get(pk) and pk not in keep]
        if not loose:
            continue
        conn.execute(
            delete(LINKS).where(
                or_(
                    *(and_(LINKS.c.contact_pk == c, LINKS.c.company_pk == pk) for c, pk, _ in loose)
                )
            )
        )
        for pk, id_ in {(pk, id_) for _, pk, id_ in loose}:
            still = conn.execute(
                select(LINKS.c.contact_pk).where(LINKS.c.company_pk == pk).limit(1)
            )
            if still.first() is None:
                conn.execute(delete(COMPANIES).where(COMPANIES.c.pk == pk))
                index.drop_company(id_)
                deleted += 1
    return deleted


def _metadata(conn: Connection, pks: set[int]) -> dict[int, Any]:
    if not pks:
        return {}
    rows = conn.execute(select(COMPANIES.c.pk, COMPANIES.c.metadata).where(COMPANIES.c.pk.in_(pks)))
    return {pk: meta for pk, meta in rows}


def _insert_ignoring(conn: Connection, table: Table) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` in the connection's dialect (only that one loaded)."""
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert

    return postgresql_insert(table).on_conflict_do_nothing()
