"""Cells and headers: money as the board reads it, dates in the exports' forms, column names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from halcrm.domain.errors import InvalidRequest
from halcrm.services.crm.transfer import columns, parse


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("$15,000.50", 1_500_050),
        ("15k", 1_500_000),
        ("15.5K", 1_550_000),
        ("1.2M", 120_000_000),
        ("15000", 1_500_000),
        ("1.234,50 €", 123_450),
        ("12,50", 1_250),
        ("USD 99.99", 9_999),
        ("0", 0),
        ("2.000", 200_000),
        ("1.234.567,89", 123_456_789),
    ],
)
def test_money(text: str, cents: int) -> None:
    assert parse.money(text) == cents


@pytest.mark.parametrize("text", ["abc", "-5", "1.2345", "12.345.67", "15,5,5", ""])
def test_money_refusals(text: str) -> None:
    with pytest.raises(parse.CellError):
        parse.money(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27", datetime(2026, 11, 27, tzinfo=UTC)),
        ("2026-11-27 12:30", datetime(2026, 11, 27, 12, 30, tzinfo=UTC)),
        ("2026-11-27T12:30:00Z", datetime(2026, 11, 27, 12, 30, tzinfo=UTC)),
        ("2026-11-27T13:30:00+01:00", datetime(2026, 11, 27, 12, 30, tzinfo=UTC)),
        ("27.11.2026", datetime(2026, 11, 27, tzinfo=UTC)),
        ("11/27/2026", datetime(2026, 11, 27, tzinfo=UTC)),
        ("27/11/2026 08:05", datetime(2026, 11, 27, 8, 5, tzinfo=UTC)),
    ],
)
def test_dates(text: str, expected: datetime) -> None:
    assert parse.when(text) == expected


@pytest.mark.parametrize("text", ["2026-13-45", "yesterday", "31.02.2026"])
def test_date_refusals(text: str) -> None:
    with pytest.raises(parse.CellError):
        parse.when(text)


def test_domains() -> None:
    assert parse.domain("https://www.Acme.com/about?x=1") == "acme.com"
    assert parse.domain("acme.io") == "acme.io"
    with pytest.raises(parse.CellError):
        parse.domain("not a domain")


def test_headers_of_each_source() -> None:
    hubspot = columns.detect(["Record ID", "First Name", "Last Name", "Email", "Company Name"])
    assert hubspot.fields == ("", "contact.first_name", "contact.last_name", "contact.email",
                              "company.name")  # fmt: skip
    pipedrive = columns.detect(["Deal - Title", "Deal - Value", "Deal - Stage", "Deal - Status"])
    assert pipedrive.fields == ("deal.name", "company.deal_value", "company.stage", "deal.status")
    own_contacts = columns.detect(["\ufeffid", "email", "name", "company_ids", "metadata"])
    assert own_contacts.fields == ("contact.id", "contact.email", "contact.name",
                                   "contact.company_ids", "contact.metadata")  # fmt: skip
    own_companies = columns.detect(["id", "name", "domain", "stage", "deal_value"])
    assert own_companies.fields[:2] == ("company.id", "company.name")


def test_map_overrides_and_refusals() -> None:
    maps = columns.parse_maps(["Plan=company.metadata.plan", "City=ignore"])
    mapping = columns.detect(["Company", "Plan", "City"], {**maps, "company": "company.name"})
    assert mapping.fields == ("company.name", "company.metadata.plan", "")
    with pytest.raises(InvalidRequest, match=r"must be company\.FIELD"):
        columns.parse_maps(["Plan=company.plan"])
    with pytest.raises(InvalidRequest, match="COLUMN=FIELD"):
        columns.parse_maps(["Plan"])
    with pytest.raises(InvalidRequest, match="no column of this file is known"):
        columns.detect(["Foo", "Bar"])


@pytest.mark.parametrize(
    "address",
    [
        "Jane.Doe@Acme.COM", "a+tag@sub.example.co", "x@a.io", "a..b@x.com", "a@x.123",
        "a@-x.com", "a@x.local", "a@foo.test", ".a@x.com", "a.@x.com", "a@x", "a@xn--bcher-kva.ch",
        "\"quoted\"@x.com", "jöhn@x.com", "a@ab--c.com", f"{'a' * 65}@x.com", "a@x.c",
    ],
)  # fmt: skip
def test_the_plain_email_check_agrees_with_the_validator(address: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    from halcrm.domain.identity import _plain_ascii

    try:
        expected: str | None = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    fast = _plain_ascii(address)
    assert fast is None or fast == (expected or "").lower()
    if address in ("Jane.Doe@Acme.COM", "a+tag@sub.example.co", "x@a.io", "a@x.c"):
        assert fast == address.lower()  # the common case takes the fast path
