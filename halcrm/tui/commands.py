"""Command palette: every board action, "jump to company <name>", "move <company> to <stage>"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from halcrm.tui.screens.board import BoardScreen

# Enough to find a company by typing part of its name; a 50k board must not stall a keystroke.
MAX_COMPANY_HITS = 40
WORDS = {"jump", "to", "company", "move", "go", "open"}


class BoardCommands(Provider):
    """Commands of the board screen, namespaced ``Board:`` like the footer's actions."""

    @property
    def board_screen(self) -> BoardScreen | None:
        from halcrm.tui.screens.board import BoardScreen

        return self.screen if isinstance(self.screen, BoardScreen) else None

    def _actions(self) -> list[tuple[str, str, Callable[[], Any]]]:
        screen = self.board_screen
        if screen is None:
            return []
        found: list[tuple[str, str, Callable[[], Any]]] = []
        # The keys in force: the config file may have remapped a binding by its id.
        keymap: dict[str, str] = getattr(screen.app, "keymap", {})
        for binding in screen.BINDINGS:
            if isinstance(binding, tuple) or not binding.description:
                continue
            action = partial(screen.run_action, binding.action)
            keys = keymap.get(binding.id or "", binding.key)
            found.append((f"Board: {binding.description}", f"key {keys}", action))
        found.append(("Board: Show all keys", "key ?", partial(screen.app.run_action, "help")))
        found.append(("Board: Show the log", "key ctrl+l", partial(screen.app.run_action, "logs")))
        return found

    async def discover(self) -> Hits:
        for title, help_text, callback in self._actions():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._actions():
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
        async for hit in self._company_hits(query):
            yield hit

    async def _company_hits(self, query: str) -> AsyncIterator[Hit]:
        screen = self.board_screen
        if screen is None:
            return
        model = screen.board.model
        words = [w for w in query.casefold().split() if w not in WORDS]
        if not words:
            return
        matcher = self.matcher(query)
        wants_move = query.casefold().lstrip().startswith("move")
        shown = 0
        for card in model.cards.values():
            name = card.name.casefold()
            if not any(word in name for word in words):
                continue
            shown += 1
            if shown > MAX_COMPANY_HITS:
                return
            title = f"Jump to company {card.name}"
            score = matcher.match(title)
            if score > 0 and not wants_move:
                yield Hit(score, matcher.highlight(title), partial(screen.jump_to, card.id))
            for stage in model.stages:
                if stage.id == card.stage_id:
                    continue
                title = f"Move {card.name} to {stage.name}"
                score = matcher.match(title)
                if score > 0:
                    move = partial(screen.moves.move_to, card.id, stage.id)
                    yield Hit(score, matcher.highlight(title), move)
