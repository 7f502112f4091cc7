"""Cell parsers for imports: money as the board reads it, dates in ISO or the exports' forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from halcrm.domain.errors import InvalidRequest
from halcrm.domain.money import MAX_DEAL_CENTS, to_cents
from halcrm.services.crm.transfer import cells


class CellError(ValueError):
    """A cell that cannot be read; the row is rejected with this reason."""


_SUFFIX = {"k": Decimal(1000), "m": Decimal(1_000_000)}
# Currency signs and codes around an amount: "$15,000", "15000 USD", "€ 1.234,50".
_CURRENCY = re.compile(r"^[^\d.,\-+]*|[^\d.,kKmM]*$")
# The common forms, read without Decimal: "15000", "$15,000", "$1,000.50", "12.5", and commas
# anywhere before a decimal point ("$15000,000.50"): the same cents as the general reading.
_PLAIN_MONEY = re.compile(
    r"\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+|[0-9][0-9,]*(?=\.))(?:\.([0-9]{1,2}))?"
)


def money(text: str) -> int:
    """An amount in cents from ``$15,000.50``, ``15k``, ``1.2M``, ``1.234,50 €`` or ``15000``.

    With both ``,`` and ``.``, the last one is the decimal mark; with one kind only, it
    separates thousands when groups of exactly three digits follow it (``15,000``, ``2.000``),
    else it is the decimal mark (``12,50``, the form of `;`-delimited European exports).
    """
    raw = text.strip()
    plain = _PLAIN_MONEY.fullmatch(raw)
    if plain is not None and len(plain[1]) < 20:
        whole, cents = plain.groups()
        value = int(whole.replace(",", "")) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
        if value <= MAX_DEAL_CENTS:
            return value
    body = _CURRENCY.sub("", raw).replace(" ", "").replace("\u00a0", "")
    factor = Decimal(1)
    if body[-1:].lower() in _SUFFIX:
        factor = _SUFFIX[body[-1].lower()]
        body = body[:-1]
    if "," in body and "." in body:
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
    else:
        mark = "," if "," in body else "."
        # One kind of separator before groups of three digits separates thousands: money has
        # two decimals, so "2.000" and "15,000" are two and fifteen thousand.
        grouped = re.fullmatch(rf"-?\d{{1,3}}(\{mark}\d{{3}})+", body)
        decimal_mark = ("," if mark == "." else ".") if grouped else mark
    thousands = "." if decimal_mark == "," else ","
    body = body.replace(thousands, "").replace(decimal_mark, ".")
    try:
        amount = Decimal(body) * factor
    except InvalidOperation:
        raise CellError(f"{raw!r} is not an amount") from None
    try:
        return to_cents(amount.normalize() if amount == amount.to_integral() else amount)
    except InvalidRequest as exc:
        raise CellError(f"{raw!r}: {exc.detail.removeprefix('deal_value ')}") from None


_DAY_FIRST = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def when(text: str) -> datetime:
    """A UTC time from ISO 8601 (``2026-11-27``, ``2026-11-27 12:00``, ``…T12:00:00Z``),
    ``27.11.2026`` (day first) or ``11/27/2026`` (month first unless the first number is over
    12). A time without an offset is taken as UTC."""
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = _dotted_or_slashed(raw)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _dotted_or_slashed(raw: str) -> datetime:
    match = _DAY_FIRST.fullmatch(raw)
    if match:
        day, month = int(match[1]), int(match[2])
    else:
        match = _SLASHED.fullmatch(raw)
        if not match:
            raise CellError(f"{raw!r} is not a date (use 2026-11-27 or 2026-11-27T12:00:00Z)")
        month, day = int(match[1]), int(match[2])
        if month > 12:
            month, day = day, month
    try:
        return datetime(
            int(match[3]), month, day, int(match[4] or 0), int(match[5] or 0), int(match[6] or 0)
        )
    except ValueError:
        raise CellError(f"{raw!r} is not a date") from None


def boolean(text: str) -> bool:
    folded = text.strip().casefold()
    if folded in ("true", "yes", "1", "y"):
        return True
    if folded in ("false", "no", "0", "n"):
        return False
    raise CellError(f"{text!r} is not true or false")


def json_object(text: str) -> dict[str, Any]:
    """A JSON object (halcrm's own export writes metadata so), decoded as the API decodes one."""
    value = _json(text)
    if not isinstance(value, dict):
        raise CellError("is not a JSON object")
    return value


def _json(text: str) -> Any:
    try:
        return cells.json_cell(text)
    except cells.CellRefused as exc:
        raise CellError(str(exc)) from None


def string_list(text: str, item: str = "") -> list[str]:
    """A JSON array of strings (halcrm's export), else values separated by ``;`` or ``,``;
    each item held to the API's limits on the column ``item``."""
    stripped = text.strip()
    if stripped.startswith("["):
        value = _json(stripped)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CellError("is not a JSON array of strings")
    else:
        value = [part.strip() for part in re.split(r"[;,]", stripped) if part.strip()]
    if item:
        for part in value:
            try:
                cells.text(item, part)
            except cells.CellRefused as exc:
                raise CellError(f"{part[:40]!r} {exc}") from None
    return value


# A domain written bare already (``acme.com``): nothing to take off.
_BARE_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+")


def domain(text: str) -> str:
    """A bare lower-case domain from ``https://www.Acme.com/about`` or ``acme.com``."""
    if _BARE_DOMAIN.fullmatch(text) is not None and not text.startswith("www."):
        return text
    value = text.strip().casefold()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.split("/", 1)[0].split("?", 1)[0].removeprefix("www.")
    if not value or " " in value or "." not in value:
        raise CellError(f"{text!r} is not a domain")
    return value
