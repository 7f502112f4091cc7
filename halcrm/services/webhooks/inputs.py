"""Request shapes of the webhooks (API.md, "Webhooks")."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

Url = Annotated[str, Meta(min_length=1, max_length=2000)]
EventType = Annotated[str, Meta(min_length=1, max_length=60)]
Events = Annotated[list[EventType], Meta(min_length=1, max_length=50)]
Description = Annotated[str, Meta(max_length=500)]
Format = Literal["standard", "slack"]


class WebhookCreate(msgspec.Struct, kw_only=True):
    url: Url
    events: Events = msgspec.field(default_factory=lambda: ["*"])
    description: Description | None = None
    format: Format = "standard"
    allow_private: bool = False


class WebhookPatch(msgspec.Struct, kw_only=True):
    url: Url | UnsetType = UNSET
    events: Events | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    format: Format | UnsetType = UNSET
    allow_private: bool | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
