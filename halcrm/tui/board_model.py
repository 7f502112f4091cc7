"""The board's state as plain Python lists: stages, cards by column, the text filter, totals."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from halcrm.domain.due import zone
from halcrm.domain.search import fold, terms
from halcrm.domain.stages import StageInfo
from halcrm.services.board.records import Card

# The column key of companies without a stage (stage ids are never empty).
UNSTAGED = ""


@dataclass(slots=True)
class ColumnTotals:
    count: int = 0
    cents: int = 0


class BoardModel:
    """Cards grouped into sorted columns (by name), kept in step one card at a time.

    Columns hold only the ids that pass the filter, ordered by ``(name, id)`` (stalled first,
    longest stalled on top, when ``stalled_first``) so a card is found and inserted by
    bisection: a signal touching one card costs O(log n) plus a list shift, never a rebuild of
    a 50k column.

    It also notes, per column, the first row a change touched since the view last asked
    (``take_changes``): rows above it are drawn as before, so a move repaints two columns from
    the rows it touched down, not the whole board.
    """

    def __init__(
        self, stages: Iterable[StageInfo], cards: Iterable[Card], time_zone: str = "UTC"
    ) -> None:
        # The project's zone: the cards' next-step marks count days in it.
        self.tz = zone(time_zone)
        self.stages: list[StageInfo] = sorted(stages, key=lambda s: s.position)
        self.cards: dict[str, Card] = {card.id: card for card in cards}
        self.filter_text = ""
        self._terms: tuple[str, ...] = ()
        self.stalled_first = False
        self.stalled_only = False
        self.columns: dict[str, list[str]] = {}
        self.totals: dict[str, ColumnTotals] = {}
        self._changed: dict[str, int] = {}
        self.rebuild()

    @property
    def keys(self) -> list[str]:
        """Column keys in display order: Unstaged first, then the stages by position."""
        return [UNSTAGED, *(s.id for s in self.stages)]

    def title(self, key: str) -> str:
        return self.stage(key).name if key else "Unstaged"

    def stage(self, key: str) -> StageInfo:
        return next(s for s in self.stages if s.id == key)

    @staticmethod
    def column_of(card: Card) -> str:
        return card.stage_id or UNSTAGED

    def _key(self, card_id: str) -> tuple[int, str, str]:
        card = self.cards[card_id]
        first = -card.stalled_days if self.stalled_first else 0
        return (first, card.name.casefold(), card_id)

    def matches(self, card: Card) -> bool:
        if self.stalled_only and not card.stalled_days:
            return False
        if not self._terms:
            return True
        text = card.search or fold(card.name)
        return all(term in text for term in self._terms)

    @property
    def filtered(self) -> bool:
        """Whether some cards are hidden (then the column figures are of the visible ones)."""
        return bool(self.filter_text) or self.stalled_only

    def rebuild(self) -> None:
        """Recomputes every column from the cards (start, new filter, stages changed)."""
        self.columns = {key: [] for key in self.keys}
        self.totals = {key: ColumnTotals() for key in self.keys}
        for card in self.cards.values():
            key = self.column_of(card)
            if key not in self.columns or not self.matches(card):
                continue
            self.columns[key].append(card.id)
            self._count(key, card, 1)
        for ids in self.columns.values():
            ids.sort(key=self._key)
        self._changed = dict.fromkeys(self.columns, 0)

    def take_changes(self) -> dict[str, int]:
        """Column key -> first row changed (rows below it may have shifted, and the column's
        totals may differ) since the last call; every column from row 0 after a rebuild."""
        changed, self._changed = self._changed, {}
        return changed

    def _touch(self, key: str, row: int) -> None:
        seen = self._changed.get(key)
        if seen is None or row < seen:
            self._changed[key] = row

    def set_filter(self, text: str) -> None:
        self.filter_text = fold(text.strip())
        self._terms = terms(self.filter_text)
        self.rebuild()

    def set_view(self, *, stalled_first: bool, stalled_only: bool) -> None:
        """Sorts stalled cards first and/or shows only stalled cards (stalling is the card's
        ``stalled_days``, computed by the services)."""
        self.stalled_first, self.stalled_only = stalled_first, stalled_only
        self.rebuild()

    def key_of(self, ref: str) -> str | None:
        """The column key of a stage named or identified by ``ref`` (config files use either)."""
        folded = ref.strip().casefold()
        if folded == "unstaged":
            return UNSTAGED
        for stage in self.stages:
            if folded in (stage.id.casefold(), stage.name.casefold()):
                return stage.id
        return None

    def is_closed(self, key: str) -> bool:
        return bool(key) and self.stage(key).is_closed

    def index_of(self, key: str, card_id: str) -> int | None:
        """Where ``card_id`` sits in column ``key`` (None when absent or filtered out)."""
        ids = self.columns.get(key)
        if ids is None or card_id not in self.cards:
            return None
        at = bisect.bisect_left(ids, self._key(card_id), key=self._key)
        return at if at < len(ids) and ids[at] == card_id else None

    def upsert(self, card: Card) -> None:
        """Puts a new or changed card in its place."""
        self.remove(card.id)
        self.cards[card.id] = card
        key = self.column_of(card)
        if key in self.columns and self.matches(card):
            ids = self.columns[key]
            at = bisect.bisect_right(ids, self._key(card.id), key=self._key)
            ids.insert(at, card.id)
            self._touch(key, at)
            self._count(key, card, 1)

    def remove(self, card_id: str) -> None:
        old = self.cards.get(card_id)
        if old is None:
            return
        key = self.column_of(old)
        at = self.index_of(key, card_id)
        if at is not None:
            del self.columns[key][at]
            self._touch(key, at)
            self._count(key, old, -1)
        del self.cards[card_id]

    def _count(self, key: str, card: Card, sign: int) -> None:
        totals = self.totals[key]
        totals.count += sign
        totals.cents += sign * (card.deal_value_cents or 0)

    def visible(self) -> int:
        return sum(t.count for t in self.totals.values())
