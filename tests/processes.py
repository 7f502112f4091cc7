"""Real ``halcrm serve`` processes for end-to-end tests (each on its own free port)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def halcrm_serve(
    data_dir: Path,
    port: int,
    token: str,
    db: str | None = None,
    settings: dict[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m halcrm serve`` on ``port``, its output in a log beside the data folder;
    ``settings`` are more ``HALCRM_*`` variables for it, ``args`` more flags."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCRM_")}
    env.update(HALCRM_DATA_DIR=str(data_dir), HALCRM_PORT=str(port), HALCRM_ACCOUNT_TOKEN=token)
    env.update(settings or {})
    if db is not None:
        env["HALCRM_DB"] = db
    log = (data_dir.parent / f"serve-{port}.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "halcrm", "serve", *args], env=env, stdout=log, stderr=log
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        log.close()


async def wait_until_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as http:
        for _ in range(300):
            assert proc.poll() is None, "halcrm serve exited while starting"
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("halcrm serve did not start")
