"""``halcrm webhooks …`` against the database a running halcrm serves (both stores): what the
commands queue, the running process sends."""

from __future__ import annotations

import asyncio

import pytest

from halcrm.cli.main import main
from halcrm.runtime import Runtime
from tests.services.webhooks.receiver import Receiver


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_add_list_test_deliveries_retry_remove(
    runtime: Runtime,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HALCRM_DATA_DIR", str(runtime.settings.data_dir))
    db = ("--db", runtime.settings.db)
    code, out, err = await cli(
        capsys,
        "webhooks",
        "add",
        receiver.url(),
        "--events",
        "company.created,deal.stalled",
        "--format",
        "slack",
        "--allow-private",
        *db,
    )
    assert code == 0, err
    webhook_id = out.split("\t")[0]
    assert webhook_id.startswith("wh_")
    secret = err.split("signing secret: ")[1].strip()
    assert secret.startswith("whsec_")

    code, out, _ = await cli(capsys, "webhooks", "list", *db)
    assert code == 0
    assert webhook_id in out
    assert "company.created,deal.stalled\tslack\tenabled" in out
    assert secret not in out

    code, out, _ = await cli(capsys, "webhooks", "test", webhook_id, *db)
    assert code == 0
    msg_id = out.split()[1]
    # The running process (this test's runtime) sends what the command queued.
    [got] = await receiver.wait_for(1)
    assert got.verified(secret) == {"text": "halcrm test: this channel gets the project's events"}
    assert got.headers["webhook-id"] == msg_id

    await asyncio.sleep(0.5)  # its attempt is recorded just after the answer
    code, out, _ = await cli(capsys, "webhooks", "deliveries", webhook_id, *db)
    assert f"{msg_id}\twebhook.test\tdelivered\t1 attempts" in out

    code, out, _ = await cli(capsys, "webhooks", "retry", webhook_id, msg_id, *db)
    assert code == 0
    again = await receiver.wait_for(2)
    assert again[1].headers["webhook-id"] == msg_id

    code, out, _ = await cli(capsys, "webhooks", "remove", webhook_id, *db)
    assert code == 0
    code, _, err = await cli(capsys, "webhooks", "test", webhook_id, *db)
    assert code == 1
    assert f"no webhook with id {webhook_id!r}" in err


async def test_a_private_url_is_refused_clearly(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALCRM_DATA_DIR", str(runtime.settings.data_dir))
    code, _out, err = await cli(
        capsys, "webhooks", "add", "http://127.0.0.1:9/x", "--db", runtime.settings.db
    )
    assert code == 1
    assert "allow_private" in err
    _, _, err = await cli(capsys, "webhooks", "list", "--db", runtime.settings.db)
    assert "no webhooks yet" in err
