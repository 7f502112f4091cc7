"""One CSV record to the company and contact it describes, checked before any database work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from halcrm.domain import metadata as meta_rules
from halcrm.domain.errors import InvalidRequest
from halcrm.domain.identity import normalize_email
from halcrm.domain.stages import StageInfo, StageKind
from halcrm.services.crm.transfer import cells, parse
from halcrm.services.crm.transfer.columns import (
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    DEAL_FIELDS,
    Mapping_,
)
from halcrm.services.crm.transfer.shape import DOMAINS, NAMES, Shape, read, shape_of


class RowRejected(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(slots=True)
class CompanyIn:
    """A company as a row gives it; ``None`` is "not given" (an import never clears a field)."""

    id: str | None = None
    name: str | None = None
    domain: str | None = None
    industry: str | None = None
    notes: str | None = None
    stage_id: str | None = None
    deal_cents: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    last_activity_at: datetime | None = None
    is_placeholder: bool | None = None
    placeholder_key: str | None = None
    deal_status: str | None = None  # a deal row's status (open, won, lost)
    reference: bool | None = None  # names_only(), once known

    def names_only(self) -> bool:
        """Whether the row only names the company (a contact's company column, say): it then
        links to the company it matches and changes nothing on it."""
        if self.reference is None:
            self.reference = self._names_only()
        return self.reference

    def _names_only(self) -> bool:
        return not self.meta and all(
            value is None
            for value in (
                self.industry, self.notes, self.stage_id, self.deal_cents, self.created_at,
                self.last_activity_at, self.is_placeholder, self.placeholder_key,
            )
        )  # fmt: skip


@dataclass(slots=True)
class ContactIn:
    id: str | None = None
    email: str | None = None
    user_id: str | None = None
    name: str | None = None
    phone: str | None = None
    notes: str | None = None
    tags: list[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    company_ids: list[str] | None = None
    created_at: datetime | None = None


@dataclass(slots=True)
class RowIn:
    number: int
    company: CompanyIn | None
    contact: ContactIn | None
    warning: str | None = None


class Stages:
    """Stage names of the project; unknown ones are refused (and counted), or collected to be
    created. ``targets`` (``--stage-map``) names the stage to use for a file's stage name."""

    def __init__(
        self,
        infos: Sequence[StageInfo],
        create: bool,
        targets: dict[str, str] | None = None,
        new: dict[str, str] | None = None,
    ) -> None:
        self.by_key = {s.name.casefold(): s.id for s in infos}
        self.by_key.update({s.id: s.id for s in infos})
        self.rank = {s.id: s.position for s in infos if s.kind is StageKind.OPEN}
        self.won = next((s.id for s in infos if s.kind is StageKind.WON), None)
        self.lost = next((s.id for s in infos if s.kind is StageKind.LOST), None)
        self.create = create
        self.targets = targets or {}
        # folded name -> name as first written (a first pass's, when there was one)
        self.new: dict[str, str] = dict(new or {})
        self.unknown: dict[str, int] = {}  # a refused stage name -> rows naming it
        # Every stage the file names (folded), in the order it first names them: where the
        # stages it creates go among those it has (its own pipeline's order).
        self.seen: dict[str, None] = {}
        # Addresses checked already (None: refused): a file is read twice, and the check is
        # the costliest part of reading a contact.
        self.emails: dict[str, str | None] = {}
        self.resolved: dict[str, str] = {}  # a file's stage name -> what it resolved to

    def email(self, raw: str) -> str:
        if raw in self.emails:
            found = self.emails[raw]
        else:
            try:
                found = normalize_email(raw)
            except InvalidRequest:
                found = None
            self.emails[raw] = found
        if found is None:
            raise RowRejected("contact.email", "is not a valid email address")
        return found

    def resolve(self, name: str) -> str:
        """The stage's id, or ``new:NAME`` for a stage the import will create."""
        found = self.resolved.get(name)
        if found is not None:
            return found
        found = self._resolve(name)
        self.resolved[name] = found  # a refusal is counted each time: never kept
        return found

    def _resolve(self, name: str) -> str:
        given = name.strip()
        target = self.targets.get(given.casefold(), given)
        key = target.casefold()
        if key not in self.seen:
            self.seen[key] = None
        if key in self.by_key:
            return self.by_key[key]
        if not self.create:
            self.unknown[target] = self.unknown.get(target, 0) + 1
            raise RowRejected("stage", f"unknown stage {target!r} (or use --create-stages)")
        self.new.setdefault(key, target)
        return f"new:{key}"


def _text(column: str, value: str) -> str:
    try:
        return cells.text(column, value)
    except cells.CellRefused as exc:
        raise RowRejected(column, str(exc)) from None


def _value(target: str, cell: str) -> str:
    """The cell's value: without an export's formula guard (kept exactly as written then),
    else stripped; checked against the API's limits on ``target`` (a domain once parsed)."""
    unguarded = cells.unguard(cell) if cell[0] == "'" else None
    value = cell.strip() if unguarded is None else unguarded
    if target in NAMES and not value.isascii():
        value = cells.visible(value)
    return _text("" if target in DOMAINS else target, value)


def _cell(parser: Callable[[str], Any], column: str, value: str) -> Any:
    try:
        return parser(value)
    except parse.CellError as exc:
        raise RowRejected(column, str(exc)) from None


def build(number: int, cells: Sequence[str], mapping: Mapping_, stages: Stages) -> RowIn | None:
    """The row's company and contact, or None for a blank row; refuses with the column at
    fault (:class:`RowRejected`)."""
    shape = shape_of(mapping)
    try:
        given = read(cells, shape.columns, _value)
        company = _company(given, stages, shape) if given else None
        contact = _contact(given, stages, shape) if given else None
    except RowRejected as exc:
        raise RowRejected(_header(mapping, exc.column), exc.reason) from None
    if company is None and contact is None:
        return None
    warning = None
    if contact is not None and not (contact.email or contact.id or contact.user_id):
        if company is None:
            raise RowRejected(_header(mapping, "contact.name", "email"), "a contact needs an email")
        warning, contact = "contact skipped: no email", None
    return RowIn(number, company, contact, warning)


def _header(mapping: Mapping_, target: str, default: str | None = None) -> str:
    """The file's name of the column that fills ``target`` (the first one)."""
    for name, header in zip(mapping.fields, mapping.header, strict=False):
        if name == target:
            return header
    return target if default is None else default


# What makes a row hold a company or a contact (metadata keys are told by their prefix).
_COMPANY_KEYS = frozenset(
    {f"company.{name}" for name in COMPANY_FIELDS}
    | {f"deal.{name}" for name in DEAL_FIELDS}
    | {"contact.company"}
)
_CONTACT_KEYS = frozenset({f"contact.{name}" for name in CONTACT_FIELDS} - {"contact.company"})


def _company(given: dict[str, str], stages: Stages, shape: Shape) -> CompanyIn | None:
    if given.keys().isdisjoint(_COMPANY_KEYS) and not (
        shape.company_meta and any(k.startswith(("company.", "deal.")) for k in given)
    ):
        return None
    get = given.get
    name = get("company.name") or get("contact.company") or get("deal.name")
    out = CompanyIn(get("company.id"), name, None, get("company.industry"), get("company.notes"))
    out.placeholder_key = get("company.placeholder_key")
    # The domain column, else the website's (HubSpot leaves one or the other empty).
    source = "company.domain" if "company.domain" in given else "company.website"
    if source in given:
        found = _cell(parse.domain, source, given[source])
        try:
            out.domain = cells.text("company.domain", found)
        except cells.CellRefused as exc:
            raise RowRejected(source, str(exc)) from None
    if "company.deal_value" in given:
        out.deal_cents = _cell(parse.money, "company.deal_value", given["company.deal_value"])
    if shape.company_rare:
        _rare(out, given)
    if "company.stage" in given or "deal.status" in given:
        out.stage_id = _stage(given, stages)
        out.deal_status = get("deal.status")
    if shape.company_meta or "company.metadata" in given:
        out.meta = _metadata(given, "company", shape.company_meta)
    deal = get("deal.name")
    if deal and out.name != deal:
        out.meta.setdefault("deal_name", deal)
    if not (out.id or out.name or out.domain):
        raise RowRejected("company.name", "the company has no name")
    if out.name is None:
        out.name = out.domain
    return out


def _rare(out: CompanyIn, given: dict[str, str]) -> None:
    """The columns a CRM's export seldom has: times and the placeholder flag."""
    for attr in ("created_at", "last_activity_at"):
        if f"company.{attr}" in given:
            setattr(out, attr, _cell(parse.when, f"company.{attr}", given[f"company.{attr}"]))
    if "company.is_placeholder" in given:
        out.is_placeholder = _cell(
            parse.boolean, "company.is_placeholder", given["company.is_placeholder"]
        )


def _stage(given: dict[str, str], stages: Stages) -> str | None:
    status = given.get("deal.status", "").casefold()
    if status in ("won", "lost"):
        found = stages.won if status == "won" else stages.lost
        if found is None:
            raise RowRejected("deal.status", f"the pipeline has no {status} stage")
        return found
    if "company.stage" in given:
        try:
            return stages.resolve(given["company.stage"])
        except RowRejected as exc:
            raise RowRejected("company.stage", exc.reason) from None
    return None


def _contact(given: dict[str, str], stages: Stages, shape: Shape) -> ContactIn | None:
    if given.keys().isdisjoint(_CONTACT_KEYS) and not (
        shape.contact_meta and any(k.startswith("contact.metadata.") for k in given)
    ):
        return None
    first, last = given.get("contact.first_name"), given.get("contact.last_name")
    joined = " ".join(p for p in (first, last) if p) or None
    out = ContactIn(
        id=given.get("contact.id"),
        user_id=given.get("contact.user_id"),
        name=given.get("contact.name") or joined,
        phone=given.get("contact.phone"),
        notes=given.get("contact.notes"),
    )
    if out.name is not None:
        _text("contact.name", out.name)
    if "contact.email" in given:
        out.email = stages.email(given["contact.email"])
    if "contact.tags" in given:
        out.tags = _cell(_tags, "contact.tags", given["contact.tags"])
    if "contact.company_ids" in given:
        out.company_ids = _cell(_company_ids, "contact.company_ids", given["contact.company_ids"])
    if "contact.created_at" in given:
        out.created_at = _cell(parse.when, "contact.created_at", given["contact.created_at"])
    out.meta = _metadata(given, "contact", shape.contact_meta)
    return out


def _tags(text: str) -> list[str]:
    tags = parse.string_list(text, "contact.tag")
    if len(tags) > cells.MAX_TAGS:
        raise parse.CellError(f"has more than {cells.MAX_TAGS} tags")
    return tags


def _company_ids(text: str) -> list[str]:
    return parse.string_list(text, "company.id")


def _metadata(
    given: dict[str, str], record: str, keys: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    whole = f"{record}.metadata"
    if whole in given:
        meta = _cell(parse.json_object, whole, given[whole])
    for target, key in keys:
        if target in given:
            meta[key] = given[target]
    if not meta:
        return meta
    try:
        meta_rules.check(meta, field="metadata")
    except InvalidRequest as exc:
        raise RowRejected(f"{record}.metadata", exc.detail) from None
    return meta
