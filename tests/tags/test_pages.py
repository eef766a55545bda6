"""The tag page and the candidate page's tag chips, in both languages."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from saas.auth.models import User
from saas.extensions import db
from saas.tags.models import TagCorrection
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture, csrf_from, login
from tests.tags.helpers import make_candidate, record_note, tags


def _set_locale(app: Flask, tenant: TenantFixture, role: str, locale: str) -> None:
    with app.app_context(), tenant_context(tenant.id):
        user = db.session.get(User, (tenant.id, tenant.users[role]))
        assert user is not None
        user.locale = locale
        db.session.commit()


def test_tag_page_shows_dimensions_counts_and_custom_tags(
    app: Flask, tenant_a: TenantFixture
) -> None:
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid)
    client = app.test_client()
    login(client, tenant_a, "recruiter")
    page = client.get("/tags")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "未响应-项目收尾" in html and "偏好-团队氛围" in html and "渠道-微信" in html
    assert 'href="/tags"' in html  # nav item

    token = csrf_from(html)
    bad = client.post("/tags", data={"csrf_token": token, "code": "Not OK", "label": ""})
    assert bad.status_code == 422
    bad_html = bad.get_data(as_text=True)
    assert 'value="Not OK"' in bad_html  # what was typed is kept
    assert bad_html.count('class="error"') >= 2
    made = client.post("/tags", data={"csrf_token": token, "code": "vip", "label": "金牌人选"})
    assert made.status_code == 302
    dup = client.post("/tags", data={"csrf_token": token, "code": "vip", "label": "Again"})
    assert dup.status_code == 422 and "vip" in dup.get_data(as_text=True)
    html = client.get("/tags").get_data(as_text=True)
    assert "金牌人选" in html
    tag_id = re.search(r'/tags/([0-9a-f-]{36})/delete', html)
    assert tag_id
    assert client.post(f"/tags/{tag_id.group(1)}/delete",
                       data={"csrf_token": token}).status_code == 302
    client.get("/tags")  # shows the flash
    assert "金牌人选" not in client.get("/tags").get_data(as_text=True)


def test_tag_page_in_english_and_read_only_for_analysts(
    app: Flask, tenant_a: TenantFixture
) -> None:
    _set_locale(app, tenant_a, "analyst", "en")
    client = app.test_client()
    login(client, tenant_a, "analyst")
    html = client.get("/tags").get_data(as_text=True)
    assert "No response – project wrap-up" in html
    assert "Tag everyone" not in html and "/tags/segment" not in html
    assert client.post("/tags", data={"csrf_token": csrf_from(html), "code": "x",
                                      "label": "x"}).status_code == 403


def test_tag_everyone_in_a_segment_form(app: Flask, tenant_a: TenantFixture) -> None:
    for _ in range(2):
        make_candidate(app, tenant_a, city="杭州")
    client = app.test_client()
    login(client, tenant_a, "recruiter")
    token = csrf_from(client.get("/tags").get_data(as_text=True))
    done = client.post("/tags/segment", data={"csrf_token": token, "q": "city:杭州",
                                              "tag": "value:training"},
                       follow_redirects=True)
    assert done.status_code == 200
    assert re.search(r"\b2\b", done.get_data(as_text=True))
    broken = client.post("/tags/segment", data={"csrf_token": token, "q": "city:(",
                                                "tag": "value:training"})
    assert broken.status_code == 422
    assert 'value="city:("' in broken.get_data(as_text=True)
    unknown = client.post("/tags/segment", data={"csrf_token": token, "q": "city:杭州",
                                                 "tag": "value:yachts"})
    assert unknown.status_code == 422


def test_candidate_chips_accept_correct_remove_and_add(
    app: Flask, tenant_a: TenantFixture
) -> None:
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid)
    found = tags(app, tenant_a, cid)
    client = app.test_client()
    login(client, tenant_a, "recruiter")
    page = client.get(f"/candidates/{cid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "未响应-项目收尾" in html and "2025" in html  # inferred from the note of <date>
    token = csrf_from(html)
    base = f"/candidates/{cid}/tags"
    back = client.post(f"{base}/{found[('value', 'flexibility')].id}/accept",
                       data={"csrf_token": token})
    assert back.status_code == 302 and back.headers["Location"].endswith(
        f"/candidates/{cid}#tags")
    assert client.post(f"{base}/{found[('reason', 'project_wrapup')].id}/correct",
                       data={"csrf_token": token, "code": "health"}).status_code == 302
    assert client.post(f"{base}/{found[('channel', 'wechat')].id}/remove",
                       data={"csrf_token": token}).status_code == 302
    assert client.post(base, data={"csrf_token": token, "tag": "value:stability"}
                       ).status_code == 302
    now = tags(app, tenant_a, cid)
    assert now[("value", "flexibility")].source == "manual"
    assert now[("reason", "health")].source == "manual"
    assert ("channel", "wechat") not in now and ("value", "stability") in now
    with app.app_context(), tenant_context(tenant_a.id):
        actions = sorted(db.session.scalars(sa.select(TagCorrection.action)))
    assert actions == ["accept", "correct", "remove"]
    # Without the CSRF token nothing changes.
    assert client.post(base, data={"tag": "value:family"}).status_code in (400, 403)
    assert ("value", "family") not in tags(app, tenant_a, cid)


def test_other_tenants_candidate_tags_are_not_found_in_pages(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid)
    tag_id = tags(app, tenant_a, cid)[("reason", "project_wrapup")].id
    client = app.test_client()
    login(client, tenant_b, "recruiter")
    token = csrf_from(client.get("/tags").get_data(as_text=True))
    for action in ("accept", "remove"):
        assert client.post(f"/candidates/{cid}/tags/{tag_id}/{action}",
                           data={"csrf_token": token}).status_code == 404
    assert client.post(f"/candidates/{cid}/tags",
                       data={"csrf_token": token, "tag": "value:family"}).status_code == 404
