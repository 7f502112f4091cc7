"""The forecast (`V`): open deals by expected close — overdue, each coming month, undated — as
bars you read at a glance, each with its count, total and weighted value (API.md, "Expected
close and forecast"). The figures are the forecast service's; this screen only draws them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from halcrm.services.board.records import ForecastBucket, ForecastMonth, ForecastRecord
from halcrm.tui.format import compact_money

# Label, count, total and weighted columns beside the bar.
LABEL, COUNT, MONEY = 9, 4, 8


def month_label(month: str) -> str:
    """``2026-12`` as ``Dec 2026``."""
    try:
        return date.fromisoformat(f"{month}-01").strftime("%b %Y")
    except ValueError:
        return month


def rows(forecast: ForecastRecord) -> list[tuple[str, ForecastBucket | ForecastMonth]]:
    return [
        ("Overdue", forecast.overdue),
        *((month_label(m.month), m) for m in forecast.months),
        ("Undated", forecast.undated),
    ]


def bar_lines(forecast: ForecastRecord, width: int) -> list[str]:
    """One line a bucket: label, a bar as long as its total against the largest (the weighted
    part solid, the rest shaded), count, total, weighted; then the sums."""
    buckets = rows(forecast)
    room = max(4, width - LABEL - COUNT - 2 * MONEY - 6)
    top = max((float(b.total) for _, b in buckets), default=0.0) or 1.0
    lines = []
    for label, bucket in buckets:
        full = round(room * float(bucket.total) / top)
        solid = min(full, round(room * float(bucket.weighted) / top))
        bar = "█" * solid + "▒" * (full - solid)
        style = "$error" if label == "Overdue" and bucket.count else "$accent"
        lines.append(
            f"{label:<{LABEL}} [{style}]{bar:<{room}}[/] {bucket.count:>{COUNT}} "
            f"{compact_money(bucket.total) or '$0':>{MONEY}} "
            f"[dim]w[/dim] {compact_money(bucket.weighted) or '$0':>{MONEY}}"
        )
    count = sum(b.count for _, b in buckets)
    total = sum(Decimal(str(b.total)) for _, b in buckets)
    weighted = sum(Decimal(str(b.weighted)) for _, b in buckets)
    lines.append(
        f"[b]{'Total':<{LABEL}} {'':<{room}} {count:>{COUNT}} "
        f"{compact_money(total) or '$0':>{MONEY}} [dim]w[/dim] "
        f"{compact_money(weighted) or '$0':>{MONEY}}[/b]"
    )
    return lines


class ForecastScreen(Screen[None]):
    """The bars, redrawn to the screen's width; escape (or `V`) goes back."""

    BINDINGS = [Binding("escape,V", "back", "Back", id="forecast.back")]

    DEFAULT_CSS = """
    ForecastScreen #title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ForecastScreen #bars { padding: 1 1; }
    ForecastScreen #legend { padding: 0 1; color: $text-muted; }
    """

    def __init__(self, forecast: ForecastRecord) -> None:
        super().__init__()
        self.forecast = forecast

    def compose(self) -> ComposeResult:
        yield Static(
            f"Forecast ({self.forecast.time_zone}): open deals by expected close", id="title"
        )
        with VerticalScroll():
            yield Static(id="bars")
            yield Static(
                "█ weighted (value by the stage's odds)  ▒ the rest of the value  "
                "· e on a card sets its expected close",
                id="legend",
            )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.draw()

    def on_resize(self) -> None:
        self.draw()

    def draw(self) -> None:
        width = max(40, self.size.width - 2)
        self.query_one("#bars", Static).update("\n".join(bar_lines(self.forecast, width)))

    def action_back(self) -> None:
        self.dismiss(None)
