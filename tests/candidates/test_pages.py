"""Candidate pages: list, profile with timeline, forms and their errors, both languages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from tests.candidates.test_api import SALARY, ZHANG, count, create, in_tenant
from tests.factories import TenantFixture, csrf_from, login


def signed_in(app: Flask, tenant: TenantFixture, role: str, locale: str = "en") -> FlaskClient:
    client = app.test_client()
    assert login(client, tenant, role).status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": locale, "next": "/"})
    return client


def token(client: FlaskClient, path: str) -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


@pytest.mark.parametrize("role", ["tenant_admin", "recruiter"])
@pytest.mark.parametrize("locale,marker", [("en", "Last talked"), ("zh-CN", "退出登录")])
def test_pages_render_for_admin_and_recruiter_in_both_languages(
    app: Flask, tenant_a: TenantFixture, role: str, locale: str, marker: str
) -> None:
    candidate = create(app, tenant_a, {**ZHANG, "expected_salary": SALARY})
    url = f"/candidates/{candidate['id']}"
    app.test_client().post(f"/api/v1/candidates{url[11:]}/interactions", headers=tenant_a.headers(),
                           json={"summary": "需要1个月时间", "direction": "inbound",
                                 "channel": "wechat", "open_questions": ["奖金部分怎么算"]})
    client = signed_in(app, tenant_a, role, locale)
    entry = client.get(f"/api/v1/candidates{url[11:]}/interactions",
                       headers=tenant_a.headers()).get_json()["items"][0]["id"]
    pages = ("/candidates", "/candidates?q=张伟", "/candidates/new", url, f"{url}/edit",
             f"{url}/interactions/{entry}/edit",
             *((f"{url}/delete",) if role == "tenant_admin" else ()))
    for path in pages:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert f'<html lang="{locale}">' in html, path
        assert "<script>" not in html and " style=" not in html, path
    profile = client.get(url).get_data(as_text=True)
    assert "张伟" in profile and "奖金部分怎么算" in profile
    assert ("Mark answered" if locale == "en" else "退出登录") in profile
    if locale == "en":
        assert "Last talked" in profile
    assert "40,000" not in profile  # pay only through the audited reveal
    assert ("/compensation" in profile) is (role == "tenant_admin")
    form = client.get(f"{url}/edit").get_data(as_text=True)
    assert ('name="expected_amount"' in form) is (role == "tenant_admin")
    listing = client.get("/candidates").get_data(as_text=True)
    assert "后端工程师 @ 某科技" in listing
    assert "/candidates" in client.get("/").get_data(as_text=True)  # in the navigation


def test_empty_list_and_bad_query(app: Flask, tenant_a: TenantFixture) -> None:
    client = signed_in(app, tenant_a, "recruiter")
    assert "No candidates yet" in client.get("/candidates").get_data(as_text=True)
    bad = client.get("/candidates?q=status:(")
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.get_data(as_text=True)


def test_add_edit_and_delete_through_the_pages(app: Flask, tenant_a: TenantFixture) -> None:
    client = signed_in(app, tenant_a, "recruiter")
    bad = client.post("/candidates/new", data={
        "csrf_token": token(client, "/candidates/new"), "name": "Emily Chen",
        "emails": "emily@example.com\nnot-an-email", "phones": "12", "status": "active",
        "owner_id": "", "preferred_channel": "", "locale": "", "timezone": "Mars/Base"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "not-an-email" in html and "“12” is not a valid phone number" in html
    assert 'value="Emily Chen"' in html  # what was typed is kept
    assert count(app, tenant_a, Candidate) == 0
    created = client.post("/candidates/new", data={
        "csrf_token": token(client, "/candidates/new"), "name": "Emily Chen",
        "emails": "Emily@Example.com", "phones": "+86 138 0013 8000", "status": "stalled",
        "owner_id": "", "preferred_channel": "email", "locale": "en", "timezone": "",
        "values": ["flexibility"], "skills": "Python, pmp"})
    assert created.status_code == 302
    url = created.headers["Location"]
    with in_tenant(app, tenant_a):
        row = db.session.scalars(sa.select(Candidate)).one()
        assert row.emails == ["emily@example.com"] and row.preferred_channel_source == "manual"
    duplicate = client.post("/candidates/new", data={
        "csrf_token": token(client, "/candidates/new"), "name": "Someone",
        "phones": "13800138000", "status": "active", "owner_id": "", "preferred_channel": "",
        "locale": ""})
    assert duplicate.status_code == 422
    assert "Emily Chen already has this contact point" in duplicate.get_data(as_text=True)
    edited = client.post(f"{url}/edit", data={
        "csrf_token": token(client, f"{url}/edit"), "name": "Emily Chen", "title": "PM",
        "status": "nurturing", "owner_id": "", "preferred_channel": "", "locale": "",
        "emails": "emily@example.com"})
    assert edited.status_code == 302
    assert "PM" in client.get(url).get_data(as_text=True)
    refused = client.post(f"{url}/delete", data={"csrf_token": token(client, url)})
    assert refused.status_code == 403  # recruiters cannot erase a person
    admin = signed_in(app, tenant_a, "tenant_admin")
    gone = admin.post(f"{url}/delete", data={"csrf_token": token(admin, f"{url}/delete")})
    assert gone.status_code == 302
    assert client.get(url).status_code == 404
    assert count(app, tenant_a, Candidate) == 0


def test_add_to_timeline_keeps_errors_next_to_fields(app: Flask, tenant_a: TenantFixture) -> None:
    candidate = create(app, tenant_a, {"name": "王芳"})
    url = f"/candidates/{candidate['id']}"
    client = signed_in(app, tenant_a, "recruiter", "zh-CN")
    bad = client.post(f"{url}/interactions", data={
        "csrf_token": token(client, url), "occurred_on": "2025-10-12", "occurred_time": "10:00",
        "direction": "inbound", "channel": "wechat", "summary": "  ",
        "quote": "“我再想想”", "open_questions": "x" * 501})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert re.search(r'id="summary-error"', html)
    assert re.search(r'id="open_questions-error"', html)
    assert "“我再想想”" in html  # the quote typed is kept
    assert count(app, tenant_a, Interaction) == 0
    good = client.post(f"{url}/interactions", data={
        "csrf_token": token(client, url), "occurred_on": "2025-10-12", "occurred_time": "10:00",
        "direction": "inbound", "channel": "wechat", "summary": "最近在处理旧公司的项目 🙂",
        "quote": "", "open_questions": "奖金部分怎么算\n远程吗"})
    assert good.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "最近在处理旧公司的项目 🙂" in page and page.count('<li class="open">') == 2
    with in_tenant(app, tenant_a):
        entry = db.session.scalars(sa.select(Interaction)).one()
        entry_id = entry.id
        assert entry.occurred_at.isoformat() == "2025-10-12T02:00:00+00:00"  # Asia/Shanghai
    answered = client.post(f"{url}/interactions/{entry_id}/answer",
                           data={"csrf_token": token(client, url), "question": "1"})
    assert answered.status_code == 302
    with in_tenant(app, tenant_a):
        entry = db.session.scalars(sa.select(Interaction)).one()
        assert [q["answered_at"] is not None for q in entry.open_questions] == [False, True]
        assert entry.version == 2
    edit_url = f"{url}/interactions/{entry_id}/edit"
    saved = client.post(edit_url, data={
        "csrf_token": token(client, edit_url), "occurred_on": "2025-10-12",
        "occurred_time": "10:00", "direction": "inbound", "channel": "wechat",
        "summary": "更正后的记录", "quote": "", "open_questions": "奖金部分怎么算\n远程吗"})
    assert saved.status_code == 302
    history = client.get(edit_url).get_data(as_text=True)
    assert "最近在处理旧公司的项目 🙂" in history and "更正后的记录" in history


def test_a_100_kb_note_is_refused_whole_not_cut_short(app: Flask, tenant_a: TenantFixture) -> None:
    """No ``maxlength`` on the note fields (a browser would cut a paste short and the
    note would be saved truncated, without a word): the server says how long it is."""
    candidate = create(app, tenant_a, {"name": "王芳"})
    url = f"/candidates/{candidate['id']}"
    client = signed_in(app, tenant_a, "recruiter")
    form = client.get(url).get_data(as_text=True)
    for name in ("summary", "quote"):
        tag = re.search(rf'<textarea[^>]*id="{name}"[^>]*>', form)
        assert tag is not None and "maxlength" not in tag.group(0), name
    note = "长" * 34_000  # 102,000 bytes of UTF-8
    bad = client.post(f"{url}/interactions", data={
        "csrf_token": token(client, url), "occurred_on": "2025-10-12", "occurred_time": "10:00",
        "direction": "inbound", "channel": "wechat", "summary": note, "quote": "q" * 2_001})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "This is 34000 characters long; at most 20000 fit." in html
    assert "This is 2001 characters long; at most 2000 fit." in html
    assert note in html  # everything typed comes back, to be shortened
    assert count(app, tenant_a, Interaction) == 0
    with in_tenant(app, tenant_a):
        assert db.session.scalars(sa.select(Candidate)).one().last_contact_at is None
