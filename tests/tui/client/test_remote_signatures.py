"""The --connect board calls ``link.services.<area>.<method>`` on the line an in-process board
calls ``services.<area>.<method>``: each remote method takes the parameters the area's rule
takes, with the same names, kinds and defaults, so a rule changed in its area cannot drift
from the call that reaches it over HTTP unseen."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cached_property
from typing import Any

from halcrm.services.container import Services
from halcrm.tui.client.remote import RemoteServices

# What a rule takes that its caller never passes: the transaction (``@reads``, ``@writes``).
NOT_PASSED = {"self", "tx"}


def parameters(method: Callable[..., Any]) -> list[tuple[str, str, object]]:
    return [
        (p.name, p.kind.name, p.default)
        for p in inspect.signature(method).parameters.values()
        if p.name not in NOT_PASSED
    ]


def remote_areas() -> list[str]:
    return [
        name
        for name, attr in vars(RemoteServices).items()
        if isinstance(attr, cached_property | property) and name != "bus"
    ]


def test_every_remote_method_takes_what_its_rule_takes(services: Services) -> None:
    remote = RemoteServices(None, None, services.project_id)  # type: ignore[arg-type]
    compared = 0
    for area in remote_areas():
        here, there = getattr(services, area), getattr(remote, area)
        for name, method in vars(type(there)).items():
            if name.startswith("_") or not callable(method):
                continue
            rule = getattr(type(here), name, None)
            assert rule is not None, f"{area}.{name} is remote only"
            assert parameters(method) == parameters(rule), f"{area}.{name} drifted"
            compared += 1
    assert compared > 40  # every area's calls, not a few
