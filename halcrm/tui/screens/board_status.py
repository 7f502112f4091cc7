"""The board's status line: server, companies shown, view, filter, columns off-screen."""

from __future__ import annotations

from collections.abc import Callable

from halcrm.domain.words import count
from halcrm.embed import playground_url
from halcrm.tui.widgets.board import BoardView


def status_line(
    board: BoardView,
    state: str,
    server_url: str | None,
    project: str | None,
    notes: tuple[str, ...],
    width: int,
) -> str:
    """One line that fits ``width`` (the playground path, then the server's address, give way
    on a narrow screen); ``notes`` are the parts shown only sometimes (a failing webhook,
    conversations waiting), empty when not."""
    up = state in ("", "serving", "connected")
    model = board.model
    tail = [count(model.visible(), "company")]
    tail.extend(note for note in notes if note)
    if project:
        tail.insert(0, f"project {project}")
    if model.stalled_only:
        tail.append("stalled only")
    elif model.stalled_first:
        tail.append("stalled first")
    if model.filter_text:
        tail.append(f"filter “{model.filter_text}”")
    left, right = board.off_screen()
    if left or right:
        # The columns the board scrolled past, on either side (the scrollbar is thin).
        tail.append(" ".join(t for t in (f"◀ {left}" if left else "", f"{right} ▶") if t))
    if server_url is None:
        heads = ["○ no server"]
    else:
        head = f"{'●' if up else '✖'} {state or 'serving'}"
        heads = [f"{head} {server_url}", head]
        if up:
            heads.insert(0, f"{heads[0]} (playground {playground_url('')})")
    line = ""
    for head in heads:
        line = "  ·  ".join([head, *tail])
        if len(line) <= width:
            break
    return line


def empty_hint(key: Callable[[str, str], str], server_url: str | None) -> str:
    """What an empty board says: how a company gets here, by hand, from a file, or from the
    website."""
    lines = [
        "[b]No company yet.[/b]",
        f"  [b]{key('board.new', 'n')}[/b]  adds one here (ctrl+p, then “New”, too)",
        "  [b]halcrm import companies.csv[/b]  brings a CSV file (HubSpot, Pipedrive, your own)",
    ]
    if server_url is not None:
        lines.append(
            "  [b]halcrm snippet[/b]  prints the website widget's snippet: companies come as "
            f"visitors identify (try it: {playground_url(server_url)})"
        )
    else:
        lines.append("  [b]halcrm snippet[/b]  prints the website widget's snippet")
    lines.append(f"  [b]{key('app.help', '?')}[/b]  lists every key")
    return "\n".join(lines)
