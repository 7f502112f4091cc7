"""``halcrm signal`` and ``halcrm snippet`` against a real halcrm on 127.0.0.1 port 0."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path

import pytest

from halcrm.cli.main import main
from halcrm.cli.signal import json_or_text
from tests.conftest import TOKEN
from tests.live import halcrm_server


async def halcrm(*argv: str) -> int:
    """Runs the real command line in a thread, so this loop keeps serving its requests."""
    return await asyncio.to_thread(main, list(argv))


def answer(capsys: pytest.CaptureFixture[str]) -> dict:
    out = capsys.readouterr().out
    return json.loads(out)


async def test_signals_reach_the_crm(services, capsys):
    async with halcrm_server(services, TOKEN) as url:
        s = ("--server", url, "--visitor", "cli-v1")
        code = await halcrm(
            "signal", "identify", *s, "--email", "Ann@Acme.com", "--name", "Ann",
            "--company-id", "acme", "--company-name", "Acme Inc", "--stage", "Lead",
            "--set", "plan=trial", "--set", "seats=3",
        )  # fmt: skip
        assert code == 0
        identified = answer(capsys)
        assert identified["active_company_id"] == "acme"
        assert identified["stage"]["stage"] == "Lead"

        assert await halcrm("signal", "set-properties", *s, "--set", "plan=pro") == 0
        assert answer(capsys)["contact_id"] == identified["contact_id"]

        assert await halcrm("signal", "track", *s, "--event", "invited", "--value", "4") == 0
        assert answer(capsys)["company_id"] is None
        code = await halcrm(
            "signal", "track", *s, "--event", "paid", "--value", "true", "--company-id", "acme"
        )
        assert code == 0
        assert answer(capsys)["company_id"] == "acme"

        assert await halcrm("signal", "set-stage", *s, "--stage", "Proposal") == 0
        moved = answer(capsys)
        assert (moved["previous_stage"], moved["stage"], moved["applied"]) == (
            "Lead",
            "Proposal",
            True,
        )
        assert await halcrm("signal", "set-stage", *s, "--stage", "Qualified") == 0
        assert answer(capsys)["reason"] == "already_later"

        code = await halcrm(
            "signal", "set-deal", *s, "--deal-value", "12500.50", "--stage", "Qualified",
            "--mode", "exact",
        )  # fmt: skip
        assert code == 0
        assert answer(capsys)["deal_value"] == 12500.5

    acme = await services.companies.get("acme")
    assert acme.stage == "Qualified"
    assert Decimal(str(acme.deal_value)) == Decimal("12500.50")
    ann = await services.contacts.get(identified["contact_id"])
    assert ann.email == "ann@acme.com"
    assert ann.metadata == {"plan": "pro", "seats": 3}
    history = (await services.companies.history("acme")).items
    assert [(h.name, h.value) for h in history if h.type == "event"] == [("paid", True)]


async def test_a_refusal_exits_non_zero_with_the_code_on_stderr(services, capsys):
    async with halcrm_server(services, TOKEN) as url:
        code = await halcrm("signal", "set-stage", "--server", url, "--stage", "Won")
        out, err = capsys.readouterr()
        assert code == 1
        assert out == ""
        assert "409 visitor_not_identified" in err
        assert "'halcrm-cli' is not identified" in err

        await halcrm("signal", "identify", "--server", url, "--email", "bo@globex.com")
        capsys.readouterr()
        code = await halcrm("signal", "set-stage", "--server", url, "--stage", "Nowhere")
        _, err = capsys.readouterr()
        assert code == 1
        assert "400 unknown_stage" in err
        assert "Qualified" in err  # The detail lists the valid stages.
    companies = (await services.companies.all()).items
    assert [c.stage for c in companies] == [None]


async def test_the_project_flag_names_the_project(services, capsys):
    async with halcrm_server(services, TOKEN) as url:
        code = await halcrm("signal", "track", "--server", url, "--project", "nope", "--event", "x")
    _, err = capsys.readouterr()
    assert code == 1
    assert "404 unknown_project" in err


def test_an_unreachable_server_is_said_plainly(capsys, env_clean, monkeypatch):
    monkeypatch.setenv("HALCRM_PORT", "1")
    code = main(["signal", "track", "--event", "x"])
    _, err = capsys.readouterr()
    assert code == 3
    assert "cannot reach http://127.0.0.1:1/api/widget/track" in err


def test_bad_flags_are_usage_errors(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["signal", "set-deal", "--deal-value", "lots"])
    assert exit_.value.code == 2
    assert "not a number: 'lots'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["signal", "set-properties", "--set", "no-equals-sign"])
    assert "expected KEY=VALUE" in capsys.readouterr().err


def test_snippet_uses_the_configured_server_and_project(capsys, env_clean, monkeypatch):
    monkeypatch.setenv("HALCRM_PORT", "9123")
    monkeypatch.setenv("HALCRM_PROJECT_ID", "shop")
    assert main(["snippet"]) == 0
    out = capsys.readouterr().out
    assert 's.src = "http://127.0.0.1:9123/widget.js";' in out
    assert 's.setAttribute("data-project-id", "shop");' in out
    assert "http://127.0.0.1:9123/playground" in out

    assert main(["--project", "top", "snippet", "--server", "https://crm.example.com/"]) == 0
    out = capsys.readouterr().out
    assert '"https://crm.example.com/widget.js"' in out
    assert '"data-project-id", "top"' in out


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("2.5", 2.5), ("true", True), ("null", None), ('"7"', "7"), ("pro", "pro"),
     ("NaN", "NaN"), ('{"a": [1]}', {"a": [1]}), ("", "")],
)  # fmt: skip
def test_values_are_json_when_they_parse(text, value):
    assert json_or_text(text) == value


def test_the_widget_guide_shows_the_snippet_halcrm_prints(capsys, env_clean):
    guide = (Path(__file__).parents[2] / "docs" / "widget.md").read_text()
    assert main(["snippet"]) == 0
    printed = capsys.readouterr().out
    assert printed.split("\n", 1)[1].strip() in guide
