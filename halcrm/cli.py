"""The ``halcrm`` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from halcrm import __version__, cli_keys
from halcrm.settings import Settings


def _server_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1; HALCRM_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8765; HALCRM_PORT)")
    parser.add_argument(
        "--db", help="SQLite file path or SQLAlchemy URL (default: the data folder; HALCRM_DB)"
    )
    parser.add_argument("--project", dest="project_id", help="project id (HALCRM_PROJECT_ID)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="halcrm",
        description="A keyboard-driven CRM pipeline board with its HTTP server in one process.",
    )
    parser.add_argument("--version", action="version", version=f"halcrm {__version__}")
    _server_flags(parser)
    commands = parser.add_subparsers(dest="command")
    board = commands.add_parser("board", help="the board and the server (the default)")
    _server_flags(board)
    serve = commands.add_parser("serve", help="the HTTP server alone, headless")
    _server_flags(serve)
    commands.add_parser("token", help="print the account API token")
    cli_keys.add_commands(commands)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        db=getattr(args, "db", None),
        project_id=getattr(args, "project_id", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
    except ValueError as exc:
        print(f"halcrm: {exc}", file=sys.stderr)
        return 2
    command = args.command or "board"
    if command == "token":
        print(settings.account_token())
        return 0
    if command == "api-key":
        return _run(cli_keys.run(args, settings))
    from halcrm.logs import setup_logging

    if command == "serve":
        from halcrm.serve import serve

        setup_logging(settings.log_file, to_stderr=True)
        return _run(serve(settings))
    # The board lands with its own issue; until then `halcrm` serves headless.
    from halcrm.serve import serve

    setup_logging(settings.log_file, to_stderr=True)
    return _run(serve(settings))


def _run(coro: object) -> int:
    try:
        return asyncio.run(coro)  # type: ignore[arg-type]
    except OSError as exc:
        print(f"halcrm: {exc.strerror or exc}", file=sys.stderr)
        if getattr(exc, "errno", None) == 98:
            print("halcrm: the port is in use; pick another with --port", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
