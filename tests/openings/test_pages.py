"""Openings and company-news pages: lists, forms, the audience, both languages, tenancy."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.extensions import db
from saas.openings.models import ChangeEvent, Opening
from saas.segments.models import SavedSegment
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture, csrf_from, login
from tests.openings.builders import days_ago, people


def _signed_in(app: Flask, tenant: TenantFixture, role: str = "tenant_admin",
               locale: str = "en") -> FlaskClient:
    client = app.test_client()
    assert login(client, tenant, role).status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": locale, "next": "/"})
    return client


def _text(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def _count(app: Flask, tenant: TenantFixture, model: type) -> int:
    with app.app_context(), tenant_context(tenant.id):
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _token(client: FlaskClient, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def test_create_open_and_see_who_should_hear(app: Flask, tenant_a: TenantFixture) -> None:
    people(app, tenant_a, {"Lin": {"values": ("flexibility",), "skills": ("python",),
                                   "last_contact_at": days_ago(200)},
                           "Wang": {"values": ("compensation",)}})
    client = _signed_in(app, tenant_a)
    form = _text(client.get("/openings/new"))
    assert "flexible work" in form and 'type="checkbox"' in form
    saved = client.post("/openings/new", data={
        "csrf_token": csrf_from(form), "title": "Backend lead", "more_skills": "Python, go",
        "values": ["flexibility"], "status": "open"})
    assert saved.status_code == 302
    page = _text(client.get(saved.headers["Location"]))
    assert "Who should hear about this" in page and "Lin" in page and "Wang" not in page
    assert "value:flexibility -status:do_not_contact" in page
    if "outreach.compose" in app.view_functions:
        assert "/outreach/compose?candidate_id=" in page
    listing = _text(client.get("/openings"))
    assert "Backend lead" in listing and "Open" in listing
    assert _count(app, tenant_a, ChangeEvent) == 1  # opening it announced it

    opening_url = saved.headers["Location"]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    segment = client.post(f"{opening_url}/segment",
                          data={"csrf_token": token.group(1), "name": "Flexible people"})
    assert segment.status_code == 302 and "/segments/" in segment.headers["Location"]
    assert _count(app, tenant_a, SavedSegment) == 1


def test_bad_opening_form_keeps_what_was_typed(app: Flask, tenant_a: TenantFixture) -> None:
    client = _signed_in(app, tenant_a)
    token = _token(client, "/openings/new")
    response = client.post("/openings/new", data={
        "csrf_token": token, "title": "", "team": "Platform", "values": ["free_lunch"]})
    assert response.status_code == 422
    body = _text(response)
    assert 'value="Platform"' in body and "This field is required." in body
    assert "'free_lunch' is not a valid choice" in body
    assert _count(app, tenant_a, Opening) == 0


def test_event_form_edit_and_audience(app: Flask, tenant_a: TenantFixture) -> None:
    people(app, tenant_a, {"Zhao": {"values": ("family",)}})
    client = _signed_in(app, tenant_a)
    token = _token(client, "/events/new")
    bad = client.post("/events/new", data={"csrf_token": token, "kind": "party",
                                            "title": "Leave", "occurred_on": "soon"})
    assert bad.status_code == 422
    assert _count(app, tenant_a, ChangeEvent) == 0
    saved = client.post("/events/new", data={
        "csrf_token": token, "kind": "benefit", "title": "Parental leave",
        "text_zh": "育儿假延长到30天", "text_en": "Parental leave is now 30 days",
        "values": ["family"], "occurred_on": "2026-03-01", "opening_id": ""})
    assert saved.status_code == 302, _text(saved)
    page = _text(client.get(saved.headers["Location"]))
    assert "Parental leave" in page and "Zhao" in page and "育儿假延长到30天" in page
    edit_url = saved.headers["Location"] + "/edit"
    edit_form = _text(client.get(edit_url))
    assert "Parental leave is now 30 days" in edit_form
    changed = client.post(edit_url, data={
        "csrf_token": csrf_from(edit_form), "kind": "benefit", "title": "Longer parental leave",
        "values": ["flexibility"], "occurred_on": "2026-03-02"})
    assert changed.status_code == 302
    page = _text(client.get(saved.headers["Location"]))
    assert "Longer parental leave" in page and "Zhao" not in page
    assert "Longer parental leave" in _text(client.get("/events"))


def test_roles_on_pages(app: Flask, tenant_a: TenantFixture) -> None:
    recruiter = _signed_in(app, tenant_a, "recruiter")
    assert recruiter.get("/openings").status_code == 200
    assert recruiter.get("/openings/new").status_code == 403
    assert recruiter.get("/events/new").status_code == 403
    manager = _signed_in(app, tenant_a, "hiring_manager")
    assert manager.get("/openings/new").status_code == 200
    assert manager.get("/events/new").status_code == 403


@pytest.mark.parametrize("locale,marker", [("en", "Company news"), ("zh-CN", "退出登录")])
def test_pages_in_both_languages(app: Flask, tenant_a: TenantFixture, locale: str,
                                 marker: str) -> None:
    client = app.test_client()
    opening = client.post("/api/v1/openings", json={"title": "Lead", "values": ["training"]},
                          headers=tenant_a.headers()).json
    event = client.post("/api/v1/change-events", json={
        "kind": "training_program", "title": "Mentorship", "values": ["training"],
        "occurred_on": "2026-03-01"}, headers=tenant_a.headers()).json
    client = _signed_in(app, tenant_a, locale=locale)
    label = "training" if locale == "en" else "培训成长"
    for url in ("/openings", "/openings/new", f"/openings/{opening['id']}",
                f"/openings/{opening['id']}/edit", "/events", "/events/new",
                f"/events/{event['id']}", f"/events/{event['id']}/edit"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = _text(response)
        assert f'<html lang="{locale}">' in body and marker in body, url
        assert label in body, url


def test_another_tenants_pages_are_404(app: Flask, tenant_a: TenantFixture,
                                       tenant_b: TenantFixture) -> None:
    api = app.test_client()
    opening = api.post("/api/v1/openings", json={"title": "Lead"},
                       headers=tenant_a.headers()).json
    event = api.post("/api/v1/change-events", json={
        "kind": "award", "title": "Award", "occurred_on": "2026-03-01"},
        headers=tenant_a.headers()).json
    client = _signed_in(app, tenant_b)
    for url in (f"/openings/{opening['id']}", f"/openings/{opening['id']}/edit",
                f"/events/{event['id']}", f"/events/{event['id']}/edit"):
        assert client.get(url).status_code == 404, url
    token = _token(client, "/openings/new")
    for url in (f"/openings/{opening['id']}/delete", f"/events/{event['id']}/delete",
                f"/events/{event['id']}/segment"):
        assert client.post(url, data={"csrf_token": token, "name": "x"}).status_code == 404, url
    assert _count(app, tenant_a, Opening) == 1 and _count(app, tenant_a, ChangeEvent) == 1
