"""``serve.json`` in the data folder: where a running ``halcrm serve`` answers, so that a
``halcrm board`` on the same data folder and database attaches to it instead of failing on
the port."""

from __future__ import annotations

import json
import os
from pathlib import Path

from halcrm.db.engine import database_url
from halcrm.settings import Settings

SERVE_FILE = "serve.json"


def serve_file(settings: Settings) -> Path:
    return settings.data_dir / SERVE_FILE


def announce(settings: Settings, url: str) -> Path:
    """Says where this process serves the database (removed by ``withdraw`` on the way out)."""
    path = serve_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"pid": os.getpid(), "url": url, "db": database_url(settings.db)}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    # Private: a PostgreSQL URL may carry its password.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(record))
    os.replace(tmp, path)
    return path


def local_url(host: str, port: int) -> str:
    """How a process on this machine reaches a server listening on ``host``."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def board_hint(url: str) -> str:
    """What a headless server says once it serves: how a board attaches to it."""
    return f"attach a board: halcrm board --connect {url} (its token: halcrm token)"


def withdraw(settings: Settings) -> None:
    path = serve_file(settings)
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serving(settings: Settings) -> str | None:
    """The address of a live ``halcrm serve`` of this data folder's database, if one runs."""
    try:
        record = json.loads(serve_file(settings).read_text())
        pid, url, db = int(record["pid"]), str(record["url"]), str(record["db"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid() or not _alive(pid) or db != database_url(settings.db):
        return None
    return url
