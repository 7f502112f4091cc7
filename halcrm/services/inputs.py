"""Validated request shapes shared by the HTTP routes and the service calls (msgspec structs)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

VisitorId = Annotated[str, Meta(min_length=1, max_length=200)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=200)]
RecordId = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^/\s][^/]*$")]
StageRef = Annotated[str, Meta(min_length=1, max_length=100)]
EventName = Annotated[str, Meta(min_length=1, max_length=100)]
Notes = Annotated[str, Meta(max_length=20_000)]
Mode = Literal["exact", "advance_only"]
# Range and decimals are checked by domain.money (exact, with a clear message).
Money = Decimal
Metadata = dict[str, Any]


class WidgetBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Fields every widget call carries."""

    visitor_id: VisitorId
    app_id: ShortText | None = None
    project_id: ShortText | None = None
    user_hash: Annotated[str, Meta(max_length=128)] | None = None


class IdentifyCompany(msgspec.Struct, kw_only=True):
    id: RecordId | None = None
    name: Name | None = None
    stage: StageRef | None = None
    metadata: Metadata | None = None


class Identify(WidgetBody, kw_only=True):
    user_id: Name | None = None
    email: Annotated[str, Meta(min_length=3, max_length=320)] | None = None
    name: Name | None = None
    metadata: Metadata | None = None
    company: IdentifyCompany | None = None
    company_ids: Annotated[list[RecordId], Meta(max_length=100)] | None = None
    stage_update_mode: Mode | None = None


class SetProperties(WidgetBody, kw_only=True):
    properties: Metadata


class Track(WidgetBody, kw_only=True):
    name: EventName
    value: Annotated[str, Meta(max_length=1000)] | bool | int | float | None = None
    company_id: RecordId | None = None


class SetStage(WidgetBody, kw_only=True):
    stage: StageRef
    company_id: RecordId | None = None
    stage_update_mode: Mode | None = None


class SetDeal(WidgetBody, kw_only=True):
    deal_value: Money
    stage: StageRef | None = None
    company_id: RecordId | None = None
    stage_update_mode: Mode | None = None


class ProjectPatch(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    stage_update_mode: Mode | UnsetType = UNSET
    identity_verification: Literal["off", "required"] | UnsetType = UNSET


Probability = Annotated[int, Meta(ge=0, le=100)]
StallDays = Annotated[int, Meta(ge=0, le=3650)]
Position = Annotated[int, Meta(ge=0, le=10_000)]
StageName = Annotated[str, Meta(min_length=1, max_length=100)]


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


class CompanyPatch(msgspec.Struct, kw_only=True):
    name: Name | UnsetType = UNSET
    domain: Annotated[str, Meta(max_length=255)] | UnsetType | None = UNSET
    industry: ShortText | UnsetType | None = UNSET
    notes: Notes | UnsetType | None = UNSET
    metadata: Metadata | UnsetType = UNSET
    deal_value: Money | UnsetType | None = UNSET
    stage: StageRef | UnsetType | None = UNSET


Email = Annotated[str, Meta(min_length=3, max_length=320)]
Phone = Annotated[str, Meta(max_length=50)]
Tags = Annotated[list[Annotated[str, Meta(min_length=1, max_length=100)]], Meta(max_length=100)]


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
