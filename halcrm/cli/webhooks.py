"""``halcrm webhooks add|list|remove|test|deliveries|retry``: webhooks from the command line.

The commands write the database; a running ``halcrm`` (board or serve) sends what they queue
(within a few seconds: its delivery loop looks for work it was not told about that often).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from halcrm.cli.flags import store_flags
from halcrm.domain.errors import DomainError
from halcrm.services.webhooks.inputs import WebhookCreate
from halcrm.services.webhooks.types import TYPES
from halcrm.settings import Settings

if TYPE_CHECKING:
    from halcrm.services.container import Services

COMMAND = "webhooks"


def add_commands(commands: Any) -> None:
    """Registers ``webhooks`` and its subcommands on the CLI's subparsers."""
    hooks = commands.add_parser(COMMAND, help="send the project's events to URLs (Slack, …)")
    actions = hooks.add_subparsers(dest="webhook_action", required=True)
    add = actions.add_parser("add", help="add an endpoint; its signing secret is printed")
    add.add_argument("url", metavar="URL", help="http(s) URL to POST the events to")
    add.add_argument(
        "--events",
        default="*",
        help=f"comma-separated event types, or * for all (default): {', '.join(TYPES)}",
    )
    add.add_argument("--format", choices=["standard", "slack"], default="standard")
    add.add_argument("--description", help="what the endpoint is for")
    add.add_argument(
        "--allow-private", action="store_true", help="allow a loopback or private address"
    )
    actions.add_parser("list", help="list the endpoints")
    for name, what in (
        ("remove", "delete an endpoint"),
        ("test", "queue a webhook.test delivery"),
        ("deliveries", "the endpoint's deliveries, newest first"),
    ):
        actions.add_parser(name, help=what).add_argument("webhook_id", metavar="ID")
    retry = actions.add_parser("retry", help="send a delivery again now (same id)")
    retry.add_argument("webhook_id", metavar="ID")
    retry.add_argument("delivery_id", metavar="DELIVERY")
    for parser in actions.choices.values():
        store_flags(parser)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs one ``webhooks`` action against the configured database."""
    from halcrm.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        await _act(args, runtime.services)
    except DomainError as exc:
        print(f"halcrm: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        await runtime.close()
    return 0


async def _act(args: argparse.Namespace, services: Services) -> None:
    hooks, action = services.webhooks, args.webhook_action
    if action == "add":
        events = [e.strip() for e in args.events.split(",") if e.strip()]
        body = WebhookCreate(
            url=args.url,
            events=events,
            format=args.format,
            description=args.description,
            allow_private=args.allow_private,
        )
        made = await hooks.create(body)
        print(f"{made.id}\t{made.url}\t{','.join(made.events)}\t{made.format}")
        print(f"signing secret: {made.secret}", file=sys.stderr)
    elif action == "list":
        page = await hooks.endpoints()
        if not page.items:
            print("no webhooks yet: halcrm webhooks add URL", file=sys.stderr)
        for e in page.items:
            state = "enabled" if e.enabled else f"disabled ({e.disabled_reason})"
            failing = f"\tfailing since {_when(e.failing_since)}" if e.failing_since else ""
            print(f"{e.id}\t{e.url}\t{','.join(e.events)}\t{e.format}\t{state}{failing}")
    elif action == "remove":
        await hooks.delete(args.webhook_id)
        print(f"removed {args.webhook_id}")
    elif action == "test":
        queued = await hooks.test(args.webhook_id)
        print(f"queued {queued.id} (webhook.test); a running halcrm sends it")
    elif action == "deliveries":
        for d in (await hooks.deliveries(args.webhook_id)).items:
            detail = d.last_error or (f"HTTP {d.last_status}" if d.last_status else "")
            print(
                f"{d.id}\t{d.type}\t{d.status}\t{d.attempts} attempts\t{_when(d.created_at)}"
                f"\t{detail}"
            )
    else:
        queued = await hooks.retry(args.webhook_id, args.delivery_id)
        print(f"queued {queued.id} again; a running halcrm sends it")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""
