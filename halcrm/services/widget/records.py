"""What the widget's calls answer (plain msgspec structs)."""

from __future__ import annotations

import msgspec

from halcrm.services.crm.records import StageResult


class DealResult(StageResult, kw_only=True):
    deal_value: float | None  # a JSON number, as on CompanyRecord


class IdentifyResult(msgspec.Struct, kw_only=True):
    visitor_id: str
    contact_id: str | None
    company_ids: list[str]
    active_company_id: str | None
    verified: bool
    stage: StageResult | None


class PropertiesResult(msgspec.Struct, kw_only=True):
    visitor_id: str
    contact_id: str | None


class TrackResult(msgspec.Struct, kw_only=True):
    event_id: str
    company_id: str | None
