"""The bench harness's pure parts: statistics, wrk output parsing, bodies, bars and the table."""

from __future__ import annotations

import pytest

from bench.board import growth_row
from bench.load import Load, expand
from bench.pyload import parse_head
from bench.stats import median, percentile, ratio
from bench.streams import MIXED
from bench.table import Bar, Row, format_table, judged, ms, note, times
from bench.wrk import parse_wrk

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:40000/api/widget/identify
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.10ms    3.20ms  40.00ms   80.00%
  9000 requests in 3.00s, 2.10MB read
Requests/sec:   3000.00
BENCH requests=9000 duration_us=3000000 p50_us=11500 p99_us=38000 connect=0 read=0 write=0 \
status=7 timeout=2
"""


def test_median_of_odd_and_even_counts() -> None:
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    with pytest.raises(ValueError, match="no values"):
        median([])


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="not in"):
        percentile(values, 0)


def test_ratio_without_reference_is_none() -> None:
    assert ratio(50, 200) == 0.25
    assert ratio(50, 0) is None


def test_wrk_line_parsed_into_rate_latency_and_failures() -> None:
    result = parse_wrk(WRK_OUTPUT.replace("\\\n", ""))
    assert result.requests == 9000
    assert result.rps == pytest.approx(3000)
    assert result.p50 == pytest.approx(0.0115)
    assert result.p99 == pytest.approx(0.038)
    assert result.errors == 9


def test_wrk_output_without_the_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="no BENCH line"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_bodies_are_unique_and_cycle_the_pool_and_stages() -> None:
    load = Load("set-stage", "/x", '{"v":"r-{p}","n":{n},"s":"{stage}","t":"{tag}","k":"{x}"}', 2)
    bodies = [expand(load.template, "t1", n, load.pool) for n in range(5)]
    assert bodies[0] == '{"v":"r-0","n":0,"s":"Lead","t":"t1","k":"{x}"}'
    assert bodies[3] == '{"v":"r-1","n":3,"s":"Qualified","t":"t1","k":"{x}"}'
    assert len(set(bodies)) == 5


def test_bar_marks_must_and_aim_both_ways() -> None:
    lower = Bar(100, 25, higher_is_better=False, unit=" ms")
    assert lower.mark(20) == "PASS (aim)"
    assert lower.mark(60) == "PASS"
    assert lower.mark(101) == "FAIL"
    assert lower.mark(None) == "n/a"
    higher = Bar(0.15, 0.5, higher_is_better=True)
    assert higher.mark(0.2) == "PASS"
    assert higher.text(0.15) == "≥ 0.15"
    assert lower.text(25) == "≤ 25 ms"


def test_table_is_aligned_markdown_with_marks() -> None:
    bar = Bar(1.5, 0.5, higher_is_better=False, unit=" s")
    rows = [
        judged(Row("start-up", "0.9 s"), bar, 0.9),
        Row("HTTP identify, 32 conn", "1,000 req/s", ms(0.0123), ms(0.250), times(0.5)),
        note("board first paint", "not measured yet: the board is not merged"),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].startswith("| figure")
    assert set(lines[1]) <= {"|", "-"}
    assert len({len(line) for line in lines}) == 1
    assert "| ≤ 1.5 s" in lines[2]
    assert "PASS" in lines[2]
    assert "12.3 ms" in lines[3]
    assert "250 ms" in lines[3]
    assert "0.50x" in lines[3]
    assert "board first paint: not measured yet" in lines[4]


def test_response_head_gives_status_and_length() -> None:
    head = b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nContent-Length: 42\r\n\r\n"
    assert parse_head(head) == (201, 42)


def test_growth_is_judged_against_the_growth_in_companies() -> None:
    linear = growth_row("first paint", {1_000: 0.1, 10_000: 0.5, 50_000: 1.5})
    assert linear.median == "5.00x → 3.00x"
    assert linear.must == "≤ 10x → 5x (linear)"
    assert linear.mark == "PASS"
    worse = growth_row("move", {1_000: 0.001, 10_000: 0.02, 50_000: 0.05})
    assert worse.mark == "FAIL"


def test_the_mixed_load_cycles_every_widget_route() -> None:
    """Request n goes to route n mod 7, its path and body from the same placeholders; every
    widget write of the app is in the mix (and the chat's history read)."""
    from halcrm.server.app import ServerConfig, create_app

    app = create_app(None, ServerConfig(account_token="t" * 30))  # type: ignore[arg-type]
    writes = {
        route.path
        for route in app.routes
        if route.path.startswith("/api/widget/") and "POST" in getattr(route, "methods", ())
    }
    mixed = {path.partition("?")[0] for path, _ in MIXED.mix}
    assert writes <= mixed
    requests = [MIXED.request("t1", n) for n in range(8)]
    assert requests[0][0] == "/api/widget/identify"
    assert requests[7][0] == "/api/widget/identify"
    assert requests[6] == ("/api/widget/chat/messages?project_id=local&visitor_id=m-6", None)
    assert requests[5][1] == b'{"project_id":"local","visitor_id":"c-t1-5","body":"hello 5"}'
