"""The timeline API: record, list newest first, edit with history, bad input, isolation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction, InteractionRevision
from saas.extensions import db
from saas.tags.models import CandidateTag
from tests.candidates.test_api import count, create, in_tenant
from tests.factories import TenantFixture

NOTE = {"occurred_at": "2025-10-12T10:00:00+08:00", "channel": "wechat",
        "direction": "inbound", "summary": "最近在处理旧公司的项目,需要1个月时间",
        "open_questions": ["奖金部分怎么算"]}


def timeline_url(app: Flask, tenant: TenantFixture) -> str:
    candidate = create(app, tenant, {"name": "张伟", "locale": "zh-CN"})
    return f"/api/v1/candidates/{candidate['id']}/interactions"


def test_record_a_conversation_updates_the_candidate(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    url = timeline_url(app, tenant_a)
    response = client.post(url, json=NOTE, headers=tenant_a.headers("recruiter"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "occurred_at", "channel", "direction", "summary", "quote",
                         "open_questions", "author", "version", "edited_at"}
    assert body["open_questions"] == [{"text": "奖金部分怎么算", "answered_at": None}]
    assert body["author"] == {"id": str(tenant_a.users["recruiter"]), "name": "Recruiter"}
    assert body["version"] == 1 and body["edited_at"] is None
    candidate = client.get(url.rsplit("/", 1)[0], headers=tenant_a.headers()).get_json()
    assert candidate["last_contact_at"].startswith("2025-10-12T02:00:00")
    # The insight step ran: the reason and the follow-up date come from the note.
    assert {"dimension": "reason", "code": "project_wrapup"}.items() <= \
        candidate["tags"][0].items()
    assert candidate["tags"][0]["source"] == "inferred"
    assert candidate["next_follow_up_on"] == "2025-11-12"

    # A note is not a conversation: it leaves the last contact where it was.
    client.post(url, headers=tenant_a.headers(), json={
        "direction": "note", "summary": "Reminder: ask about the bonus",
        "occurred_at": "2025-12-01T09:00:00+00:00"})
    again = client.get(url.rsplit("/", 1)[0], headers=tenant_a.headers()).get_json()
    assert again["last_contact_at"] == candidate["last_contact_at"]


def test_timeline_is_newest_first_and_paginated(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    url = timeline_url(app, tenant_a)
    for day in ("2025-01-05", "2025-03-05", "2025-02-05"):
        assert client.post(url, headers=tenant_a.headers(), json={
            "summary": f"call on {day}", "direction": "outbound", "channel": "phone",
            "occurred_at": f"{day}T10:00:00+08:00"}).status_code == 201
    page = client.get(f"{url}?limit=2", headers=tenant_a.headers()).get_json()
    assert [i["summary"] for i in page["items"]] == ["call on 2025-03-05", "call on 2025-02-05"]
    rest = client.get(f"{url}?limit=2&cursor={page['next_cursor']}",
                      headers=tenant_a.headers()).get_json()
    assert [i["summary"] for i in rest["items"]] == ["call on 2025-01-05"]
    assert rest["next_cursor"] is None


def test_edit_keeps_history_and_marks_questions_answered(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    url = timeline_url(app, tenant_a)
    created = client.post(url, json=NOTE, headers=tenant_a.headers("recruiter")).get_json()
    item = f"{url}/{created['id']}"
    edited = client.patch(item, headers=tenant_a.headers(), json={
        "summary": "需要1个月时间 (corrected)", "answered_questions": [0]})
    assert edited.status_code == 200, edited.get_json()
    body = edited.get_json()
    assert body["version"] == 2 and body["edited_at"]
    assert body["open_questions"][0]["answered_at"]
    assert client.patch(item, headers=tenant_a.headers(),
                        json={"answered_questions": [3]}).status_code == 422
    unchanged = client.patch(item, headers=tenant_a.headers(), json={"summary": body["summary"]})
    assert unchanged.get_json()["version"] == 2
    history = client.get(f"{item}/revisions", headers=tenant_a.headers()).get_json()["items"]
    assert len(history) == 1
    assert history[0]["version"] == 1
    assert history[0]["summary"] == NOTE["summary"]
    assert history[0]["open_questions"] == [{"text": "奖金部分怎么算", "answered_at": None}]
    assert history[0]["replaced_by"]["id"] == str(tenant_a.users["tenant_admin"])
    listed = client.get(url, headers=tenant_a.headers()).get_json()["items"]
    assert listed[0]["summary"] == "需要1个月时间 (corrected)"


def test_emoji_and_mixed_scripts_are_kept_intact(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    url = timeline_url(app, tenant_a)
    text = "Talked 🙂👍🏽 — 他说 next month 可以聊; Ünïcödé, العربية, 日本語, e\u0301"
    body = client.post(url, headers=tenant_a.headers(), json={
        "summary": text, "quote": "「我再想想」🤔", "open_questions": ["远程? 🏠"]}).get_json()
    again = client.get(url, headers=tenant_a.headers()).get_json()["items"][0]
    assert again["summary"] == text == body["summary"]
    assert again["quote"] == "「我再想想」🤔"
    assert again["open_questions"][0]["text"] == "远程? 🏠"


def test_bad_notes_are_422_naming_the_field_and_store_nothing(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    url = timeline_url(app, tenant_a)
    cases = [
        ({"summary": "x" * 100_000}, "summary"),
        ({"summary": ""}, "summary"),
        ({"summary": "   "}, "summary"),
        ({}, "summary"),
        ({"summary": "ok", "mood": "happy"}, "mood"),
        ({"summary": "ok", "quote": "q" * 2001}, "quote"),
        ({"summary": "ok", "open_questions": ["q"] * 21}, "open_questions"),
        ({"summary": "ok", "open_questions": ["x" * 501]}, "open_questions[0]"),
        ({"summary": "ok", "direction": "sideways"}, "direction"),
        ({"summary": "ok", "channel": "pigeon"}, "channel"),
        ({"summary": "ok", "occurred_at": "2025-10-12T10:00:00"}, "occurred_at"),
        ({"summary": "ok", "occurred_at": "2999-01-01T10:00:00+00:00"}, "occurred_at"),
    ]
    for body, field in cases:
        response = client.post(url, json=body, headers=tenant_a.headers())
        assert response.status_code == 422, (body, response.status_code)
        assert field in response.get_json()["errors"], (field, response.get_json())
    assert count(app, tenant_a, Interaction) == 0
    assert count(app, tenant_a, CandidateTag) == 0  # the extractor never ran
    with in_tenant(app, tenant_a):
        candidate = db.session.scalars(sa.select(Candidate)).one()
        assert (candidate.last_contact_at, candidate.next_follow_up_on,
                candidate.preferred_channel) == (None, None, None)
        assert not db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "interaction.created")).all()


def test_another_tenants_ids_are_404_on_every_route(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    client = app.test_client()
    url = timeline_url(app, tenant_a)
    created = client.post(url, json=NOTE, headers=tenant_a.headers()).get_json()
    candidate_url = url.rsplit("/", 1)[0]
    item = f"{url}/{created['id']}"
    for method, path in (("GET", candidate_url), ("PATCH", candidate_url),
                         ("DELETE", candidate_url), ("GET", url), ("POST", url),
                         ("GET", item), ("PATCH", item), ("GET", f"{item}/revisions")):
        for body in ({}, {"summary": "hijack", "name": "hijack"}):
            response = client.open(path, method=method, json=body, headers=tenant_b.headers())
            assert response.status_code == 404, (method, path, body)
    # An interaction of another candidate of the same tenant is not found either.
    other = timeline_url(app, tenant_a)
    assert client.get(f"{other}/{created['id']}", headers=tenant_a.headers()).status_code == 404
    assert count(app, tenant_a, InteractionRevision) == 0
    assert count(app, tenant_a, Interaction) == 1
