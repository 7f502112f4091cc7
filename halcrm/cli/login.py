"""``halcrm login URL --token TOKEN``: a server's account token kept for ``board --connect``.

Logins live in ``logins.json`` in the user's config folder, readable by the user only (a
token grants the whole CRM).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

from halcrm.settings import Settings

LOGINS = "logins.json"


def logins_path() -> Path:
    return user_config_path("halcrm", appauthor=False) / LOGINS


def with_scheme(url: str) -> str:
    """``host:port`` as ``http://host:port``: an address typed without a scheme is a plain
    HTTP one (a server on this machine or on the user's own network)."""
    url = url.strip().rstrip("/")
    return url if "://" in url else f"http://{url}"


def server_key(url: str) -> str:
    """One spelling per server: no trailing slash, scheme and host in lower case."""
    scheme, _, rest = with_scheme(url).partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_token(url: str, path: Path | None = None) -> str | None:
    entry = _load(path or logins_path()).get(server_key(url))
    token = entry.get("token") if isinstance(entry, dict) else None
    return str(token) if token else None


def save_login(url: str, token: str, path: Path | None = None) -> Path:
    """Keeps ``token`` for ``url``; the file is written private, then renamed into place."""
    path = path or logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _load(path)
    data[server_key(url)] = {"token": token}
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(tmp, 0o600)  # an older file of that name may have had wider rights
    os.replace(tmp, path)
    return path


def resolve_token(url: str, given: str | None, settings: Settings) -> str | None:
    """``--token``, else ``HALCRM_ACCOUNT_TOKEN``, else the saved login for ``url``."""
    return given or settings.account_token_override or saved_token(url)


def register(commands: Any) -> None:
    login = commands.add_parser(
        "login", help="keep a server's account token for `halcrm board --connect URL`"
    )
    login.add_argument("url", help="the server, e.g. https://crm.example.com")
    login.add_argument("--token", help="its account token (on the server: halcrm token)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Checks the token against the server, then saves it."""
    from halcrm.tui.client.login import ConnectFailed, check_login

    token = args.token or settings.account_token_override
    if not token:
        print("halcrm: give the server's token: halcrm login URL --token TOKEN", file=sys.stderr)
        return 2
    try:
        import asyncio  # here: every other command's start skips it

        project = asyncio.run(check_login(with_scheme(args.url), token))
    except ConnectFailed as exc:
        print(f"halcrm: {exc}; nothing saved", file=sys.stderr)
        return 1
    path = save_login(args.url, token)
    print(f"Logged in to {server_key(args.url)} (project {project}); token kept in {path}")
    return 0
