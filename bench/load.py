"""What a load run is (an endpoint and a body template) and what it measured; picks the tool."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

STAGES = ("Lead", "Qualified", "Proposal", "Negotiation")
PLACEHOLDER = re.compile(r"\{([a-z]+)\}")
ENSURE_TOOLS = Path(__file__).with_name("ensure-tools.sh")


@dataclass(frozen=True)
class Load:
    """An endpoint hit with one body per request made from ``template``.

    Placeholders (the same in the wrk Lua script and the Python generator): ``{tag}`` the run's
    tag, ``{n}`` a number unique in the run, ``{p}`` = n mod ``pool`` (a prepared visitor), and
    ``{stage}`` a stage that changes on each pass over the pool. An empty template means GET.
    """

    name: str
    path: str
    template: str = ""
    pool: int = 1
    # Mixed traffic: request n goes to ``mix[n % len(mix)]``, a (path, template) pair whose
    # path takes the placeholders too (a GET's query string); ``path``/``template`` unused.
    mix: tuple[tuple[str, str], ...] = ()

    def request(self, tag: str, n: int) -> tuple[str, bytes | None]:
        """The path and body (None: a GET) of request ``n``, as the wrk script makes them."""
        path, template = self.mix[n % len(self.mix)] if self.mix else (self.path, self.template)
        body = expand(template, tag, n, self.pool).encode() if template else None
        return expand(path, tag, n, self.pool), body


@dataclass(frozen=True)
class LoadResult:
    """One timed run: completed requests, wall seconds, latency percentiles (s), failures."""

    requests: int
    seconds: float
    p50: float
    p99: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def expand(template: str, tag: str, n: int, pool: int) -> str:
    """The body for request ``n`` (the wrk Lua script does exactly the same)."""
    values = {
        "tag": tag,
        "n": str(n),
        "p": str(n % pool),
        "stage": STAGES[(n // pool) % len(STAGES)],
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


_wrk_checked: bool | None = None


def wrk_available() -> bool:
    """True when wrk is installed, installing it with ``bench/ensure-tools.sh`` once if needed."""
    global _wrk_checked
    if _wrk_checked is None:
        try:
            done = subprocess.run(
                ["bash", str(ENSURE_TOOLS)], capture_output=True, timeout=300, check=False
            )
            _wrk_checked = done.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _wrk_checked = False
    return _wrk_checked


def run_load(
    base_url: str, load: Load, connections: int, seconds: float, tag: str, use_wrk: bool
) -> LoadResult:
    """Runs ``load`` against ``base_url`` for ``seconds`` over ``connections`` keep-alive
    connections, with wrk when ``use_wrk`` else with the Python generator."""
    if use_wrk:
        from bench.wrk import run_wrk

        return run_wrk(base_url, load, connections, seconds, tag)
    from bench.pyload import run_python

    return run_python(base_url, load, connections, seconds, tag)
