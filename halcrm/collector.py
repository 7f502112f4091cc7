"""Keeping the garbage collector's full passes short in a long-running halcrm process."""

from __future__ import annotations

import gc


def pause_for_start() -> None:
    """Turns the collector off while a server starts; ``freeze_long_lived`` turns it back on.

    A start creates some 100,000 long-lived objects (modules, classes, the app) and almost no
    garbage: the collections it triggered walked them again and again for nothing, a tenth of
    the start. Measured: 630 unreachable objects are left after ``import halcrm.cli.serve``.
    """
    gc.disable()


def freeze_long_lived() -> None:
    """Moves every object alive now (modules, the app, what start-up loaded) out of the garbage
    collector's sight, and turns the collector on.

    A started board holds some 200,000 tracked objects, most of them the libraries' and all of
    them kept for the session; every full collection walked them all, a pause of 100-150 ms on
    a move or a live batch, and the p99 of widget calls under `halcrm serve`. Frozen, a full
    collection walks only what was made since (a few ms). Collected first, so no garbage is
    frozen with them (``gc.unfreeze()`` makes them collectable again); but not after a start
    with the collector paused (``pause_for_start``): its few hundred unreachable objects are
    not worth a full pass before the first answer.
    """
    if gc.isenabled():
        gc.collect()
    gc.freeze()
    gc.enable()
