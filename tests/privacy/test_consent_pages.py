"""The consent section of the candidate page, do not contact, legal hold, in both languages."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.audit.models import AuditEvent
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.privacy.models import ConsentRecord
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture, csrf_from, login


def signed_in(app: Flask, tenant: TenantFixture, role: str = "recruiter",
              locale: str = "en") -> FlaskClient:
    client = app.test_client()
    assert login(client, tenant, role).status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": locale, "next": "/"})
    return client


def form_token(html: str, action: str) -> str:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    return csrf_from(form.group(1))


def person(app: Flask, tenant: TenantFixture, **fields: object) -> uuid.UUID:
    with app.app_context(), tenant_context(tenant.id):
        row = Candidate(name="Lin Yue", **fields)
        db.session.add(row)
        db.session.commit()
        return row.id


def records(app: Flask, tenant: TenantFixture, cid: uuid.UUID) -> list[ConsentRecord]:
    with app.app_context(), tenant_context(tenant.id):
        rows = list(db.session.scalars(sa.select(ConsentRecord).where(
            ConsentRecord.candidate_id == cid).order_by(ConsentRecord.given_at)))
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize("locale,marker,channel", [("en", "Sign out", "Email"),
                                                   ("zh-CN", "退出登录", "邮件")])
def test_consent_section_records_and_withdraws(
    app: Flask, tenant_a: TenantFixture, locale: str, marker: str, channel: str
) -> None:
    cid = person(app, tenant_a)
    client = signed_in(app, tenant_a, locale=locale)
    page = client.get(f"/candidates/{cid}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and marker in html
    assert 'id="consent"' in html and channel in html
    action = f"/candidates/{cid}/consents"
    saved = client.post(action, data={
        "csrf_token": form_token(html, action), "channel": "email", "basis": "consent",
        "source": "offer call", "wording": "May we email you?", "given_on": "2025-10-12",
        "given_time": "10:00", "expires_on": ""})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#consent")
    [row] = records(app, tenant_a, cid)
    assert (row.channel, row.basis, row.source, row.wording) == (
        "email", "consent", "offer call", "May we email you?")

    html = client.get(f"/candidates/{cid}").get_data(as_text=True)
    assert "badge on" in html and "offer call" in html
    withdraw = f"/candidates/{cid}/consents/withdraw"
    done = client.post(withdraw, data={"csrf_token": form_token(html, withdraw),
                                       "channel": "email"})
    assert done.status_code == 302
    assert [(r.withdrawn, r.withdrawn_via) for r in records(app, tenant_a, cid)] == [
        (False, None), (True, "page")]
    html = client.get(f"/candidates/{cid}").get_data(as_text=True)
    assert "consent-withdrawn" in html


@pytest.mark.parametrize("change,field,message", [
    ({"source": ""}, "source", "Say where the consent comes from."),
    ({"expires_on": "2025-10-01"}, "expires_on", "It cannot expire before it was given."),
    ({"given_on": "2999-01-01"}, "given_time", "Consent cannot be given in the future."),
    ({"given_on": "yesterday"}, "given_on", ""),
    ({"channel": "fax"}, "channel", ""),
    ({"basis": "vibes"}, "basis", ""),
])
def test_bad_consent_form_shows_errors_next_to_fields(
    app: Flask, tenant_a: TenantFixture, change: dict[str, str], field: str, message: str
) -> None:
    cid = person(app, tenant_a)
    client = signed_in(app, tenant_a)
    action = f"/candidates/{cid}/consents"
    html = client.get(f"/candidates/{cid}").get_data(as_text=True)
    data = {"csrf_token": form_token(html, action), "channel": "email", "basis": "consent",
            "source": "offer call", "wording": "kept text", "given_on": "2025-10-12",
            "given_time": "10:00", "expires_on": "", **change}
    response = client.post(action, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="consent-{field}-error"' in body and message in body
    assert "kept text" in body  # what was typed is kept
    assert records(app, tenant_a, cid) == []


def test_do_not_contact_action(app: Flask, tenant_a: TenantFixture) -> None:
    cid = person(app, tenant_a, status="nurturing")
    client = signed_in(app, tenant_a)
    html = client.get(f"/candidates/{cid}").get_data(as_text=True)
    assert f'href="/candidates/{cid}/do-not-contact"' in html
    confirm = client.get(f"/candidates/{cid}/do-not-contact")
    assert confirm.status_code == 200
    action = f"/candidates/{cid}/do-not-contact"
    done = client.post(action, data={"csrf_token": form_token(confirm.get_data(as_text=True),
                                                               action)})
    assert done.status_code == 302
    [row] = records(app, tenant_a, cid)
    assert (row.channel, row.withdrawn, row.withdrawn_via) == ("all", True, "page")
    with app.app_context(), tenant_context(tenant_a.id):
        status = db.session.scalars(sa.select(Candidate.status).where(Candidate.id == cid)).one()
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.target_id == str(cid))))
    assert status == "do_not_contact"
    assert {"consent.withdrawn", "candidate.updated"} <= actions
    assert "Do not contact: nobody may message" in client.get(
        f"/candidates/{cid}").get_data(as_text=True)


def test_legal_hold_actions(app: Flask, tenant_a: TenantFixture) -> None:
    cid = person(app, tenant_a)
    client = signed_in(app, tenant_a, "tenant_admin")
    html = client.get(f"/candidates/{cid}").get_data(as_text=True)
    action = f"/candidates/{cid}/legal-hold"
    empty = client.post(action, data={"csrf_token": form_token(html, action), "reason": " "})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.get_data(as_text=True)
    held = client.post(action, data={"csrf_token": form_token(html, action),
                                     "reason": "Dispute 7"})
    assert held.status_code == 302
    html = client.get(f"/candidates/{cid}").get_data(as_text=True)
    assert "Dispute 7" in html and "On legal hold since" in html
    clear = f"/candidates/{cid}/legal-hold/clear"
    assert client.post(clear, data={"csrf_token": form_token(html, clear)}).status_code == 302
    with app.app_context(), tenant_context(tenant_a.id):
        row = db.session.scalars(sa.select(Candidate).where(Candidate.id == cid)).one()
        assert row.legal_hold_at is None and row.legal_hold_reason is None


def test_roles_see_what_they_may(app: Flask, tenant_a: TenantFixture) -> None:
    cid = person(app, tenant_a)
    recruiter = signed_in(app, tenant_a, "recruiter")
    html = recruiter.get(f"/candidates/{cid}").get_data(as_text=True)
    assert "Record consent" in html and f"/candidates/{cid}/legal-hold" not in html
    assert recruiter.get(f"/candidates/{cid}/legal-hold").status_code == 403
    manager = signed_in(app, tenant_a, "hiring_manager")
    html = manager.get(f"/candidates/{cid}").get_data(as_text=True)
    assert 'id="consent"' not in html
    assert manager.get(f"/candidates/{cid}/consents").status_code == 403
    assert manager.get(f"/candidates/{cid}/do-not-contact").status_code == 403


def test_another_tenants_candidate_is_404(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    cid = person(app, tenant_a)
    client = signed_in(app, tenant_b, "tenant_admin")
    for path in ("consents", "do-not-contact", "legal-hold"):
        assert client.get(f"/candidates/{cid}/{path}").status_code == 404
    token = csrf_from(client.get("/account").get_data(as_text=True))
    for path in ("consents", "consents/withdraw", "do-not-contact", "legal-hold",
                 "legal-hold/clear"):
        assert client.post(f"/candidates/{cid}/{path}", data={
            "csrf_token": token, "channel": "email", "reason": "x"}).status_code == 404
    assert records(app, tenant_a, cid) == []
