"""Request shapes of the account API and the board: projects, stages, companies, contacts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from halcrm.services.fields import (
    Email,
    EventName,
    Metadata,
    Mode,
    Money,
    Name,
    Notes,
    Phone,
    Position,
    Probability,
    RecordId,
    ShortText,
    StageName,
    StageRef,
    StallDays,
    Tags,
)


class ProjectPatch(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    stage_update_mode: Mode | UnsetType = UNSET
    identity_verification: Literal["off", "required"] | UnsetType = UNSET
    # An IANA zone name (checked by the rules: unknown is a 400).
    time_zone: Annotated[str, Meta(min_length=1, max_length=64)] | UnsetType = UNSET
    # Milestone name -> stage name or id (replaces the whole mapping; unknown stage: 400).
    stage_hints: Annotated[dict[EventName, StageRef], Meta(max_length=100)] | UnsetType = UNSET


class StageCreate(msgspec.Struct, kw_only=True):
    name: StageName
    position: Position | None = None
    kind: Literal["open", "won", "lost"] = "open"
    probability: Probability | None = None
    stall_after_days: StallDays | None = None


class StagePatch(msgspec.Struct, kw_only=True):
    name: StageName | UnsetType = UNSET
    position: Position | UnsetType = UNSET
    kind: Literal["open", "won", "lost"] | UnsetType = UNSET
    probability: Probability | UnsetType = UNSET
    stall_after_days: StallDays | UnsetType | None = UNSET


class CompanyCreate(msgspec.Struct, kw_only=True):
    name: Name
    id: RecordId | None = None
    domain: Annotated[str, Meta(max_length=255)] | None = None
    industry: ShortText | None = None
    notes: Notes | None = None
    metadata: Metadata | None = None
    deal_value: Money | None = None
    stage: StageRef | None = None
    expected_close: date | None = None


class CompanyPatch(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    domain: Annotated[str, Meta(max_length=255)] | UnsetType | None = UNSET
    industry: ShortText | UnsetType | None = UNSET
    notes: Notes | UnsetType | None = UNSET
    metadata: Metadata | UnsetType = UNSET
    deal_value: Money | UnsetType | None = UNSET
    stage: StageRef | UnsetType | None = UNSET
    # When the deal is expected to close (YYYY-MM-DD), or null.
    expected_close: date | UnsetType | None = UNSET


class ContactCreate(msgspec.Struct, kw_only=True):
    id: RecordId | None = None
    email: Email | None = None
    user_id: Name | None = None
    name: Name | None = None
    phone: Phone | None = None
    notes: Notes | None = None
    tags: Tags | None = None
    metadata: Metadata | None = None


class ContactPatch(msgspec.Struct, kw_only=True):
    email: Email | UnsetType | None = UNSET
    user_id: Name | UnsetType | None = UNSET
    name: Name | UnsetType | None = UNSET
    phone: Phone | UnsetType | None = UNSET
    notes: Notes | UnsetType | None = UNSET
    tags: Tags | UnsetType = UNSET
    metadata: Metadata | UnsetType = UNSET
