"""Import columns: header names (halcrm's, HubSpot's, Pipedrive's) to fields, and ``--map``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from halcrm.domain.errors import InvalidRequest

COMPANY_FIELDS = frozenset(
    {
        "id",
        "name",
        "domain",
        "website",
        "industry",
        "notes",
        "stage",
        "deal_value",
        "metadata",
        "is_placeholder",
        "placeholder_key",
        "created_at",
        "last_activity_at",
    }
)
CONTACT_FIELDS = frozenset(
    {
        "id",
        "email",
        "user_id",
        "name",
        "first_name",
        "last_name",
        "phone",
        "notes",
        "tags",
        "metadata",
        "company_ids",
        "company",
        "created_at",
    }
)
# A deal row's own columns: its title names the company when no company column does, its
# status (won/lost) picks the won or lost stage.
DEAL_FIELDS = frozenset({"name", "status"})
IGNORE = "ignore"

# Fields named without their record: they belong to the file's main record (the contact in a
# contacts file, else the company).
_BARE = {
    "id": "id",
    "record id": "",
    "name": "name",
    "notes": "notes",
    "note": "notes",
    "description": "notes",
    "metadata": "metadata",
    "created at": "created_at",
    "create date": "created_at",
    "phone": "phone",
    "phone number": "phone",
    "updated at": "",
}

# Names that say which record they fill (normalised: lower case, words split by one space).
_NAMED = {
    # halcrm's own export.
    "domain": "company.domain",
    "industry": "company.industry",
    "stage": "company.stage",
    "deal value": "company.deal_value",  # also Pipedrive's "Deal - Value"
    "is placeholder": "company.is_placeholder",
    "placeholder key": "company.placeholder_key",
    "last activity at": "company.last_activity_at",
    "contact ids": IGNORE,
    "email": "contact.email",
    "user id": "contact.user_id",
    "tags": "contact.tags",
    "company ids": "contact.company_ids",
    # HubSpot companies, contacts and deals.
    "company name": "company.name",
    "company domain name": "company.domain",
    # A website gives the domain when no domain column does (HubSpot fills both, or one).
    "website url": "company.website",
    "last activity date": "company.last_activity_at",
    "first name": "contact.first_name",
    "last name": "contact.last_name",
    "email address": "contact.email",
    "associated company": "company.name",
    "associated company name": "company.name",
    "deal name": "deal.name",
    "deal stage": "company.stage",  # also Pipedrive's "Deal - Stage"
    "amount": "company.deal_value",
    "lifecycle stage": IGNORE,
    # Pipedrive organizations, persons and deals ("Organization - Name" and so on).
    "organization name": "company.name",
    "organization website": "company.website",
    "organization organization created": "company.created_at",
    "organization industry": "company.industry",
    "person name": "contact.name",
    "person first name": "contact.first_name",
    "person last name": "contact.last_name",
    "person email": "contact.email",
    "person email work": "contact.email",
    "person email home": "contact.email",
    "person email other": "contact.email",
    "person phone": "contact.phone",
    "person phone work": "contact.phone",
    "person phone mobile": "contact.phone",
    "person organization": "company.name",
    "person person created": "contact.created_at",
    "deal title": "deal.name",
    "deal status": "deal.status",
    "deal organization": "company.name",
    "deal contact person": "contact.name",
    "deal deal created": "company.created_at",
    "deal last activity date": "company.last_activity_at",
    "website": "company.website",
}
# Columns whose presence makes a file a contacts file (bare names then fill the contact).
_CONTACT_MARKS = frozenset(
    {"contact.email", "contact.first_name", "contact.last_name", "contact.user_id"}
)
_DEAL_MARKS = frozenset({"deal.name", "deal.status", "company.stage", "company.deal_value"})


def normalise(header: str) -> str:
    """``"Organization - Name"`` → ``"organization name"``, ``"deal_value"`` → ``"deal value"``."""
    return " ".join(re.split(r"[^0-9a-z]+", header.strip().lstrip("\ufeff").casefold())).strip()


@dataclass(frozen=True)
class Mapping_:
    """Which column fills which field: ``fields[i]`` for column ``i`` ("" when ignored)."""

    fields: tuple[str, ...]
    header: tuple[str, ...]
    ignored: tuple[str, ...] = field(default=())

    def has(self, *names: str) -> bool:
        return any(f in names for f in self.fields)

    @property
    def has_company(self) -> bool:
        return any(f.startswith(("company.", "deal.")) for f in self.fields)

    @property
    def has_contact(self) -> bool:
        return any(f.startswith("contact.") for f in self.fields)


def check_field(name: str, *, column: str) -> str:
    """Validates a ``--map`` target: ``company.X``, ``contact.X``, ``deal.X``, a
    ``….metadata.KEY`` or ``ignore``."""
    if name == IGNORE:
        return name
    record, _, rest = name.partition(".")
    allowed = {"company": COMPANY_FIELDS, "contact": CONTACT_FIELDS, "deal": DEAL_FIELDS}
    if record in ("company", "contact") and rest.startswith("metadata.") and len(rest) > 9:
        return name
    if record in allowed and rest in allowed[record]:
        return name
    raise InvalidRequest(
        f"--map {column}={name}: the field must be company.FIELD, contact.FIELD, deal.name, "
        "deal.status, company.metadata.KEY, contact.metadata.KEY or ignore",
        field="map",
    )


def parse_maps(items: Sequence[str]) -> dict[str, str]:
    """``["Plan=company.metadata.plan"]`` → ``{"plan": "company.metadata.plan"}`` (by the
    column's normalised name)."""
    maps: dict[str, str] = {}
    for item in items:
        column, sep, target = item.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise InvalidRequest(f"--map {item!r} must read COLUMN=FIELD", field="map")
        maps[normalise(column)] = check_field(target.strip(), column=column.strip())
    return maps


def detect(header: Sequence[str], maps: Mapping[str, str] | None = None) -> Mapping_:
    """Maps every column of ``header``; ``maps`` (from ``--map``) wins over the known names."""
    maps = maps or {}
    keys = [normalise(h) for h in header]
    named = [maps.get(k) or _NAMED.get(k, "") for k in keys]
    contacts_file = any(f in _CONTACT_MARKS for f in named) and not any(
        f in _DEAL_MARKS or f in ("company.domain", "company.website") for f in named
    )
    owner = "contact" if contacts_file else "company"
    fields: list[str] = []
    ignored: list[str] = []
    for raw, key, given in zip(header, keys, named, strict=True):
        target = given
        if not target and _BARE.get(key):
            target = f"{owner}.{_BARE[key]}"
            if target not in {f"company.{f}" for f in COMPANY_FIELDS} | {
                f"contact.{f}" for f in CONTACT_FIELDS
            }:
                target = ""
        if target == IGNORE or not target:
            ignored.append(raw.strip().lstrip("\ufeff"))
            target = ""
        fields.append(target)
    seen: dict[str, str] = {}
    for raw, target in zip(header, fields, strict=True):
        if target and target in seen and not target.endswith(("email", "phone")):
            raise InvalidRequest(
                f"columns {seen[target]!r} and {raw!r} both fill {target}; "
                f"use --map '{raw}=ignore'",
                field="map",
            )
        seen.setdefault(target, raw)
    mapping = Mapping_(
        tuple(fields), tuple(h.strip().lstrip("\ufeff") for h in header), tuple(ignored)
    )
    if not mapping.has_company and not mapping.has_contact:
        raise InvalidRequest(
            "no column of this file is known (name, email, company name, ...); map them with "
            "--map 'Column=company.name'",
            field="map",
        )
    return mapping
