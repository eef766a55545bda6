"""The audit page: filters, labels in both languages, verification, permissions, isolation."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas import audit
from saas.audit.models import AuditEvent
from saas.auth.models import User
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.audit.conftest import record_events, tamper
from tests.factories import TenantFixture, csrf_from, login


def _client(app: Flask, tenant: TenantFixture, role: str = "tenant_admin",
            locale: str = "en") -> FlaskClient:
    """Signed in as ``role``, whose own language is ``locale``."""
    with app.app_context(), tenant_context(tenant.id):
        user = db.session.get(User, (tenant.id, tenant.users[role]))
        assert user is not None
        user.locale = locale
        db.session.commit()
    client = app.test_client()
    assert login(client, tenant, role).status_code == 302
    return client


def test_the_page_lists_events_newest_first_with_labels(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = _client(app, tenant_a)
    with app.app_context(), tenant_context(tenant_a.id):
        audit.record("segment.created", actor_kind="user", actor_id=tenant_a.users["recruiter"],
                     target_kind="segment", target_id="seg-1")
        db.session.commit()
    html = client.get("/settings/audit").get_data(as_text=True)
    assert "Audit trail" in html
    assert "Saved a segment" in html and "Signed in" in html
    assert html.index("Saved a segment") < html.index("Signed in")  # newest first
    assert "Recruiter" in html  # the actor's name
    assert 'href="/settings/audit"' in html  # in the navigation


def test_the_page_speaks_chinese(app: Flask, tenant_a: TenantFixture) -> None:
    client = _client(app, tenant_a, locale="zh-CN")
    html = client.get("/settings/audit").get_data(as_text=True)
    assert 'lang="zh-CN"' in html or "lang=zh-CN" in html
    assert "登录了" in html  # "Signed in"
    assert "审计日志" in html and "验证日志" in html  # "Audit trail", "Verify the trail"
    assert "Signed in" not in html and "Verify the trail" not in html


def test_filters_narrow_the_list(app: Flask, tenant_a: TenantFixture) -> None:
    client = _client(app, tenant_a)
    recruiter = tenant_a.users["recruiter"]
    with app.app_context(), tenant_context(tenant_a.id):
        audit.record("tag.created", actor_kind="user", actor_id=recruiter, target_kind="tag",
                     target_id="tag-one", detail={"code": "alpha"})
        audit.record("tag.deleted", actor_kind="user", actor_id=recruiter, target_kind="tag",
                     target_id="tag-two", detail={"code": "beta"})
        audit.record("permission.denied", outcome="denied", actor_kind="user",
                     actor_id=tenant_a.users["analyst"], target_kind="endpoint",
                     target_id="audit.index", detail={"permission": "audit:read"})
        db.session.commit()

    def listed(**args: str) -> str:
        response = client.get("/settings/audit", query_string=args)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_data(as_text=True)

    by_action = listed(action="tag.created")
    assert "tag-one" in by_action and "tag-two" not in by_action
    by_actor = listed(actor=str(tenant_a.users["analyst"]))
    assert "audit.index" in by_actor and "tag-one" not in by_actor
    by_outcome = listed(outcome="denied")
    assert "Was refused a page or action (refused)" in by_outcome and "tag-two" not in by_outcome
    by_target = listed(target="tag-two")
    assert "tag-two" in by_target and "tag-one" not in by_target
    today = dt.date.today()
    assert "tag-one" in listed(since=str(today - dt.timedelta(days=1)),
                               until=str(today + dt.timedelta(days=1)))
    assert "tag-one" not in listed(since=str(today + dt.timedelta(days=2)))
    assert "No events match" in listed(until=str(today - dt.timedelta(days=2)))


def test_bad_filters_are_explained_next_to_the_field(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = _client(app, tenant_a)
    response = client.get("/settings/audit", query_string={
        "action": "no.such_action", "actor": "not-a-user", "outcome": "maybe",
        "since": "2026-02-30", "target": "a b<script>"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count('class="error"') == 5
    assert "Not a valid choice" in html and "Not a valid date value" in html
    assert "Use an id or code" in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>")[0].replace(
        "&lt;script&gt;", "")
    reversed_range = client.get("/settings/audit", query_string={
        "since": "2026-03-02", "until": "2026-03-01"})
    assert reversed_range.status_code == 422
    assert "on or after the first day" in reversed_range.get_data(as_text=True)


def test_pages_follow_with_the_filters_kept(app: Flask, tenant_a: TenantFixture) -> None:
    record_events(app, tenant_a.id, 55, action="tag.created")
    client = _client(app, tenant_a)
    first = client.get("/settings/audit?action=tag.created").get_data(as_text=True)
    row = '<code>t-'
    assert first.count(row) == 50
    link = first.split('class="pad more"><a class="button secondary" href="')[1].split('"')[0]
    assert "action=tag.created" in link
    second = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert second.count(row) == 5 and "Older events" not in second
    stale = client.get("/settings/audit?cursor=not-a-cursor", follow_redirects=True)
    assert stale.status_code == 200


def test_verify_shows_an_intact_trail_then_a_tampered_one(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine
) -> None:
    client = _client(app, tenant_a)
    token = csrf_from(client.get("/settings/audit").get_data(as_text=True))
    ok = client.post("/settings/audit/verify", data={"csrf_token": token})
    assert ok.status_code == 200
    assert "The trail is intact" in ok.get_data(as_text=True)
    with app.app_context(), tenant_context(tenant_a.id):
        seq = db.session.scalar(sa.select(sa.func.min(AuditEvent.seq)))
        verified = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "audit.verified")).one()
        assert verified.detail["ok"] is True
    tamper(owner_engine, "UPDATE audit_events SET detail = :d WHERE tenant_id = :t AND seq = :s",
           d={"role": "recruiter"}, t=tenant_a.id, s=seq)
    bad = client.post("/settings/audit/verify", data={"csrf_token": token})
    html = bad.get_data(as_text=True)
    assert "The trail was tampered with" in html
    assert f"Event {seq} was changed" in html


def test_verify_needs_the_csrf_token(app: Flask, tenant_a: TenantFixture) -> None:
    client = _client(app, tenant_a)
    assert client.post("/settings/audit/verify").status_code == 400


def test_roles_without_audit_read_are_refused(app: Flask, tenant_a: TenantFixture) -> None:
    for role in ("recruiter", "hiring_manager", "analyst"):
        client = _client(app, tenant_a, role)
        assert client.get("/settings/audit").status_code == 403
        token = csrf_from(client.get("/account").get_data(as_text=True))
        assert client.post("/settings/audit/verify",
                           data={"csrf_token": token}).status_code == 403
        assert client.post("/settings/audit/export",
                           data={"csrf_token": token, "format": "csv"}).status_code == 403
        assert 'href="/settings/audit"' not in client.get("/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask) -> None:
    response = app.test_client().get("/settings/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_tenants_events_never_show(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with app.app_context(), tenant_context(tenant_b.id):
        audit.record("tag.created", target_kind="tag", target_id="bravo-only-tag")
        db.session.commit()
    client = _client(app, tenant_a)
    assert "bravo-only-tag" not in client.get("/settings/audit").get_data(as_text=True)
    searched = client.get("/settings/audit?target=bravo-only-tag").get_data(as_text=True)
    assert "No events match" in searched
