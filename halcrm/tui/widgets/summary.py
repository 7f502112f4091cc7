"""The pipeline summary line and the focus strip: figures the services computed, drawn as is."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from rich.markup import escape
from rich.text import Text
from textual.widgets import Static

from halcrm.domain.money import to_cents
from halcrm.services.board.records import FocusItem, PipelineSummary
from halcrm.tui.format import short_money, waited

STRIP_ITEMS = 3
# The summary line's forms, from the full one to the most compact (``_parts``).
LEVELS = 6
NAME_WIDTH = 22
# How each focus reason is marked (the words come from the services, in ``FocusItem.text``).
REASON_MARKS = {
    "waiting_reply": "✉ reply",
    "overdue_step": "⚑ overdue",
    "stage_hint": "↗ advance",
    "close_date_passed": "◷ close date",
    "widget_advanced": "↯ widget",
    "stalled": "◷ stalled",
    "no_next_step": "○ no step",
    "placeholder": "◌ placeholder",
}


def summary_text(summary: PipelineSummary, now: datetime, width: int | None = None) -> str:
    """``Open $… (staged) · weighted $… · won in Nov $… · ◷ stalled $… (N) · closing $…`` as
    console markup (closing: the open deals expected to close from today to the month's end),
    in the first form that fits ``width`` cells (None: the full one). Shorter forms drop the
    "(staged)" note, then shorten the labels, then drop the weighted and the won totals: the
    open, stalled and closing figures are what the founder acts on, and show at 80 columns."""
    for level in range(LEVELS):
        text = " · ".join(_parts(summary, now, level))
        if width is None or Text.from_markup(text).cell_len <= width:
            return text
    return text


def _parts(summary: PipelineSummary, now: datetime, level: int) -> list[str]:
    """The line's parts at a ``level`` of compactness (0: full)."""
    # Open counts the open stages only: a company with no stage is not in it, and says so.
    note = " [dim](staged)[/dim]" if level == 0 else ""
    parts = [f"Open [b]{short_money(summary.open_total_cents)}[/b]{note}"]
    if level < 4:
        label = "weighted" if level < 2 else "wtd"
        parts.append(f"{label} [b]{short_money(summary.weighted_total_cents)}[/b]")
    if level < 5:
        label = f"won in {now:%b}" if level < 2 else f"won {now:%b}"
        parts.append(f"{label} [b]{short_money(summary.won_this_month_cents)}[/b]")
    mark = "◷ stalled" if level < 3 else "◷"
    if summary.stalled_count:
        stalled = short_money(summary.stalled_value_cents)
        parts.append(f"[b $error]{mark} {stalled} ({summary.stalled_count})[/]")
    else:
        parts.append(f"{mark} $0")
    parts.append(f"closing [b]{short_money(summary.expected_this_month_cents)}[/b]")
    return parts


def fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` characters."""
    return text[: width - 1] + "…" if len(text) > width else text.ljust(width)


AGE = re.compile(r"\b\d+ (?:min|h|d)\b")
AMOUNT = re.compile(r"\$(\d[\d,]*(?:\.\d\d)?)")
TIMED = {"waiting_reply", "widget_advanced"}  # reasons whose words hold an age


def item_text(item: FocusItem, now: datetime | None) -> str:
    """The reason in words, its age as of ``now`` in the cards' own style ("5m", ``waited``)
    in the strip and the lane alike: the lane is read at most once a second, and an age must
    not go stale between reads."""
    # The services write amounts in full ("$9,000"): the board shows its one style ("$9k").
    text = AMOUNT.sub(lambda m: short_money(to_cents(m.group(1).replace(",", ""))), item.text)
    if now is None or item.reason not in TIMED:
        return text
    return AGE.sub(waited(item.since, now), text, count=1)


def focus_line(
    item: FocusItem,
    name_width: int = NAME_WIDTH,
    now: datetime | None = None,
    width: int | None = None,
) -> str:
    """One focus item: its mark, the company, the recommended action and the reason in words,
    in aligned columns, on one line of ``width`` cells when given."""
    room = None if width is None else width - MARK_CELLS - name_width - 1
    return f"{lead(item, name_width)} {action_text(item, now, room)}"


def lead(item: FocusItem, name_width: int) -> str:
    """A focus row's start, as markup: the reason's mark in its column, then the company."""
    mark = REASON_MARKS.get(item.reason, item.reason)
    name = escape(fit(item.company_name, name_width))
    return f"[b $warning]{mark:<{MARK_CELLS - 1}}[/] [b]{name}[/b]"


# Reasons whose label ends with the reason's age in brackets ("Reply to Jane Doe (waiting
# 3 h)", "Do “Call Jane” (2 d overdue)", "… expected close (passed 7 d ago)"): the reason's
# words would say it again. A wait and a lateness are said once, live (the label's age was
# counted when the lane was read); the others by the reason's words.
BRACKETED_REASONS = {"waiting_reply", "overdue_step", "close_date_passed"}
LATE = {"waiting_reply": "waiting {}", "overdue_step": "{} overdue"}
BRACKETED = re.compile(r"\s*\([^()]*\)$")
# A reason's mark column and its space; a label cut to fit keeps this much of itself.
MARK_CELLS = 14
MIN_LABEL = 12
# Actions whose label names the company its row names already ("Plan the next step for Acme
# Inc", "Move Acme Inc to Proposal", "Re-engage Acme Inc" when nobody was seen); a person's
# name in the others may contain it.
NAMING_THE_COMPANY = {"schedule_next_step", "advance_stage", "update_close_date", "re_engage"}


def action_text(item: FocusItem, now: datetime | None, room: int | None = None) -> str:
    """``→ Plan the next step · $9k in Lead, no next step`` as markup: the action's label
    first (what enter does in the lane), then the reason, dimmed; ``→ Reply to Jane Doe ·
    waiting 3h`` where the label names the reason. In ``room`` cells, a wait or a lateness
    stays in sight: the label before it is cut instead."""
    label = short_label(item)
    if not label:
        return escape(item_text(item, now))
    late = LATE.get(item.reason)
    if late is None:
        words = item_text(item, now)
    elif now is None:
        words = ""
    else:
        words = late.format(waited(item.since, now))
    if item.reason in BRACKETED_REASONS and words:
        label = BRACKETED.sub("", label)
    if room is not None and late is not None and words:
        most = max(MIN_LABEL, room - len(words) - len("→  · "))
        label = label if len(label) <= most else label[: most - 1] + "…"
    action = f"[b $accent]→ {escape(label)}[/]"
    return f"{action} [dim]· {escape(words)}[/dim]" if words else action


def short_label(item: FocusItem) -> str:
    """The action's label without the company's name, which its row shows: "Plan the next
    step", "Move it to Proposal", "Update its expected close"."""
    label, name = item.action.label, item.company_name
    if item.action.kind not in NAMING_THE_COMPANY or not name:
        return label
    label = label.removesuffix(f" for {name}")
    if item.action.kind == "re_engage":  # "Re-engage" says it whole where the row names whom
        return label.removesuffix(f" {name}")
    return label.replace(f"{name}'s", "its").replace(name, "it")


class SummaryLine(Static):
    """Open total, weighted total, won this month, stalled value and this month's closing, one
    line in the form its width holds."""

    DEFAULT_CSS = """
    SummaryLine { height: 1; padding: 0 1; background: $boost; color: $text-muted; }
    """

    figures: tuple[PipelineSummary, datetime] | None = None

    def show(self, summary: PipelineSummary, now: datetime) -> None:
        """Draws the figures (read at ``now``) in the form that fits."""
        self.figures = (summary, now)
        self.redraw()

    def redraw(self) -> None:
        if self.figures is None:
            return
        width = self.content_size.width or None  # not laid out yet: the full form
        text = summary_text(*self.figures, width)
        if text != self.content:
            self.update(text, layout=False)

    def on_resize(self) -> None:
        self.redraw()


class FocusStrip(Static):
    """The top few focus-lane items over the board (`f` hides it, `F` opens the full lane)."""

    DEFAULT_CSS = """
    FocusStrip {
        height: auto; max-height: 5; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
        width: 100%;
        border-top: hkey $warning; border-title-color: $warning;
    }
    /* As tall as a full strip (its border line and STRIP_ITEMS lines) until the lane is read:
       the board does not move down when it arrives. */
    FocusStrip.-loading { min-height: 4; }
    """

    items: Sequence[FocusItem] = ()
    lane_key = "F"  # the key that opens the whole lane, as the user has it (remaps)
    clock: Callable[[], datetime] | None = None
    # Until the lane's first read it is not yet known whether anything needs the user.
    DEFAULT_CLASSES = "-loading"

    @property
    def loaded(self) -> bool:
        return not self.has_class("-loading")

    def show(self, items: Sequence[FocusItem]) -> None:
        """Draws the first items (or says the lane is clear)."""
        self.items = items
        self.remove_class("-loading")
        self.redraw()

    def redraw(self) -> None:
        """Draws the items shown again (their ages move on; the width may have changed)."""
        items = self.items
        title = (
            f"Focus ({len(items)})  {self.lane_key}: all, act on them" if self.loaded else "Focus"
        )
        if title != self.border_title:
            self.border_title = title
        # Narrow screens give the reason more room than the name.
        width = max(12, min(NAME_WIDTH, self.size.width // 4)) if self.size.width else NAME_WIDTH
        now = self.clock() if self.clock else None
        room = self.content_size.width or None
        lines = [focus_line(item, width, now, room) for item in items[:STRIP_ITEMS]]
        if not self.loaded:
            # As tall as a full strip, so the board does not move down when the lane arrives.
            text = "[dim]Reading what needs you…[/dim]"
        else:
            text = "\n".join(lines) or "[dim]Nothing needs you right now.[/dim]"
        if text != self.content:
            # The strip's height follows its line count: only a new count needs a layout
            # (a layout repaints the whole screen, and figures are re-read after every move).
            self.update(text, layout=self.content_size.height != text.count("\n") + 1)

    def on_resize(self) -> None:
        self.redraw()
