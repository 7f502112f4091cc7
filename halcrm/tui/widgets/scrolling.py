"""Line-API lists whose length changes often: new scroll bounds without a screen layout."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> bool:
    """Gives ``view`` a new virtual size; answers whether it changed.

    ``virtual_size`` is a layout reactive: assigning it lays out the whole screen and repaints
    every widget on it. A list whose own size is fixed by its CSS only needs new scroll bounds,
    so the size is set quietly and the scrollbar updated, as Textual's ``OptionList`` does. A
    scrollbar appearing or going still lays out (``show_vertical_scrollbar`` is a layout
    reactive), which is rare. The caller repaints the lines that changed.
    """
    old = view.virtual_size
    if old == size:
        return False
    view.set_reactive(Widget.virtual_size, size)
    if _same_thumb(view, old.height, size.height):
        # A card more or less in a long column moves the thumb by less than a cell: the
        # scrollbar takes the new bounds without a repaint (a repaint costs as much as the
        # column's cards).
        view.vertical_scrollbar.set_reactive(ScrollBar.window_virtual_size, size.height)
    else:
        view._scroll_update(size)
    return True


def _same_thumb(view: ScrollView, old: int, new: int) -> bool:
    """Whether the vertical scrollbar stays shown, the scroll position stays in bounds, and
    the scrollbar draws the same cells for a virtual height of ``new`` as of ``old``."""
    if not view.show_vertical_scrollbar or view.show_horizontal_scrollbar:
        return False
    window = view.container_size.height
    if new <= window or view.scroll_y > new - window:
        return False
    bar = view.vertical_scrollbar

    def cells(virtual: int) -> object:
        # The geometry ScrollBar.render draws (colours aside), from Textual's own renderer.
        shown = bar.window_size if bar.window_size < virtual else 0
        drawn = ScrollBarRender.render_bar(
            size=bar.size.height, virtual_size=virtual, window_size=shown, position=bar.position
        )
        return drawn.segments

    return bool(bar.size.height) and cells(old) == cells(new)
