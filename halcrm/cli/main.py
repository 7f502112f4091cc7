"""The ``halcrm`` command line."""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import NoReturn

from halcrm import __version__
from halcrm.cli.flags import given_only, store_flags
from halcrm.settings import Settings

# The commands that start a server (``board`` is also the default).
STARTS = ("serve", "board")
# The module that adds each other command's parser, and its function that does (``data`` adds
# its four commands, ``signal`` its two). A line is read by a parser of its command alone:
# building all 30 commands' parsers, and importing the modules behind them, was a fiftieth of
# a server's start and most of a quick command's parse (tests/cli keep this list whole).
ADDED_BY = {
    "snippet": "signal",
    "signal": "signal",
    "api-key": "keys",
    "project": "project",
    "import": "data",
    "export": "data",
    "backup": "data",
    "restore": "data",
    "login": "login",
    "webhooks": "webhooks",
}
_ADDERS = {
    "signal": "register",
    "keys": "add_commands",
    "project": "add_commands",
    "data": "register",
    "login": "register",
    "webhooks": "add_commands",
}


def _server_flags(parser: argparse.ArgumentParser, *, sub: bool = False) -> None:
    """The flags every server command takes; ``sub``: a command's own copy (``cli/flags.py``)."""
    kept = given_only(sub)
    parser.add_argument(
        "--host", help="address to listen on (default 127.0.0.1; HALCRM_HOST)", **kept
    )
    parser.add_argument(
        "--port", type=int, help="port to listen on (default 8765; HALCRM_PORT)", **kept
    )
    store_flags(parser, sub=sub)


def _board_flags(parser: argparse.ArgumentParser, *, sub: bool = False) -> None:
    kept = given_only(sub)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="seed demo data when the database has no company yet",
        **kept,
    )
    parser.add_argument(
        "--connect",
        metavar="URL",
        help="attach to a running halcrm at URL instead of opening a database here",
        **kept,
    )
    parser.add_argument(
        "--token",
        help="its account token (else HALCRM_ACCOUNT_TOKEN, else the one `halcrm login` kept)",
        **kept,
    )


class _Refused(Exception):
    """A line the parser of its command alone does not take as it is."""


class _OneCommandParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Refused(message)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (``only``: a command) its flags and that command's alone
    (with the siblings its module adds), a parser that raises ``_Refused`` where the whole
    one would print an error."""
    parser = (argparse.ArgumentParser if only is None else _OneCommandParser)(
        prog="halcrm",
        description="A keyboard-driven CRM pipeline board with its HTTP server in one process.",
    )
    parser.add_argument("--version", action="version", version=f"halcrm {__version__}")
    _server_flags(parser)
    _board_flags(parser)
    commands = parser.add_subparsers(dest="command")
    if only in (None, "board"):
        board = commands.add_parser("board", help="the board and the server (the default)")
        _server_flags(board, sub=True)
        _board_flags(board, sub=True)
    if only in (None, "serve"):
        serve = commands.add_parser("serve", help="the HTTP server alone, headless")
        _server_flags(serve, sub=True)
        serve.add_argument(
            "--workers",
            type=int,
            default=1,
            help="server processes on one address (PostgreSQL only; default 1)",
        )
        serve.add_argument(
            "--demo",
            action="store_true",
            help="seed demo data when the database has no company yet (to try a board on it)",
            **given_only(sub=True),
        )
    if only in (None, "token"):
        token = commands.add_parser("token", help="print the account API token")
        # The flags serve takes, so a serve command line with `token` in its place works.
        _server_flags(token, sub=True)
    for module, adder in _ADDERS.items():
        if only is None or ADDED_BY.get(only) == module:
            getattr(import_module(f"halcrm.cli.{module}"), adder)(commands)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` (default: this process's) read as the whole parser reads it: by the parser of
    its command alone, unless that parser refuses it, so every error message is the whole
    parser's (the help of one command is the same in both)."""
    line = list(sys.argv[1:] if argv is None else argv)
    command = line[0] if line else "board"
    if command in (*STARTS, "token", *ADDED_BY):
        try:
            return build_parser(only=command).parse_args(line)
        except _Refused:
            pass
    return build_parser().parse_args(line)


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        db=getattr(args, "db", None),
        project_id=getattr(args, "project_id", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = settings_from(args)
    except ValueError as exc:
        print(f"halcrm: {exc}", file=sys.stderr)
        return 2
    command = args.command or "board"
    if command not in STARTS:
        return _run_command(command, args, settings)
    if command == "board":
        url = getattr(args, "connect", None)
        if url:
            from halcrm.cli.login import with_scheme

            return _connect(args, settings, with_scheme(url))
    from halcrm.cli.db_check import database_problem
    from halcrm.logs import setup_logging

    problem = database_problem(settings.db)
    if problem is not None:
        print(f"halcrm: {problem}", file=sys.stderr)
        return 1
    demo = bool(getattr(args, "demo", False))
    if command == "serve":
        setup_logging(settings.log_file, to_stderr=True)
        workers = int(getattr(args, "workers", 1) or 1)
        if workers != 1:
            from halcrm.cli.workers import serve_workers

            return serve_workers(settings, workers, demo=demo)
        from halcrm.collector import pause_for_start

        # Before the heavy imports; on again once serving (cli/serve.py).
        pause_for_start()
        from halcrm.cli.serve import serve

        return _run(serve(settings, demo=demo), settings)
    from halcrm.cli.board import run_board

    # The board owns the terminal: logs go to the file only, never over the screen.
    setup_logging(settings.log_file, to_stderr=False)
    return _run(run_board(settings, demo=demo), settings)


def _run_command(command: str, args: argparse.Namespace, settings: Settings) -> int:
    """Every command but those that start a server, each loading its own module alone."""
    if command == "token":
        print(settings.account_token())
        return 0
    if command in ("snippet", "signal"):
        from halcrm.cli import signal

        run = signal.run_snippet if command == "snippet" else signal.run_signal
        return run(args, settings)
    if command == "api-key":
        from halcrm.cli import keys

        return _run(keys.run(args, settings))
    if command == "project":
        from halcrm.cli import project

        return _run(project.run(args, settings))
    if command == "webhooks":
        from halcrm.cli import webhooks

        return _run(webhooks.run(args, settings))
    if command == "login":
        from halcrm.cli import login

        return login.run(args, settings)
    from halcrm.cli import data

    assert command in data.COMMANDS, command  # argparse takes only the commands it has
    return data.run(args, settings)


def _connect(args: argparse.Namespace, settings: Settings, url: str) -> int:
    """``halcrm board --connect URL``: the board over that server, nothing opened here."""
    from halcrm.cli.connect import run_connected
    from halcrm.cli.login import resolve_token
    from halcrm.logs import setup_logging
    from halcrm.tui.client.login import ConnectFailed

    token = resolve_token(url, getattr(args, "token", None), settings)
    if not token:
        print(
            f"halcrm: no token for {url}: pass --token, set HALCRM_ACCOUNT_TOKEN, or run "
            f"`halcrm login {url} --token TOKEN` (on the server: halcrm token)",
            file=sys.stderr,
        )
        return 2
    setup_logging(settings.log_file, to_stderr=False)
    # Unless a project was named, the server's own default project is the one to show,
    # whatever this machine's default is.
    project = settings.project_id if settings.project_named else None
    try:
        return _run(run_connected(settings, url, token, project_id=project), settings)
    except ConnectFailed as exc:
        print(f"halcrm: {exc}", file=sys.stderr)
        return 1


def _run(coro: object, settings: Settings | None = None) -> int:
    try:
        import asyncio  # here: --help and the quick commands never need an event loop

        return asyncio.run(coro)  # type: ignore[arg-type]
    except OSError as exc:
        if getattr(exc, "errno", None) == errno.EADDRINUSE:
            where = f" {settings.host}:{settings.port}" if settings else ""
            attach = ""
            if settings is not None:
                from halcrm.cli.attach import local_url

                attach = f"halcrm board --connect {local_url(settings.host, settings.port)}, or "
            print(
                f"halcrm: the address{where} is in use; if a halcrm serves there, attach "
                f"with {attach}pick another port with --port",
                file=sys.stderr,
            )
        else:
            print(f"halcrm: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from sqlalchemy.exc import DBAPIError

        if not isinstance(exc, DBAPIError):
            raise
        # A database that fails past the start-up check (damaged deeper than its first page,
        # a server that refuses us): one line, not SQLAlchemy's page of traceback.
        where = f" {settings.db}" if settings else ""
        first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "error"
        print(f"halcrm: the database{where} failed: {first}", file=sys.stderr)
        return 1
