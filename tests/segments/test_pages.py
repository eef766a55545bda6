"""Segment pages: query bar, errors marked, save, show, edit, delete, both languages."""

from __future__ import annotations

import html
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.auth.models import User
from saas.extensions import db
from saas.segments.models import SavedSegment
from saas.tenancy.context import tenant_context
from tests.factories import csrf_from, login
from tests.segments.conftest import People


@pytest.fixture()
def recruiter(app: Flask, people: People) -> FlaskClient:
    client = app.test_client()
    login(client, people.tenant, "recruiter")
    english(client)
    return client


def english(client: FlaskClient) -> None:
    """These tests read the English texts (the test tenants' language is zh-CN)."""
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})


def page(client: FlaskClient, url: str, **params: str) -> str:
    response = client.get(url, query_string=params)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def segment_named(app: Flask, people: People, name: str) -> SavedSegment | None:
    with app.app_context(), tenant_context(people.tenant.id):
        return db.session.scalars(
            sa.select(SavedSegment).where(SavedSegment.name == name)).first()


def test_query_bar_lists_results_and_count(recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments", q="skill:python")
    assert "Matching candidates: 2" in body
    assert "张伟" in body and "Li Na" in body and "Alice Smith" not in body
    assert "后端工程师 @ 某科技" in body
    assert 'value="skill:python"' in body


def test_examples_and_field_help_fill_the_bar(recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments")
    assert "/segments?q=follow_up:due+owner:me" in body or (
        "/segments?q=follow_up%3Adue+owner%3Ame" in body)
    for field in ("reason:", "last_contact:", "contract_end:", "owner:", "signal:"):
        assert f"<code>{field}</code>" in body
    assert "Matching candidates: 6" in body


def test_error_is_shown_under_the_bar_with_the_position_marked(recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments", q="status:stalled reason:nosuch")
    assert "A value is not valid here" in body
    assert "at character 23" in body
    assert "<code>status:stalled reason:<mark" in body and ">n</mark>osuch</code>" in body
    assert 'aria-invalid="true"' in body
    assert "Save this query" not in body


def test_error_at_the_end_marks_an_empty_spot(recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments", q="match:high AND")
    assert "The query ends too early" in body
    assert "␣</mark></code>" in body


def test_save_then_show_edit_delete(app: Flask, people: People,
                                    recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments", q="reason:project_wrapup")
    response = recruiter.post("/segments", data={
        "csrf_token": csrf_from(body), "query": "reason:project_wrapup",
        "name": "Wrapping up", "description": "Call after the release",
    })
    assert response.status_code == 302
    segment = segment_named(app, people, "Wrapping up")
    assert segment is not None and segment.query == "reason:project_wrapup"

    shown = page(recruiter, f"/segments/{segment.id}")
    assert "Matching candidates: 2" in shown and "Call after the release" in shown
    listing = page(recruiter, "/segments")
    assert "Wrapping up" in listing

    response = recruiter.post(f"/segments/{segment.id}", data={
        "csrf_token": csrf_from(shown), "name": "Wrapping up, strong match",
        "query": "reason:project_wrapup match:high", "description": "",
    })
    assert response.status_code == 302
    edited = segment_named(app, people, "Wrapping up, strong match")
    assert edited is not None and edited.description is None
    assert "Matching candidates: 1" in page(recruiter, f"/segments/{segment.id}")

    response = recruiter.post(f"/segments/{segment.id}/delete",
                              data={"csrf_token": csrf_from(shown)})
    assert response.status_code == 302
    assert segment_named(app, people, "Wrapping up, strong match") is None
    assert recruiter.get(f"/segments/{segment.id}").status_code == 404


def test_save_without_a_name_keeps_what_was_typed(app: Flask, people: People,
                                                  recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments")
    response = recruiter.post("/segments", data={
        "csrf_token": csrf_from(body), "query": "city:上海", "name": "",
        "description": "Shanghai people",
    })
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert 'value="city:上海"' in text and 'value="Shanghai people"' in text
    assert 'id="name-error"' in text


def test_save_a_duplicate_name_is_refused(app: Flask, people: People,
                                          recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments")
    for expected in (302, 422):
        response = recruiter.post("/segments", data={
            "csrf_token": csrf_from(body), "query": "status:hired", "name": "Hired people"})
        assert response.status_code == expected
    assert "Another segment already has this name." in response.get_data(as_text=True)


def test_save_a_bad_query_stores_nothing(app: Flask, people: People,
                                         recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments")
    response = recruiter.post("/segments", data={
        "csrf_token": csrf_from(body), "query": "status:(", "name": "Broken"})
    assert response.status_code == 422
    assert "Fix the query before saving it." in response.get_data(as_text=True)
    assert segment_named(app, people, "Broken") is None


def test_edit_with_a_bad_query_names_the_position(app: Flask, people: People,
                                                  recruiter: FlaskClient) -> None:
    body = page(recruiter, "/segments")
    recruiter.post("/segments", data={
        "csrf_token": csrf_from(body), "query": "status:stalled", "name": "To edit"})
    segment = segment_named(app, people, "To edit")
    assert segment is not None
    response = recruiter.post(f"/segments/{segment.id}", data={
        "csrf_token": csrf_from(body), "name": "To edit", "query": "owner:ghost@x.example"})
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert "No such teammate at character 7" in text
    assert 'owner:ghost@x.example</textarea>' in text
    unchanged = segment_named(app, people, "To edit")
    assert unchanged is not None and unchanged.query == "status:stalled"


def test_hiring_manager_reads_but_cannot_save(app: Flask, people: People) -> None:
    client = app.test_client()
    login(client, people.tenant, "hiring_manager")
    body = page(client, "/segments")
    assert "Save this query" not in body
    response = client.post("/segments", data={
        "csrf_token": csrf_from(body), "query": "", "name": "Nope"})
    assert response.status_code == 403


def test_pages_in_both_languages(app: Flask, people: People) -> None:
    chinese = app.test_client()
    login(chinese, people.tenant, "hiring_manager")  # no language of their own: the tenant's
    zh = page(chinese, "/segments", q="status:stalled")
    assert '<html lang="zh-CN">' in zh and 'href="/segments"' in zh
    with app.app_context(), tenant_context(people.tenant.id):
        analyst = db.session.get(User, (people.tenant.id, people.tenant.users["analyst"]))
        assert analyst is not None
        analyst.locale = "en"
        db.session.commit()
    client = app.test_client()
    login(client, people.tenant, "analyst")
    en = page(client, "/segments", q="status:stalled")
    assert '<html lang="en">' in en and "Matching candidates: 2" in en
    assert ">Segments</a>" in en


def test_another_tenants_segment_page_is_404(app: Flask, people: People,
                                             recruiter: FlaskClient) -> None:
    with app.app_context(), tenant_context(people.other.id):
        segment = SavedSegment(name=f"Theirs {uuid.uuid4().hex[:6]}", query="")
        db.session.add(segment)
        db.session.commit()
        segment_id = segment.id
    assert recruiter.get(f"/segments/{segment_id}").status_code == 404
    body = page(recruiter, "/segments")
    token = csrf_from(body)
    assert recruiter.post(f"/segments/{segment_id}", data={
        "csrf_token": token, "name": "x", "query": ""}).status_code == 404
    assert recruiter.post(f"/segments/{segment_id}/delete",
                          data={"csrf_token": token}).status_code == 404
