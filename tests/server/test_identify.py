"""identify, rule by rule (API.md, widget routes)."""

from __future__ import annotations

from tests.server.helpers import call, companies, company, contact, refused

IDENTIFY = "/api/widget/identify"


async def test_rule1_anonymous_visitor_is_created_then_found(client, widget, auth):
    first = await call(client, IDENTIFY, widget("anon-1"))
    again = await call(client, IDENTIFY, widget("anon-1"))
    assert (
        first
        == again
        == {
            "visitor_id": "anon-1",
            "contact_id": None,
            "company_ids": [],
            "active_company_id": None,
            "verified": False,
            "stage": None,
        }
    )
    assert await companies(client, auth) == []


async def test_rule2_email_matches_one_contact_case_insensitively(client, widget, auth):
    a = await call(client, IDENTIFY, widget("v1", email="Jane@Acme.com", name="Jane"))
    b = await call(client, IDENTIFY, widget("v2", email="jane@ACME.com"))
    assert a["contact_id"] == b["contact_id"]
    person = await contact(client, auth, a["contact_id"])
    assert person["email"] == "jane@acme.com"
    assert person["name"] == "Jane"


async def test_rule2_user_id_finds_the_contact(client, widget, auth):
    a = await call(client, IDENTIFY, widget("v1", user_id="u-42", name="Ann"))
    b = await call(client, IDENTIFY, widget("v2", user_id="u-42", email="ann@corp.io"))
    assert a["contact_id"] == b["contact_id"]
    person = await contact(client, auth, a["contact_id"])
    assert person["user_id"] == "u-42"
    assert person["email"] == "ann@corp.io"


async def test_rule2_metadata_merges_key_by_key_and_null_deletes(client, widget, auth):
    body = widget(email="m@corp.io", metadata={"plan": "free", "seats": 3, "trial": True})
    first = await call(client, IDENTIFY, body)
    await call(client, IDENTIFY, widget(email="m@corp.io", metadata={"plan": "pro", "trial": None}))
    person = await contact(client, auth, first["contact_id"])
    assert person["metadata"] == {"plan": "pro", "seats": 3}


async def test_rule2_invalid_email_is_refused_and_writes_nothing(client, widget, auth):
    await refused(client, IDENTIFY, widget(email="not-an-address"), 400, "invalid_request")
    listed = await client.get("/api/contacts", headers=auth)
    assert listed.json()["items"] == []


async def test_rule3_company_id_creates_links_and_activates(client, widget, auth):
    body = widget(email="a@acme.com", company={"id": "acme", "name": "Acme Inc"})
    answer = await call(client, IDENTIFY, body)
    assert answer["company_ids"] == ["acme"]
    assert answer["active_company_id"] == "acme"
    acme = await company(client, auth, "acme")
    assert acme["name"] == "Acme Inc"
    assert acme["is_placeholder"] is False
    assert acme["contact_ids"] == [answer["contact_id"]]


async def test_rule3_company_id_without_name_is_named_after_the_id(client, widget, auth):
    await call(client, IDENTIFY, widget(email="a@b.io", company={"id": "globex"}))
    assert (await company(client, auth, "globex"))["name"] == "globex"


async def test_rule3_company_ids_link_existing_only_and_keep_active(client, widget, auth):
    await client.post("/api/companies", json={"id": "initech", "name": "Initech"}, headers=auth)
    await call(client, IDENTIFY, widget(email="p@acme.com", company={"id": "acme"}))
    answer = await call(client, IDENTIFY, widget(email="p@acme.com", company_ids=["initech"]))
    assert sorted(answer["company_ids"]) == ["acme", "initech"]
    assert answer["active_company_id"] == "acme"


async def test_rule3_unknown_company_ids_refused_and_nothing_written(client, widget, auth):
    body = widget("fresh", email="new@corp.io", company_ids=["nope"])
    await refused(client, IDENTIFY, body, 404, "unknown_company")
    assert (await client.get("/api/contacts", headers=auth)).json()["items"] == []
    assert await companies(client, auth) == []


async def test_rule4_name_upgrades_the_only_placeholder_in_place(client, widget, auth):
    first = await call(client, IDENTIFY, widget(email="bo@startup.dev"))
    [placeholder_id] = first["company_ids"]
    answer = await call(
        client, IDENTIFY, widget(email="bo@startup.dev", company={"name": "Startup"})
    )
    assert answer["company_ids"] == [placeholder_id]
    upgraded = await company(client, auth, placeholder_id)
    assert upgraded["name"] == "Startup"
    assert upgraded["is_placeholder"] is False


async def test_rule4_name_reuses_a_linked_company_of_that_name(client, widget, auth):
    await call(client, IDENTIFY, widget(email="c@x.io", company={"id": "x1", "name": "Xylo"}))
    answer = await call(client, IDENTIFY, widget(email="c@x.io", company={"name": "XYLO"}))
    assert answer["company_ids"] == ["x1"]


async def test_rule4_name_creates_and_links_a_new_company(client, widget, auth):
    await call(client, IDENTIFY, widget(email="c@x.io", company={"id": "x1", "name": "Xylo"}))
    answer = await call(client, IDENTIFY, widget(email="c@x.io", company={"name": "Other Co"}))
    assert len(answer["company_ids"]) == 2
    created = await company(client, auth, answer["active_company_id"])
    assert created["name"] == "Other Co"
    assert created["is_placeholder"] is False


async def test_rule5_work_email_shares_one_placeholder_per_domain(client, widget, auth):
    a = await call(client, IDENTIFY, widget("v1", email="a@acme.io"))
    b = await call(client, IDENTIFY, widget("v2", email="b@acme.io"))
    assert a["company_ids"] == b["company_ids"]
    placeholder = await company(client, auth, a["company_ids"][0])
    assert placeholder["is_placeholder"] is True
    assert placeholder["name"] == "acme.io"
    assert sorted(placeholder["contact_ids"]) == sorted([a["contact_id"], b["contact_id"]])


async def test_rule5_free_mail_gets_a_placeholder_of_its_own(client, widget, auth):
    a = await call(client, IDENTIFY, widget("v1", email="a@gmail.com"))
    b = await call(client, IDENTIFY, widget("v2", email="b@gmail.com"))
    assert a["company_ids"] != b["company_ids"]
    for answer in (a, b):
        assert (await company(client, auth, answer["company_ids"][0]))["is_placeholder"] is True


async def test_rule6_idle_placeholder_is_deleted_when_a_real_company_arrives(client, widget, auth):
    first = await call(client, IDENTIFY, widget(email="d@solo.dev"))
    [placeholder_id] = first["company_ids"]
    answer = await call(client, IDENTIFY, widget(email="d@solo.dev", company={"id": "real"}))
    assert answer["company_ids"] == ["real"]
    gone = await client.get(f"/api/companies/{placeholder_id}", headers=auth)
    assert gone.status_code == 404


async def test_rule6_shared_placeholder_stays_for_the_other_contacts(client, widget, auth):
    a = await call(client, IDENTIFY, widget("v1", email="a@team.dev"))
    b = await call(client, IDENTIFY, widget("v2", email="b@team.dev"))
    [placeholder_id] = a["company_ids"]
    await call(client, IDENTIFY, widget("v1", email="a@team.dev", company={"id": "team"}))
    kept = await company(client, auth, placeholder_id)
    assert kept["contact_ids"] == [b["contact_id"]]


async def test_rule6_placeholder_holding_value_keeps_link_and_stays_marked(client, widget, auth):
    cases = {
        "deal": {"deal_value": 500},
        "notes": {"notes": "met at conf"},
        "metadata": {"metadata": {"source": "ads"}},
        "stage": {"stage": "Proposal"},
    }
    for label, patch in cases.items():
        email = f"{label}@{label}-corp.dev"
        first = await call(client, IDENTIFY, widget(label, email=email))
        [placeholder_id] = first["company_ids"]
        edited = await client.patch(f"/api/companies/{placeholder_id}", json=patch, headers=auth)
        assert edited.status_code == 200, edited.text
        answer = await call(client, IDENTIFY, widget(label, email=email, company={"id": label}))
        assert sorted(answer["company_ids"]) == sorted([placeholder_id, label]), label
        kept = await company(client, auth, placeholder_id)
        assert kept["is_placeholder"] is True, label


async def test_rule6_placeholder_with_tracked_milestone_stays(client, widget, auth):
    first = await call(client, IDENTIFY, widget(email="t@track.dev"))
    [placeholder_id] = first["company_ids"]
    track = widget(name="activated", company_id=placeholder_id)
    await call(client, "/api/widget/track", track, status=201)
    answer = await call(client, IDENTIFY, widget(email="t@track.dev", company={"id": "real"}))
    assert placeholder_id in answer["company_ids"]


async def test_rule6_widget_stage_alone_does_not_make_a_placeholder_valuable(client, widget, auth):
    first = await call(client, IDENTIFY, widget(email="w@widget.dev"))
    [placeholder_id] = first["company_ids"]
    await call(client, "/api/widget/set-stage", widget(stage="Qualified"))
    answer = await call(client, IDENTIFY, widget(email="w@widget.dev", company={"id": "real"}))
    assert answer["company_ids"] == ["real"]
    assert (await client.get(f"/api/companies/{placeholder_id}", headers=auth)).status_code == 404


async def test_rule7_company_metadata_merges_and_stage_moves(client, widget, auth):
    body = widget(
        email="e@acme.com",
        company={"id": "acme", "metadata": {"plan": "team", "x": 1}, "stage": "Qualified"},
    )
    answer = await call(client, IDENTIFY, body)
    assert answer["stage"] == {
        "company_id": "acme",
        "stage": "Qualified",
        "previous_stage": None,
        "requested_stage": "Qualified",
        "mode": "advance_only",
        "applied": True,
        "reason": None,
    }
    body = widget(
        email="e@acme.com", company={"id": "acme", "metadata": {"x": None}, "stage": "lead"}
    )
    answer = await call(client, IDENTIFY, body)
    assert answer["stage"]["applied"] is False
    assert answer["stage"]["reason"] == "already_later"
    acme = await company(client, auth, "acme")
    assert acme["metadata"] == {"plan": "team"}
    assert acme["stage"] == "Qualified"


async def test_rule7_stage_update_mode_exact_overrides(client, widget, auth):
    await call(
        client, IDENTIFY, widget(email="e@acme.com", company={"id": "acme", "stage": "Proposal"})
    )
    body = widget(
        email="e@acme.com", company={"id": "acme", "stage": "Lead"}, stage_update_mode="exact"
    )
    answer = await call(client, IDENTIFY, body)
    assert answer["stage"]["applied"] is True
    assert (await company(client, auth, "acme"))["stage"] == "Lead"


async def test_company_without_a_contact_is_refused(client, widget, auth):
    await refused(client, IDENTIFY, widget(company={"id": "acme"}), 409, "visitor_not_identified")
    assert await companies(client, auth) == []


async def test_a_second_person_on_the_same_browser_resets_the_active_company(client, widget):
    await call(client, IDENTIFY, widget("shared", email="a@acme.com", company={"id": "acme"}))
    answer = await call(client, IDENTIFY, widget("shared", email="b@globex.com"))
    assert answer["active_company_id"] is None


async def test_a_visitor_seen_before_is_linked_by_its_first_identify(client, auth):
    """A visitor known anonymously (set-properties) that identifies with a new email holds
    the new contact afterwards: its CRM calls find it (they were refused 409 before)."""
    body = {"app_id": "local", "visitor_id": "v-seen"}
    seen = await client.post("/api/widget/set-properties", json={**body, "properties": {"a": 1}})
    assert seen.status_code == 200, seen.text
    ident = {**body, "email": "new@acme.com", "company": {"id": "acme", "name": "Acme"}}
    assert (await client.post("/api/widget/identify", json=ident)).status_code == 200
    stage = await client.post("/api/widget/set-stage", json={**body, "stage": "Qualified"})
    assert stage.status_code == 200, stage.text
    assert stage.json()["company_id"] == "acme"


async def test_set_deal_says_the_value_was_written_apart_from_the_stage(
    client, services, widget
) -> None:
    """``applied`` is about the stage; ``deal_value_applied`` says the value was written,
    with no stage asked, with a stage not moved (advance only) and with a stage moved."""
    body = widget("v1", email="a@acme.com", company={"id": "acme", "stage": "Proposal"})
    assert (await client.post("/api/widget/identify", json=body)).status_code == 200
    cases = [({}, False), ({"stage": "Lead"}, False), ({"stage": "Negotiation"}, True)]
    for n, (extra, moved) in enumerate(cases, start=1):
        answer = await client.post(
            "/api/widget/set-deal", json=widget("v1", deal_value=100 * n, **extra)
        )
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert (got["applied"], got["deal_value"], got["deal_value_applied"]) == (
            moved,
            100 * n,
            True,
        )
        assert (await services.companies.get("acme")).deal_value == 100 * n
