"""Small text formatters the board's widgets share (ages, times, money, stage outcomes)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from halcrm.domain.errors import DomainError
from halcrm.domain.money import format_money, to_cents
from halcrm.services.validation import plain_reason

SUFFIXES = {"k": Decimal(1_000), "m": Decimal(1_000_000), "b": Decimal(1_000_000_000)}


def ago(then: datetime | None, now: datetime) -> str:
    """A short age such as ``now``, ``5m``, ``2h`` or ``3d``."""
    if then is None:
        return ""
    delta = now - then
    if delta < timedelta(minutes=1):
        return "now"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}m"
    if delta < timedelta(days=1):
        return f"{int(delta.total_seconds() // 3600)}h"
    return f"{delta.days}d"


def waited(then: datetime, now: datetime) -> str:
    """How long something has waited (a reply, a widget move): ``<1m``, ``5m``, ``2h``, ``3d``.

    The focus strip, the focus lane and the company screen all say a wait with this."""
    age = ago(then, now)
    return "<1m" if age == "now" else age


def when(at: datetime | None) -> str:
    """A timestamp for people, in UTC: ``2026-11-27 12:00``."""
    return at.strftime("%Y-%m-%d %H:%M") if at else "—"


def money(value: Any) -> str:
    """Formats a deal value as it travels in records and events (a JSON number or None)."""
    if value is None:
        return ""
    return format_money(to_cents(value))


def compact_money(value: Any) -> str:
    """A deal value from a record or an event in the board's one money style (``$2.5k``)."""
    if value is None:
        return ""
    return short_money(to_cents(value))


def outcome(applied: bool | None, reason: str | None) -> str:
    """``applied`` or ``skipped (already_later)``."""
    if applied is None:
        return ""
    return "applied" if applied else f"skipped ({reason or 'no change'})"


def short_money(cents: int | None) -> str:
    """The board's one money style: ``$950``, ``$1.2k``, ``$12.5k``, ``$125k``, ``$12.5M``.

    Cards, column headers and the summary all use it; the company screen shows full amounts.
    """
    dollars = (cents or 0) / 100
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        # 999,600 would round to "$1000k": it is "$1M".
        if dollars >= size * 0.9995:
            amount = dollars / size
            text = f"{amount:.1f}" if amount < 99.95 else f"{amount:.0f}"
            return f"${text.removesuffix('.0')}{suffix}"
    # Under $1k the cents show when there are any: 12,5 is "$12.50", never "$12".
    return f"${dollars:.2f}" if (cents or 0) % 100 else f"${dollars:.0f}"


class MoneyInputError(ValueError):
    """An amount a person typed that is not one; the message says why in plain words."""


CURRENCY = "$€£"


def _plain_number(raw: str) -> str:
    """``1.234,50`` and ``15,000`` and ``12,5`` as Python reads numbers: the separator that
    comes last is the decimal one when both are used; a lone comma is a thousands one only
    before exactly three digits (``15,000``), else a decimal one (``12,5``)."""
    if "," in raw and "." in raw:
        decimal, thousands = (",", ".") if raw.rfind(",") > raw.rfind(".") else (".", ",")
        return raw.replace(thousands, "").replace(decimal, ".")
    if raw.count(",") == 1 and len(raw) - raw.index(",") - 1 != 3:
        return raw.replace(",", ".")
    if raw.count(".") > 1:
        return raw.replace(".", "")
    return raw.replace(",", "")


def parse_money(text: str) -> Decimal | None:
    """Reads an amount as people type it: ``$15k``, ``€15k``, ``15k``, ``15,000``,
    ``1.234,50 €``, ``12,5``, ``15000.50``, ``1.2M`` (empty: None). Raises
    ``MoneyInputError`` with a plain reason."""
    raw = "".join(text.split()).replace("_", "").strip(CURRENCY)
    if not raw:
        return None
    factor = SUFFIXES.get(raw[-1].lower())
    number = _plain_number(raw[:-1] if factor else raw)
    try:
        amount = Decimal(number) * (factor or 1)
    except InvalidOperation:
        raise MoneyInputError(
            f"“{text.strip()}” is not an amount: type 15000, 15,000, 1.234,50, $15k or 1.2M."
        ) from None
    try:
        to_cents(amount)
    except DomainError as exc:
        raise MoneyInputError(
            "The deal value " + exc.detail.removeprefix("deal_value ") + "."
        ) from None
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


def plain_words(error: msgspec.ValidationError, labels: dict[str, str] | None = None) -> str:
    """A validation error for people: ``Win probability must be at most 100.``"""
    field, words = plain_reason(error)
    name = (labels or {}).get(field, field.replace("_", " ") or "The value")
    return f"{name[:1].upper()}{name[1:]} {words}."


def step_mark(due_at: datetime | None, now: datetime, tz: tzinfo) -> tuple[str, str, str]:
    """A card's next-step mark as ``(state, full, compact)``: ``overdue`` ``late 3d``/``-3d``,
    ``today`` ``today``/``0d``, ``upcoming`` ``in 3d``/``+3d``, ``none`` ``no step``/``∅``.

    Days are counted between local dates in the project's zone; a date-only step falls due at
    the next midnight, so its day is the one before its instant."""
    if due_at is None:
        return "none", "no step", ""
    today = now.astimezone(tz).date()
    if due_at <= now:
        late = ago(due_at, now)
        late = "<1m" if late == "now" else late
        return "overdue", f"late {late}", f"-{late}"
    day = (due_at - timedelta(microseconds=1)).astimezone(tz).date()
    days = (day - today).days
    if days <= 0:
        return "today", "today", "0d"
    return "upcoming", f"in {days}d", f"+{days}d"
