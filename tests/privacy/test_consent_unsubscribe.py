"""The unsubscribe link: opaque token, public page in the candidate's language, POST withdraws."""

from __future__ import annotations

import base64
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.extensions import db, limiter
from saas.privacy.consent import contact_permission, record_consent
from saas.privacy.models import ConsentRecord
from saas.privacy.unsubscribe import read_token, unsubscribe_token, unsubscribe_url
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture, csrf_from


def _person(app: Flask, tenant: TenantFixture, locale: str | None = "zh-CN") -> uuid.UUID:
    with app.app_context(), tenant_context(tenant.id):
        person = Candidate(name="王芳", locale=locale)
        db.session.add(person)
        db.session.flush()
        record_consent(person, channel="all", basis="consent", source="form",
                       given_at=utcnow())
        db.session.commit()
        return person.id


def _token(app: Flask, tenant: TenantFixture, candidate_id: uuid.UUID, channel: str) -> str:
    with app.app_context(), tenant_context(tenant.id):
        token = unsubscribe_token(candidate_id, channel)
        db.session.commit()
        return token


def _withdrawals(app: Flask, tenant: TenantFixture, candidate_id: uuid.UUID) -> list[str]:
    with app.app_context(), tenant_context(tenant.id):
        return [f"{r.channel}:{r.withdrawn_via}" for r in db.session.scalars(
            sa.select(ConsentRecord).where(ConsentRecord.candidate_id == candidate_id,
                                           ConsentRecord.withdrawn))]


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    limiter.reset()


def test_token_is_opaque_stable_and_names_candidate_and_channel(
    app: Flask, tenant_a: TenantFixture
) -> None:
    cid = _person(app, tenant_a)
    token = _token(app, tenant_a, cid, "email")
    assert token == _token(app, tenant_a, cid, "email")
    assert token != _token(app, tenant_a, cid, "sms")
    assert str(cid) not in token and cid.bytes not in base64.urlsafe_b64decode(token + "==")
    with app.test_request_context(), tenant_context(tenant_a.id):
        target = read_token(token)
        assert target is not None and (target.candidate_id, target.channel) == (cid, "email")
        person = db.session.scalars(sa.select(Candidate).where(Candidate.id == cid)).one()
        assert unsubscribe_url(person, "email").endswith(f"/u/{token}")


def test_round_trip_in_the_candidates_language(app: Flask, tenant_a: TenantFixture) -> None:
    cid = _person(app, tenant_a, locale="zh-CN")
    token = _token(app, tenant_a, cid, "email")
    client = app.test_client()
    page = client.get(f"/u/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "Alpha Corp" in html and "邮件" in html
    assert "王芳" not in html  # the page names no one

    done = client.post(f"/u/{token}", data={"csrf_token": csrf_from(html), "channel": "email"})
    assert done.status_code == 200
    assert _withdrawals(app, tenant_a, cid) == ["email:unsubscribe_link"]
    with app.app_context(), tenant_context(tenant_a.id):
        person = db.session.scalars(sa.select(Candidate).where(Candidate.id == cid)).one()
        assert contact_permission(person, "email").reason_code == "withdrawn"
        assert contact_permission(person, "sms").allowed

    again = client.get(f"/u/{token}")
    assert again.status_code == 200
    client.post(f"/u/{token}", data={"csrf_token": csrf_from(again.get_data(as_text=True)),
                                     "channel": "email"})
    assert _withdrawals(app, tenant_a, cid) == ["email:unsubscribe_link"]  # idempotent


def test_english_candidate_and_stop_all(app: Flask, tenant_a: TenantFixture) -> None:
    cid = _person(app, tenant_a, locale="en")
    token = _token(app, tenant_a, cid, "sms")
    client = app.test_client()
    html = client.get(f"/u/{token}").get_data(as_text=True)
    assert '<html lang="en">' in html and "Stop all messages" in html
    client.post(f"/u/{token}", data={"csrf_token": csrf_from(html), "channel": "all"})
    assert _withdrawals(app, tenant_a, cid) == ["all:unsubscribe_link"]


def test_post_without_csrf_is_refused(app: Flask, tenant_a: TenantFixture) -> None:
    cid = _person(app, tenant_a)
    token = _token(app, tenant_a, cid, "email")
    client = app.test_client()
    client.get(f"/u/{token}")
    assert client.post(f"/u/{token}", data={"channel": "email"}).status_code == 400
    assert _withdrawals(app, tenant_a, cid) == []


def test_forged_tokens_are_404(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    cid = _person(app, tenant_a)
    token = _token(app, tenant_a, cid, "email")
    raw = bytearray(base64.urlsafe_b64decode(token + "=="))
    flipped = bytes(raw[:-1]) + bytes([raw[-1] ^ 1])
    other_tenant = bytes(raw[:1]) + tenant_b.id.bytes + bytes(raw[17:])

    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    client = app.test_client()
    for bad in (encode(flipped), encode(other_tenant), "nope", "A" * 83, token[:-2],
                encode(bytes(raw[:1]) + uuid.uuid4().bytes + bytes(raw[17:]))):
        response = client.get(f"/u/{bad}")
        assert response.status_code == 404, bad
        assert client.post(f"/u/{bad}", data={"channel": "email"}).status_code in (400, 404)
    assert _withdrawals(app, tenant_a, cid) == []


def test_link_of_an_erased_candidate_is_404(app: Flask, tenant_a: TenantFixture) -> None:
    from saas.privacy.erasure import erase_candidate

    cid = _person(app, tenant_a)
    token = _token(app, tenant_a, cid, "email")
    with app.app_context(), tenant_context(tenant_a.id):
        person = db.session.scalars(sa.select(Candidate).where(Candidate.id == cid)).one()
        erase_candidate(person, cause="request")
        db.session.commit()
    assert app.test_client().get(f"/u/{token}").status_code == 404


def test_the_page_is_rate_limited(app: Flask, tenant_a: TenantFixture) -> None:
    cid = _person(app, tenant_a)
    token = _token(app, tenant_a, cid, "email")
    app.config["UNSUBSCRIBE_LIMIT"] = "3 per minute"
    try:
        client = app.test_client()
        statuses = [client.get(f"/u/{token}").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
    finally:
        del app.config["UNSUBSCRIBE_LIMIT"]
        limiter.reset()
