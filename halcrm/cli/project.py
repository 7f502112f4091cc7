"""``halcrm project create|list``: the database's projects from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from halcrm.domain.errors import DomainError
from halcrm.settings import Settings


def add_commands(commands: Any) -> None:
    """Registers ``project`` and its subcommands on the CLI's subparsers."""
    project = commands.add_parser("project", help="create or list the database's projects")
    actions = project.add_subparsers(dest="project_action", required=True)
    create = actions.add_parser("create", help="a new project with the default pipeline")
    create.add_argument("new_id", metavar="ID", help="its id: what the widget sends as app_id")
    create.add_argument("--name", help="its name (default: the id)")
    actions.add_parser("list", help="list the projects")
    for parser in actions.choices.values():
        parser.add_argument("--db", help="SQLite file path or SQLAlchemy URL (HALCRM_DB)")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs one ``project`` action against the configured database."""
    from halcrm.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        services = runtime.services
        if args.project_action == "create":
            made = await services.create_project(args.new_id, args.name)
            print(made.id)
            print(
                f"project {made.id!r} ({made.name}) created with the default pipeline; its "
                f"widget sends app_id {made.id!r}. Account routes address it with the header "
                f"'X-Project-Id: {made.id}'.",
                file=sys.stderr,
            )
        else:
            for found in (await services.projects()).items:
                print(
                    f"{found.id}\t{found.name}\twidget stage writes {found.stage_update_mode}"
                    f"\tverification {found.identity_verification}"
                )
    except DomainError as exc:
        print(f"halcrm: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        await runtime.close()
    return 0
