"""``make bench`` writes its table into ``docs/performance.md`` itself.

Only the part between the two markers is the bench's: the hand-written explanation around it
(how the figures are taken, what they say) survives every run, so a round's table is never
pasted by hand again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

START = "<!-- make bench writes from here: edit outside the markers -->"
END = "<!-- make bench writes up to here -->"

PAGE = "docs/performance.md"


def block(header: str, table: str, when: datetime) -> str:
    """The generated part: when and where it was measured, then the Markdown table."""
    day = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{START}\n\nWritten by `make bench` on {day}: {header}.\n\n{table}\n\n{END}"


def updated(page: str, header: str, table: str, when: datetime) -> str:
    """``page`` with its generated part replaced, or appended when it has none yet."""
    fresh = block(header, table, when)
    start = page.find(START)
    end = page.find(END, start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        return page.rstrip("\n") + "\n\n" + fresh + "\n"
    return page[:start] + fresh + page[end + len(END) :]


def write(path: Path, header: str, table: str, when: datetime | None = None) -> None:
    """Rewrites the bench's part of the page at ``path`` (made with a title when missing)."""
    page = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    text = updated(page, header, table, when or datetime.now(UTC))
    # Written beside and renamed, so an interrupted write never leaves half a page.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
