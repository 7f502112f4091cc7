"""Line-API lists whose length changes often: new scroll bounds without a screen layout."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> bool:
    """Gives ``view`` a new virtual size; answers whether it changed.

    ``virtual_size`` is a layout reactive: assigning it lays out the whole screen and repaints
    every widget on it. A list whose own size is fixed by its CSS only needs new scroll bounds,
    so the size is set quietly and the scrollbar updated, as Textual's ``OptionList`` does. A
    scrollbar appearing or going still lays out (``show_vertical_scrollbar`` is a layout
    reactive), which is rare. The caller repaints the lines that changed.
    """
    if view.virtual_size == size:
        return False
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)
    return True
