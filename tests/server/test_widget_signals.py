"""set-stage, set-deal, track, set-properties: targeting, stage modes, and refusals."""

from __future__ import annotations

import hashlib
import hmac

from tests.server.helpers import call, company, contact, history, refused

IDENTIFY = "/api/widget/identify"
SET_STAGE = "/api/widget/set-stage"
SET_DEAL = "/api/widget/set-deal"
TRACK = "/api/widget/track"
PROPS = "/api/widget/set-properties"


async def identified(client, widget, visitor="v1", email="a@acme.com", company_id="acme"):
    body = widget(visitor, email=email, company={"id": company_id, "name": company_id.title()})
    return await call(client, IDENTIFY, body)


async def test_unknown_visitor_cannot_set_stage(client, widget):
    await refused(client, SET_STAGE, widget("ghost", stage="Lead"), 409, "visitor_not_identified")


async def test_anonymous_visitor_cannot_set_stage(client, widget):
    await call(client, IDENTIFY, widget("anon"))
    await refused(client, SET_STAGE, widget("anon", stage="Lead"), 409, "visitor_not_identified")


async def test_active_company_is_the_default_target(client, widget, auth):
    await identified(client, widget)
    await call(client, IDENTIFY, widget(email="a@acme.com", company={"id": "second"}))
    answer = await call(client, SET_STAGE, widget(stage="Qualified"))
    assert answer["company_id"] == "second"


async def test_explicit_company_must_be_linked(client, widget, auth):
    await identified(client, widget)
    await client.post("/api/companies", json={"id": "other", "name": "Other"}, headers=auth)
    body = widget(stage="Won", company_id="other")
    await refused(client, SET_STAGE, body, 403, "company_not_linked")
    assert (await company(client, auth, "other"))["stage"] is None


async def test_explicit_unknown_company_is_404(client, widget):
    await identified(client, widget)
    await refused(client, SET_STAGE, widget(stage="Won", company_id="nope"), 404, "unknown_company")


async def test_single_linked_company_is_used_when_active_is_unlinked(client, widget, auth):
    answer = await identified(client, widget)
    await call(client, IDENTIFY, widget(email="a@acme.com", company={"id": "beta"}))
    unlink = f"/api/contacts/{answer['contact_id']}/companies/beta"
    assert (await client.delete(unlink, headers=auth)).status_code == 200
    result = await call(client, SET_STAGE, widget(stage="Lead"))
    assert result["company_id"] == "acme"


async def test_several_companies_without_choice_is_ambiguous(client, widget, auth):
    await client.post("/api/companies", json={"id": "c2", "name": "C2"}, headers=auth)
    answer = await call(client, IDENTIFY, widget("v1", email="z@zeta.io", company_ids=["c2"]))
    await client.post("/api/companies", json={"id": "c3", "name": "C3"}, headers=auth)
    link = f"/api/contacts/{answer['contact_id']}/companies/c3"
    assert (await client.put(link, headers=auth)).status_code == 200
    await refused(client, SET_STAGE, widget(stage="Lead"), 409, "ambiguous_company")


async def test_no_company_context(client, widget, auth):
    answer = await call(client, IDENTIFY, widget(email="solo@gmail.com"))
    [placeholder] = answer["company_ids"]
    unlink = f"/api/contacts/{answer['contact_id']}/companies/{placeholder}"
    assert (await client.delete(unlink, headers=auth)).status_code == 200
    await refused(client, SET_STAGE, widget(stage="Lead"), 409, "no_company_context")


async def test_advance_only_moves_forward_and_skips_with_reasons(client, widget, auth):
    await identified(client, widget)
    first = await call(client, SET_STAGE, widget(stage="Proposal"))
    assert first == {
        "company_id": "acme",
        "stage": "Proposal",
        "previous_stage": None,
        "requested_stage": "Proposal",
        "mode": "advance_only",
        "applied": True,
        "reason": None,
    }
    back = await call(client, SET_STAGE, widget(stage="qualified"))
    assert (back["applied"], back["reason"], back["stage"]) == (False, "already_later", "Proposal")
    same = await call(client, SET_STAGE, widget(stage="PROPOSAL"))
    assert (same["applied"], same["reason"]) == (False, "same_stage")
    won = await call(client, SET_STAGE, widget(stage="won"))
    assert won["applied"] is True
    lost = await call(client, SET_STAGE, widget(stage="Lost"))
    assert (lost["applied"], lost["reason"], lost["stage"]) == (False, "closed", "Won")
    rows = await history(client, auth, "acme")
    skipped = [r for r in rows if r["type"] == "stage_change" and not r["applied"]]
    assert [r["reason"] for r in skipped] == ["closed", "same_stage", "already_later"]
    assert all(r["source"] == "widget" and r["mode"] == "advance_only" for r in skipped)


async def test_lost_is_closed_too(client, widget):
    await identified(client, widget)
    await call(client, SET_STAGE, widget(stage="Lost", stage_update_mode="exact"))
    answer = await call(client, SET_STAGE, widget(stage="Negotiation"))
    assert (answer["applied"], answer["reason"]) == (False, "closed")


async def test_exact_downgrades_and_reopens(client, widget, auth):
    await identified(client, widget)
    await call(client, SET_STAGE, widget(stage="Won"))
    answer = await call(client, SET_STAGE, widget(stage="Lead", stage_update_mode="exact"))
    assert (answer["applied"], answer["stage"], answer["previous_stage"]) == (True, "Lead", "Won")
    assert (await company(client, auth, "acme"))["stage"] == "Lead"


async def test_project_mode_exact_becomes_the_widget_default(client, widget, auth):
    await identified(client, widget)
    patched = await client.patch("/api/project", json={"stage_update_mode": "exact"}, headers=auth)
    assert patched.json()["stage_update_mode"] == "exact"
    await call(client, SET_STAGE, widget(stage="Negotiation"))
    answer = await call(client, SET_STAGE, widget(stage="Lead"))
    assert (answer["mode"], answer["applied"]) == ("exact", True)


async def test_stage_by_id_or_name_and_unknown_stage_lists_valid(client, widget, auth):
    await identified(client, widget)
    assert (await call(client, SET_STAGE, widget(stage="qualified")))["stage"] == "Qualified"
    payload = await refused(client, SET_STAGE, widget(stage="Pilot"), 400, "unknown_stage")
    assert "Lead" in payload["detail"]
    assert "Negotiation" in payload["detail"]


async def test_invalid_mode_is_refused(client, widget):
    await identified(client, widget)
    body = widget(stage="Lead", stage_update_mode="sideways")
    await refused(client, SET_STAGE, body, 400, "invalid_request")


async def test_set_deal_keeps_money_exact_and_on_the_company_only(client, widget, auth):
    answer = await identified(client, widget)
    deal = await call(client, SET_DEAL, widget(deal_value=1234.56, stage="Proposal"))
    assert deal["deal_value"] == 1234.56
    assert (deal["stage"], deal["applied"]) == ("Proposal", True)
    assert (await company(client, auth, "acme"))["deal_value"] == 1234.56
    assert "deal_value" not in (await contact(client, auth, answer["contact_id"]))["metadata"]
    await call(client, SET_DEAL, widget(deal_value=0.1))
    assert (await company(client, auth, "acme"))["deal_value"] == 0.1


async def test_set_deal_without_stage_reports_current_stage(client, widget):
    await identified(client, widget)
    await call(client, SET_STAGE, widget(stage="Qualified"))
    deal = await call(client, SET_DEAL, widget(deal_value=500))
    assert deal["stage"] == deal["previous_stage"] == "Qualified"
    assert deal["requested_stage"] is None
    assert deal["deal_value"] == 500


async def test_bad_deal_values_are_refused_and_write_nothing(client, widget, auth):
    await identified(client, widget)
    await call(client, SET_DEAL, widget(deal_value=10))
    for bad in (-1, 1.234, "abc", True, None, 1e20):
        body = widget(deal_value=bad, stage="Won")
        await refused(client, SET_DEAL, body, 400, "invalid_request")
    acme = await company(client, auth, "acme")
    assert (acme["deal_value"], acme["stage"]) == (10, None)


async def test_set_deal_unknown_stage_writes_no_deal(client, widget, auth):
    await identified(client, widget)
    await refused(client, SET_DEAL, widget(deal_value=99, stage="Nope"), 400, "unknown_stage")
    assert (await company(client, auth, "acme"))["deal_value"] is None


async def test_track_visitor_event_and_company_event(client, widget, auth):
    anon = await call(client, TRACK, widget("anon", name="pageview", value="/pricing"), 201)
    assert anon["company_id"] is None
    assert anon["event_id"]
    await identified(client, widget)
    event = await call(client, TRACK, widget(name="activated", value=3, company_id="acme"), 201)
    assert event["company_id"] == "acme"
    rows = await history(client, auth, "acme")
    assert [(r["type"], r["name"], r["value"]) for r in rows if r["type"] == "event"] == [
        ("event", "activated", 3)
    ]


async def test_track_refusals(client, widget, auth):
    await refused(
        client, TRACK, widget("anon", name="x", company_id="acme"), 409, "visitor_not_identified"
    )
    await identified(client, widget)
    await client.post("/api/companies", json={"id": "other", "name": "Other"}, headers=auth)
    await refused(client, TRACK, widget(name="x", company_id="other"), 403, "company_not_linked")
    await refused(client, TRACK, widget(name="", company_id="acme"), 400, "invalid_request")
    await refused(client, TRACK, widget(name="x" * 101), 400, "invalid_request")
    await refused(client, TRACK, widget(name="x", value={"nested": 1}), 400, "invalid_request")


async def test_set_properties_merge_into_visitor_and_contact_never_company(client, widget, auth):
    answer = await identified(client, widget)
    result = await call(client, PROPS, widget(properties={"plan": "pro", "seats": 5}))
    assert result == {"visitor_id": "v1", "contact_id": answer["contact_id"]}
    await call(client, PROPS, widget(properties={"seats": None, "role": "cto"}))
    person = await contact(client, auth, answer["contact_id"])
    assert person["metadata"] == {"plan": "pro", "role": "cto"}
    assert (await company(client, auth, "acme"))["metadata"] == {}


async def test_set_properties_creates_an_unknown_visitor(client, widget):
    result = await call(client, PROPS, widget("new-visitor", properties={"utm": "ads"}))
    assert result == {"visitor_id": "new-visitor", "contact_id": None}


async def test_project_is_required_and_must_exist(client):
    body = {"visitor_id": "v1", "stage": "Lead"}
    await refused(client, SET_STAGE, body, 400, "invalid_request")
    body = {"app_id": "nope", "visitor_id": "v1"}
    await refused(client, IDENTIFY, body, 404, "unknown_project")
    body = {"project_id": "local", "visitor_id": "v1"}
    assert (await client.post(IDENTIFY, json=body)).status_code == 200


async def test_identity_verification_required(client, widget, auth):
    project = (await client.get("/api/project", headers=auth)).json()
    secret = project["secret"]
    patch = {"identity_verification": "required"}
    assert (await client.patch("/api/project", json=patch, headers=auth)).status_code == 200
    body = widget("v9", email="v@corp.io")
    await refused(client, IDENTIFY, body, 401, "identity_verification_failed")
    await refused(
        client, IDENTIFY, {**body, "user_hash": "00" * 32}, 401, "identity_verification_failed"
    )
    good = hmac.new(secret.encode(), b"v9", hashlib.sha256).hexdigest()
    answer = await call(client, IDENTIFY, {**body, "user_hash": good})
    assert answer["verified"] is True
    await refused(
        client, PROPS, widget("v9", properties={"a": 1}), 401, "identity_verification_failed"
    )
    contacts = (await client.get("/api/contacts", headers=auth)).json()["items"]
    assert len(contacts) == 1


async def test_errors_have_the_contract_body(client, widget):
    for path, body, status, code in [
        ("/api/widget/nope", widget(), 404, "not_found"),
        (SET_STAGE, {"app_id": "local"}, 400, "invalid_request"),
        (IDENTIFY, widget(visitor_id=""), 400, "invalid_request"),
        (IDENTIFY, widget(visitor_id="x" * 201), 400, "invalid_request"),
    ]:
        await refused(client, path, body, status, code)
    not_json = await client.post(
        IDENTIFY, content=b"{nope", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    assert not_json.json()["error"] == "invalid_request"
    wrong_method = await client.get(IDENTIFY)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"


async def test_body_over_64_kib_is_413(client, widget, auth):
    body = widget(email="big@corp.io", metadata={"blob": "x" * 70_000})
    await refused(client, IDENTIFY, body, 413, "payload_too_large")
    assert (await client.get("/api/contacts", headers=auth)).json()["items"] == []


async def test_cors_is_open_on_widget_routes_only(client, widget, auth):
    preflight = await client.options(
        IDENTIFY,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    answer = await client.post(IDENTIFY, json=widget(), headers={"Origin": "http://localhost:3000"})
    assert answer.headers["access-control-allow-origin"] == "*"
    account = await client.get("/api/companies", headers={**auth, "Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in account.headers
