"""Money: deal values are kept as integer cents, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from halcrm.domain.errors import InvalidRequest

# 15 significant digits: the largest amount whose cents a JSON double still prints exactly.
MAX_DEAL_CENTS = 999_999_999_999_99


def to_cents(value: Decimal | int | float | str, *, field: str = "deal_value") -> int:
    """Turns a client amount into cents, refusing negatives, NaN and more than 2 decimals.

    Args:
        value: The amount as decoded from JSON (``Decimal`` keeps the exact text).
        field: The field name used in the error detail.

    Returns:
        The amount in integer cents.
    """
    if isinstance(value, bool):
        raise InvalidRequest(f"{field} must be a number", field=field)
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise InvalidRequest(f"{field} must be a number", field=field) from exc
    if not amount.is_finite():
        raise InvalidRequest(f"{field} must be a finite number", field=field)
    if amount < 0:
        raise InvalidRequest(f"{field} must not be negative", field=field)
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise InvalidRequest(f"{field} allows at most 2 decimals", field=field)
    result = int(cents)
    if result > MAX_DEAL_CENTS:
        raise InvalidRequest(f"{field} must be at most 999999999999.99", field=field)
    return result


def from_cents(cents: int | None) -> int | float | None:
    """Turns cents into the JSON number clients expect (an int when whole)."""
    if cents is None:
        return None
    if cents % 100 == 0:
        return cents // 100
    return float(Decimal(cents) / 100)


def format_money(cents: int | None) -> str:
    """Formats cents for people: ``$12,500`` or ``$1,234.50``; an empty string for none."""
    if cents is None:
        return ""
    whole, frac = divmod(cents, 100)
    return f"${whole:,}" if frac == 0 else f"${whole:,}.{frac:02d}"
