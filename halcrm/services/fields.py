"""Field types shared by the request shapes of every area (lengths, ids, money)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from msgspec import Meta

VisitorId = Annotated[str, Meta(min_length=1, max_length=200)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=200)]
RecordId = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^/\s][^/]*$")]
StageRef = Annotated[str, Meta(min_length=1, max_length=100)]
EventName = Annotated[str, Meta(min_length=1, max_length=100)]
Notes = Annotated[str, Meta(max_length=20_000)]
Mode = Literal["exact", "advance_only"]


class JsonMoney(Decimal):
    """A deal value as a client sent it: a JSON number only.

    msgspec turns a JSON string into a ``Decimal`` too (``"1e5"``, ``" 12 "``); this subclass
    is not one msgspec knows, so the server's decode hook (``server/edge.py``) sees the raw
    value and refuses anything but a number. Range and decimals are checked by domain.money.
    """


if TYPE_CHECKING:
    # The board builds its inputs from plain Decimals; only the wire needs the stricter type.
    Money = Decimal
else:
    Money = JsonMoney
Metadata = dict[str, Any]


Probability = Annotated[int, Meta(ge=0, le=100)]
StallDays = Annotated[int, Meta(ge=0, le=3650)]
Position = Annotated[int, Meta(ge=0, le=10_000)]
StageName = Annotated[str, Meta(min_length=1, max_length=100)]


Email = Annotated[str, Meta(min_length=3, max_length=320)]
Phone = Annotated[str, Meta(max_length=50)]
Tags = Annotated[list[Annotated[str, Meta(min_length=1, max_length=100)]], Meta(max_length=100)]
