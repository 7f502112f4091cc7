"""Keeping the garbage collector's full passes short in a long-running halcrm process."""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Moves every object alive now (modules, the app, what start-up loaded) out of the garbage
    collector's sight.

    A started board holds some 200,000 tracked objects, most of them the libraries' and all of
    them kept for the session; every full collection walked them all, a pause of 100-150 ms on
    a move or a live batch, and the p99 of widget calls under `halcrm serve`. Frozen, a full
    collection walks only what was made since (a few ms). Collected first, so no garbage is
    frozen with them; ``gc.unfreeze()`` makes them collectable again.
    """
    gc.collect()
    gc.freeze()
