"""One end for the board's failed actions: they run as workers, and every error becomes a toast."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from textual.app import App
from textual.message_pump import MessagePump
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from halcrm.domain.errors import DomainError

log = logging.getLogger("halcrm.tui")

ACTIONS = "board-actions"  # the worker group whose errors end in ``report``

P = ParamSpec("P")
S = TypeVar("S", bound="HasApp")


class HasApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


def reason(error: BaseException) -> str:
    """The failure in words: a refusal's detail, or the database's own message."""
    if isinstance(error, DomainError):
        return error.detail
    # Looked up, not imported: the --connect board has no database and never loads SQLAlchemy
    # (an in-process board has loaded it before any action can fail on it).
    exc = sys.modules.get("sqlalchemy.exc")
    orig = getattr(error, "orig", None)
    if exc is not None and isinstance(error, exc.DBAPIError) and orig is not None:
        text = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
        return f"Not saved: the database answered “{text}”. Nothing changed."
    if isinstance(error, OSError) or (exc is not None and isinstance(error, exc.SQLAlchemyError)):
        return f"Not saved: {type(error).__name__}: {error}. Nothing changed."
    return f"Something went wrong: {type(error).__name__}: {error}"


def report(app: App[Any], error: BaseException) -> None:
    """Shows an action's failure as a toast (refusals as warnings, the rest as errors and in
    the log, with the traceback); the screen and the app stay as they were."""
    if isinstance(error, DomainError):
        app.notify(reason(error), severity="warning", timeout=5)
        return
    log.error("board action failed", exc_info=error)
    app.notify(reason(error), title="Error", severity="error", timeout=8)


def lock(app: App[Any]) -> asyncio.Lock:
    # One action at a time, in key order: two quick `L` presses move a card two columns, as
    # they did when actions ran inline in the message handler.
    lock: asyncio.Lock | None = getattr(app, "_halcrm_action_lock", None)
    if lock is None:
        lock = asyncio.Lock()
        app._halcrm_action_lock = lock  # type: ignore[attr-defined]
    return lock


def start(app: App[Any], work: Awaitable[object], name: str = "action") -> Worker[None]:
    """Runs ``work`` as one of the board's action workers (its error ends in ``report``)."""

    async def run() -> None:
        async with lock(app):
            await work

    return app.run_worker(run(), name=name, group=ACTIONS, exit_on_error=False)


def board_action(
    method: Callable[Concatenate[S, P], Coroutine[Any, Any, object]],
) -> Callable[Concatenate[S, P], None]:
    """Makes an async action or dialog callback run as an action worker."""

    @functools.wraps(method)
    def run(self: S, *args: P.args, **kwargs: P.kwargs) -> None:
        start(self.app, method(self, *args, **kwargs), method.__name__)

    return run


def on_worker_state_changed(app: App[Any], event: Worker.StateChanged) -> None:
    """The app's handler: an action worker that failed is reported, nothing else happens."""
    worker = event.worker
    if event.state is WorkerState.ERROR and worker.group == ACTIONS and worker.error is not None:
        report(app, worker.error)


def guarded(node: HasApp, callback: Callable[P, object]) -> Callable[P, Coroutine[Any, Any, None]]:
    """``callback`` as a timer or a signal may call it: an error ends in ``report`` (a toast),
    never in Textual's handler, which would end the app."""

    async def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            result = callback(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
        except Exception as error:
            report(node.app, error)

    return run


def every(node: MessagePump, seconds: float, callback: Callable[[], object]) -> Timer:
    """A repeating timer whose failures are reported as an action's are."""
    name = getattr(callback, "__name__", "timer")
    return node.set_interval(seconds, guarded(node, callback), name=name)


def later(node: MessagePump, seconds: float, callback: Callable[[], object]) -> Timer:
    """A one-shot timer whose failure is reported as an action's is."""
    name = getattr(callback, "__name__", "timer")
    return node.set_timer(seconds, guarded(node, callback), name=name)
