"""``halcrm project create|list|show|set``: the database's projects and their settings (time
zone, stage hints) from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from halcrm.cli.flags import store_flags
from halcrm.domain.errors import DomainError, InvalidRequest
from halcrm.settings import Settings

if TYPE_CHECKING:
    # Loaded by ``halcrm project`` only: every other command builds this parser too.
    from halcrm.services.crm.inputs import ProjectPatch
    from halcrm.services.crm.records import ProjectRecord


def add_commands(commands: Any) -> None:
    """Registers ``project`` and its subcommands on the CLI's subparsers."""
    project = commands.add_parser("project", help="create or list the database's projects")
    actions = project.add_subparsers(dest="project_action", required=True)
    create = actions.add_parser("create", help="a new project with the default pipeline")
    create.add_argument("new_id", metavar="ID", help="its id: what the widget sends as app_id")
    create.add_argument("--name", help="its name (default: the id)")
    actions.add_parser("list", help="list the projects")
    actions.add_parser("show", help="the project's settings (--project names it)")
    edit = actions.add_parser("set", help="change the project's settings (--project names it)")
    edit.add_argument("--name", help="its name")
    edit.add_argument(
        "--time-zone", help="IANA zone for today, overdue and the forecast (e.g. Europe/Paris)"
    )
    edit.add_argument(
        "--stage-hint",
        action="append",
        default=None,
        metavar="MILESTONE=STAGE",
        help="a milestone that suggests a stage (repeat; replaces the hints; '' clears them)",
    )
    for parser in actions.choices.values():
        store_flags(parser, project=False)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs one ``project`` action against the configured database."""
    from halcrm.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        services = runtime.services
        if args.project_action == "create":
            made = await services.projects.create(args.new_id, args.name)
            print(made.id)
            print(
                f"project {made.id!r} ({made.name}) created with the default pipeline; its "
                f"widget sends app_id {made.id!r}. Account routes address it with the header "
                f"'X-Project-Id: {made.id}'.",
                file=sys.stderr,
            )
        elif args.project_action in ("show", "set"):
            if args.project_action == "set":
                await services.projects.update(_patch(args))
            _show(await services.projects.get())
        else:
            for found in (await services.projects.all()).items:
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


def _patch(args: argparse.Namespace) -> ProjectPatch:
    """The settings ``project set`` was given (the rest left as they are)."""
    from halcrm.services.crm.inputs import ProjectPatch

    patch = ProjectPatch()
    if args.name is not None:
        patch.name = args.name
    if args.time_zone is not None:
        patch.time_zone = args.time_zone
    if args.stage_hint is not None:
        hints: dict[str, str] = {}
        for item in args.stage_hint:
            if not item.strip():
                continue
            milestone, sep, stage = item.partition("=")
            if not sep or not milestone.strip() or not stage.strip():
                raise InvalidRequest(f"a stage hint is MILESTONE=STAGE, not {item!r}")
            hints[milestone.strip()] = stage.strip()
        patch.stage_hints = hints
    return patch


def _show(project: ProjectRecord) -> None:
    print(f"id\t{project.id}")
    print(f"name\t{project.name}")
    print(f"time_zone\t{project.time_zone}")
    print(f"stage_update_mode\t{project.stage_update_mode}")
    print(f"identity_verification\t{project.identity_verification}")
    for milestone, stage in sorted(project.stage_hints.items()):
        print(f"stage_hint\t{milestone} -> {stage}")
