"""``GET /api/board/forecast``: open deals by expected close month, exact to the cent, and the
summary's expected total for this month (FIXED_NOW: 2026-11-27 12:00 UTC)."""

from __future__ import annotations

from halcrm.services.container import Services
from tests.services.tasks.conftest import Api, company

DEALS = [
    # id, stage, value, expected close
    ("a", "Proposal", 10.01, "2026-11-30"),  # 50 %: 5.005
    ("b", "Qualified", 0.03, "2026-11-28"),  # 25 %: 0.0075 -> with a: 5.0125 -> 5.01
    ("today", "Lead", 1, "2026-11-27"),  # 10 %: today is not passed (UTC)
    ("c", "Negotiation", 1234.56, "2026-12-15"),  # 75 %: 925.92
    ("i", "Proposal", None, "2026-12-01"),  # counted, worth 0
    ("d", "Lead", 99.99, "2027-01-31"),  # 10 %: 9.999 -> 10
    ("e", "Lead", 5, "2027-02-01"),  # beyond three months
    ("f", "Proposal", 100, "2026-11-26"),  # overdue
    ("g", "Qualified", 0.01, None),  # undated: 0.0025 -> 0
    ("won", "Won", 777, "2026-11-29"),  # closed: not forecast
]


async def _seed(api: Api) -> None:
    for cid, stage, value, close in DEALS:
        await company(api, cid, stage=stage, deal_value=value, expected_close=close)


async def test_the_forecast_is_exact_to_the_cent(api: Api, services: Services) -> None:
    await _seed(api)
    forecast = await api("GET", "/api/board/forecast")
    assert forecast["months"] == [
        {"month": "2026-11", "count": 3, "total": 11.04, "weighted": 5.11},
        {"month": "2026-12", "count": 2, "total": 1234.56, "weighted": 925.92},
        {"month": "2027-01", "count": 1, "total": 99.99, "weighted": 10},
    ]
    assert forecast["overdue"] == {"count": 1, "total": 100, "weighted": 50}
    assert forecast["undated"] == {"count": 1, "total": 0.01, "weighted": 0}
    four = await api("GET", "/api/board/forecast", months=4)
    assert four["months"][3] == {"month": "2027-02", "count": 1, "total": 5, "weighted": 0.5}
    assert (await api("GET", "/api/board/forecast", months=1))["months"][0]["month"] == "2026-11"
    for bad in (0, 13):
        answer = await api("GET", "/api/board/forecast", expect=400, months=bad)
        assert answer["error"] == "invalid_request"
    summary = await services.board.summary()
    assert (summary.expected_this_month_count, summary.expected_this_month_cents) == (3, 1104)


async def test_months_and_overdue_follow_the_project_zone(api: Api) -> None:
    await _seed(api)
    # In Kiritimati it is already 28 November: the deal expected on the 27th has passed.
    await api("PATCH", "/api/project", {"time_zone": "Pacific/Kiritimati"})
    forecast = await api("GET", "/api/board/forecast")
    assert forecast["today"] == "2026-11-28"
    assert forecast["months"][0] == {
        "month": "2026-11",
        "count": 2,
        "total": 10.04,
        "weighted": 5.01,
    }
    assert forecast["overdue"] == {"count": 2, "total": 101, "weighted": 50.1}
