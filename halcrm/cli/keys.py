"""``halcrm api-key create|list|revoke``: public API keys from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from halcrm.cli.flags import store_flags
from halcrm.domain.errors import DomainError
from halcrm.settings import Settings


def add_commands(commands: Any) -> None:
    """Registers ``api-key`` and its subcommands on the CLI's subparsers."""
    keys = commands.add_parser("api-key", help="create, list or revoke public API keys")
    actions = keys.add_subparsers(dest="key_action", required=True)
    create = actions.add_parser("create", help="make a key; its secret is shown once")
    create.add_argument("--name", help="what the key is for (shown in listings)")
    actions.add_parser("list", help="list the keys (prefix, name, created, last used, revoked)")
    revoke = actions.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("key_id", metavar="ID", help="the key's id, as listed")
    for parser in actions.choices.values():
        store_flags(parser)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs one ``api-key`` action against the configured database."""
    from halcrm.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        services = runtime.services
        if args.key_action == "create":
            made = await services.api_keys.create(args.name)
            print(made.key)
            print(
                f"API key {made.id} ({made.name}) for project {settings.project_id!r}. "
                "Send it as 'X-API-Key: KEY'; this is the only time it is shown.",
                file=sys.stderr,
            )
        elif args.key_action == "list":
            rows = await services.api_keys.all()
            if not rows:
                print("no API keys yet: halcrm api-key create --name NAME", file=sys.stderr)
            for key in rows:
                state = f"revoked {_when(key.revoked_at)}" if key.revoked_at else "live"
                used = _when(key.last_used_at) if key.last_used_at else "never used"
                print(
                    f"{key.id}\t{key.prefix}…\t{key.name}\tcreated {_when(key.created_at)}"
                    f"\t{used}\t{state}"
                )
        else:
            revoked = await services.api_keys.revoke(args.key_id)
            print(f"revoked {revoked.id} ({revoked.name})")
    except DomainError as exc:
        print(f"halcrm: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        await runtime.close()
    return 0


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")
