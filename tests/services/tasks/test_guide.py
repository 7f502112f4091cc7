"""docs/next-steps.md: every ``sh`` block runs as written, in order, against a real server."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from halcrm.runtime import Runtime
from halcrm.server.app import ServerConfig
from tests.conftest import TOKEN
from tests.server.live import live_server

GUIDE = Path(__file__).parents[3] / "docs" / "next-steps.md"


def blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", GUIDE.read_text(), flags=re.S)


@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("jq"), reason="needs curl, jq")
async def test_the_guide_runs_as_written(runtime: Runtime) -> None:
    script = "set -euo pipefail\n" + "\n".join(blocks())
    async with live_server(runtime, ServerConfig(account_token=TOKEN)) as live:
        env = {**os.environ, "HALCRM_URL": live.base_url, "HALCRM_TOKEN": TOKEN}
        done = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr + done.stdout
    out = done.stdout
    assert "Europe/Paris" in out
    assert '"state":"upcoming"' in out or '"state":"today"' in out
    assert "Send the proposal" in out
    assert '{"plan-upgraded":"Negotiation"}' in out
    assert out.count("id,company_id,company_name") == 1
