"""What each row does: the record it matches or creates, the fields it changes, its links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.stages import Source
from halcrm.services.crm.transfer.bulk import Ids
from halcrm.services.crm.transfer.index import AMBIGUOUS, COMPANIES, CONTACTS, Index, Ref
from halcrm.services.crm.transfer.report import Counts
from halcrm.services.crm.transfer.rows import CompanyIn, ContactIn, RowIn, RowRejected

StagePk = int | str | None
# Read once: an enum member's value is a descriptor call, made twice a row otherwise.
_IMPORT = Source.IMPORT.value
"""A stage's pk, or ``new:NAME`` for one a dry run would create."""


@dataclass
class StageNames:
    """Stage pks of the pipeline (created ones included) and their ids and names."""

    pk_by_id: dict[str, StagePk]
    by_pk: dict[StagePk, tuple[str, str]]


@dataclass
class Pending:
    """A batch's changes, written together once the batch is planned."""

    new_companies: list[Ref] = field(default_factory=list)
    changed_companies: dict[int, tuple[Ref, set[str]]] = field(default_factory=dict)
    new_contacts: list[Ref] = field(default_factory=list)
    changed_contacts: dict[int, tuple[Ref, set[str]]] = field(default_factory=dict)
    audits: list[tuple[Ref, dict[str, Any]]] = field(default_factory=list)
    links: dict[tuple[int, int], tuple[Ref, Ref]] = field(default_factory=dict)
    gained_real: dict[int, Ref] = field(default_factory=dict)
    # Deal values an existing company changes from, to: each is in its history (importer).
    deal_values: list[tuple[Ref, int | None, int | None]] = field(default_factory=list)


def _count(counts: Counts, ref: Ref, changed: bool) -> None:
    """Counts a record once: new, else updated by any row, else unchanged."""
    if ref.status == "":
        ref.status = "updated" if changed else "unchanged"
        setattr(counts, ref.status, getattr(counts, ref.status) + 1)
    elif ref.status == "unchanged" and changed:
        ref.status = "updated"
        counts.unchanged -= 1
        counts.updated += 1


class Planner:
    """Plans rows against the index; a rejected row changes nothing of the plan."""

    def __init__(
        self,
        index: Index,
        stages: StageNames,
        project_pk: int,
        now: datetime,
        fill: Callable[[Any, list[Ref]], None],
    ) -> None:
        self.fill = fill
        self.index = index
        self.stages = stages
        self.project_pk = project_pk
        self.now = now
        self.companies = Counts()
        self.contacts = Counts()
        self.links = 0
        self.pending = Pending()
        self.linked: set[tuple[int, int]] = set()  # existing links of this batch's contacts
        # The row of this file that first wrote each company (by id(ref)): a later row that
        # matches it is a duplicate, merged into it with a warning.
        self.first_rows: dict[int, int] = {}
        self.warnings: list[tuple[int, str, str]] = []  # (row, field, what was done)
        self.new_ids = {prefix: Ids(prefix) for prefix in ("co", "ct", "sc")}
        # A new company's and a stage audit's columns that are the same on every row, copied
        # per row (building each dict key by key was a sixth of planning a new company).
        self.company_base: dict[str, Any] = {
            "project_pk": project_pk, "domain": None, "industry": None, "notes": None,
            "deal_value_cents": None, "stage_pk": None, "stage_set_by_hand": False,
            "last_stage_source": None, "last_stage_at": None, "updated_at": now,
        }  # fmt: skip
        self.audit_bases: dict[tuple[StagePk, StagePk], dict[str, Any]] = {}

    # Matching (also used before a batch, to read the rows it will touch in one go).

    def match_company(self, row: CompanyIn) -> Ref | None:
        """By id, else domain, else name (called twice a row: written out, not looped)."""
        index = self.index
        if row.id and row.id in index.company_ids:
            return index.company_ids[row.id]
        found = index.domains.get(row.domain) if row.domain else None
        if found is None:
            found = index.names.get(row.name) if row.name else None
            if found is AMBIGUOUS:
                raise RowRejected("company.name", _ambiguous(row.name))
        elif found is AMBIGUOUS:
            raise RowRejected("company.domain", _ambiguous(row.domain))
        return found

    def match_contact(self, row: ContactIn) -> Ref | None:
        index = self.index
        for keys, key in (
            (index.emails, row.email),
            (index.contact_ids, row.id),
            (index.user_ids, row.user_id),
        ):
            if key and key in keys:
                return keys[key]
        return None

    # Rows.

    def row(self, row: RowIn) -> None:
        """Plans one row, or raises :class:`RowRejected` having changed nothing."""
        company = contact = None
        company_change = contact_change = None
        targets: list[Ref] = []
        merged_into = None
        if row.company is not None:
            company = self.match_company(row.company)
            if company is not None and not row.company.names_only():
                merged_into = self.first_rows.get(id(company))
            if merged_into is not None:
                assert company is not None
                note = self._fold(company, row.company, merged_into)
            company_change = self._company_change(company, row.company, merged_into is not None)
        if row.contact is not None:
            contact = self.match_contact(row.contact)
            contact_change = self._contact_change(contact, row.contact)
            targets = self._link_targets(row.contact.company_ids or [])
        # Every check has passed: from here on the row is part of the plan.
        if company_change is not None:
            assert row.company is not None
            company = self._commit_company(company, row.company, *company_change)
            self.first_rows.setdefault(id(company), row.number)
        if merged_into is not None:
            self.warnings.append((row.number, "company.name", note))
        if contact_change is not None:
            assert row.contact is not None
            contact = self._commit_contact(contact, row.contact, contact_change)
            if company is not None:
                targets.append(company)
            for target in targets:
                self._link(contact, target)

    def _link_targets(self, ids: list[str]) -> list[Ref]:
        targets = []
        for company_id in ids:
            found = self.index.company_ids.get(company_id)
            if found is None:
                raise RowRejected("contact.company_ids", f"no company has the id {company_id!r}")
            targets.append(found)
        return targets

    def _fold(self, ref: Ref, row: CompanyIn, first: int) -> str:
        """A duplicate of an earlier row's company, made to merge into it: the first name is
        kept (another noted in the metadata's ``other_names``), the earliest creation time.

        Returns:
            The row's warning.
        """
        current = self._current(ref, COMPANIES)
        assert current is not None
        how = "id" if row.id else "domain" if row.domain else "name"
        key = row.id or row.domain or row.name
        note = f"a duplicate of row {first} (same {how} {key!r}): merged into its company"
        if row.name and row.name != current["name"]:
            others = list(current["metadata"].get("other_names", []))
            if row.name not in others:
                row.meta = {**row.meta, "other_names": [*others, row.name]}
            note += f", its name {row.name!r} kept in other_names"
            row.name = None
        if row.created_at is not None and row.created_at >= current["created_at"]:
            row.created_at = None  # the earliest creation time stays
        return note

    def _company_change(
        self, ref: Ref | None, row: CompanyIn, merging: bool = False
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        if ref is not None and row.names_only():
            return {}, None
        current = self._current(ref, COMPANIES)
        if ref is None and row.name is None:
            raise RowRejected("company.id", f"no company has the id {row.id!r} (and no name given)")
        values: dict[str, Any] = {}
        for column, given in (
            ("name", row.name),
            ("domain", row.domain),
            ("industry", row.industry),
            ("notes", row.notes),
            ("deal_value_cents", row.deal_cents),
            ("last_activity_at", row.last_activity_at),
            ("created_at", row.created_at if merging else None),
        ):
            if given is not None and (current is None or current[column] != given):
                values[column] = given
        if row.meta:
            merged = _merge(current["metadata"] if current else {}, row.meta, "company.metadata")
            if current is None or merged != current["metadata"]:
                values["metadata"] = merged
        if current is not None and row.is_placeholder is False and current["is_placeholder"]:
            values.update(is_placeholder=False, placeholder_key=None)
        audit = None
        if row.stage_id is not None:
            stage_pk = self.stages.pk_by_id[row.stage_id]
            if current is None or current["stage_pk"] != stage_pk:
                audit = self._audit(current["stage_pk"] if current else None, stage_pk)
                values.update(
                    stage_pk=stage_pk,
                    last_stage_source=_IMPORT,
                    last_stage_at=self.now,
                    # An import carries a person's own records: a stage set by hand.
                    stage_set_by_hand=True,
                )
                values.setdefault("last_activity_at", self.now)
        return values, audit

    def _audit(self, before: StagePk, after: StagePk) -> dict[str, Any]:
        base = self.audit_bases.get((before, after))
        if base is None:
            base = self.audit_bases[before, after] = self._audit_base(before, after)
        return {**base, "id": self.new_ids["sc"]()}

    def _audit_base(self, before: StagePk, after: StagePk) -> dict[str, Any]:
        old = self.stages.by_pk.get(before) if before is not None else None
        new = self.stages.by_pk[after]
        return {
            "project_pk": self.project_pk,
            "from_stage_id": old[0] if old else None,
            "from_stage_name": old[1] if old else None,
            "requested_stage_id": new[0],
            "requested_stage_name": new[1],
            "to_stage_id": new[0],
            "to_stage_name": new[1],
            "mode": "exact",
            "source": _IMPORT,
            "applied": True,
            "reason": None,
            "note": None,
            "created_at": self.now,
        }

    def _commit_company(
        self, ref: Ref | None, row: CompanyIn, values: dict[str, Any], audit: dict[str, Any] | None
    ) -> Ref:
        pending = self.pending
        if ref is None:
            ref = Ref(None, bool(row.is_placeholder), "new")
            ref.values = self._new_company(row, values)
            self.index.add_company(ref, ref.values["id"], row.domain, row.name)
            self.companies.new += 1
            pending.new_companies.append(ref)
        elif ref.values is None:
            # Only named by the row, or made by an earlier batch of a dry run.
            _count(self.companies, ref, bool(values))
        else:
            _count(self.companies, ref, bool(values))
            if values:
                if ref.pk is not None and "deal_value_cents" in values:
                    before = ref.values["deal_value_cents"]
                    pending.deal_values.append((ref, before, values["deal_value_cents"]))
                ref.values.update(values, updated_at=self.now)
                if ref.pk is not None:
                    entry = pending.changed_companies.setdefault(id(ref), (ref, set()))
                    entry[1].update(values, {"updated_at"})
                if "name" in values or "domain" in values:
                    self.index.add_company(ref, ref.values["id"], row.domain, row.name)
        if audit is not None:
            pending.audits.append((ref, audit))
        return ref

    def _new_company(self, row: CompanyIn, values: dict[str, Any]) -> dict[str, Any]:
        key = row.placeholder_key if row.is_placeholder else None
        if key is not None:
            if key in self.index.placeholder_keys:
                key = None  # another placeholder holds it: this one becomes an ordinary one
            else:
                self.index.placeholder_keys.add(key)
        created = row.created_at or self.now
        return {
            **self.company_base,
            "id": row.id or self.new_ids["co"](),
            "name": row.name,
            "metadata": {},
            "is_placeholder": bool(row.is_placeholder),
            "placeholder_key": key,
            "created_at": created,
            "last_activity_at": created,
            **values,
        }

    def _current(self, ref: Ref | None, table: Any) -> dict[str, Any] | None:
        """The matched record's row; None for a new one (or one a dry run made earlier)."""
        if ref is None:
            return None
        if ref.values is None and ref.pk is not None:
            self.fill(table, [ref])
        return ref.values

    def _contact_change(self, ref: Ref | None, row: ContactIn) -> dict[str, Any]:
        current = self._current(ref, CONTACTS)
        index = self.index
        unique = ((index.emails, row.email, "email"), (index.user_ids, row.user_id, "user_id"))
        for keys, key, what in unique:
            holder = keys.get(key) if key else None
            if holder is not None and holder is not ref:
                raise RowRejected(f"contact.{what}", f"another contact has the {what} {key!r}")
        values: dict[str, Any] = {}
        for column, given in (("email", row.email), ("user_id", row.user_id)):
            if given is None or (current is not None and current[column] == given):
                continue
            if current is not None and current[column] is not None:
                raise RowRejected(
                    f"contact.{column}", f"the contact has the {column} {current[column]!r}"
                )
            values[column] = given
        for column, given in (("name", row.name), ("phone", row.phone), ("notes", row.notes)):
            if given is not None and (current is None or current[column] != given):
                values[column] = given
        if row.tags is not None:
            tags = list(dict.fromkeys([*(current["tags"] if current else []), *row.tags]))
            if current is None or tags != current["tags"]:
                values["tags"] = tags
        if row.meta:
            merged = _merge(current["metadata"] if current else {}, row.meta, "contact.metadata")
            if current is None or merged != current["metadata"]:
                values["metadata"] = merged
        return values

    def _commit_contact(self, ref: Ref | None, row: ContactIn, values: dict[str, Any]) -> Ref:
        if ref is None:
            taken = row.id is None or row.id in self.index.contact_ids
            created = row.created_at or self.now
            ref = Ref(None, status="new")
            ref.values = {
                "id": self.new_ids["ct"]() if taken else row.id,
                "project_pk": self.project_pk,
                **dict.fromkeys(("email", "user_id", "name", "phone", "notes")),
                "tags": [],
                "metadata": {},
                "created_at": created,
                "updated_at": self.now,
                **values,
            }
            self.contacts.new += 1
            self.pending.new_contacts.append(ref)
        elif ref.values is None:
            return ref  # made by an earlier batch of a dry run
        else:
            _count(self.contacts, ref, bool(values))
            if values:
                ref.values.update(values, updated_at=self.now)
                if ref.pk is not None:
                    entry = self.pending.changed_contacts.setdefault(id(ref), (ref, set()))
                    entry[1].update(values, {"updated_at"})
        v = ref.values
        self.index.add_contact(ref, v["id"], v["email"], v["user_id"])
        return ref

    def _link(self, contact: Ref, company: Ref) -> None:
        key = (id(contact), id(company))
        if key in self.pending.links:
            return
        if contact.pk is not None:
            if company.pk is not None and (contact.pk, company.pk) in self.linked:
                return
            if not company.is_placeholder:
                # Identify's rule 6: a contact that gains a real company lets placeholders go.
                self.pending.gained_real[id(contact)] = contact
        self.pending.links[key] = (contact, company)
        self.links += 1


def _ambiguous(key: str | None) -> str:
    return f"several companies have {key!r}; name the company by its id"


def _merge(current: dict[str, Any], given: dict[str, Any], column: str) -> dict[str, Any]:
    try:
        return meta_rules.merge_checked(current, given, field="metadata")
    except InvalidRequest as exc:
        raise RowRejected(column, exc.detail) from None
