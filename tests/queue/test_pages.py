"""The queue page, the dashboard's top of the queue, and the offer forms on the candidate page."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.candidates.models import Candidate
from saas.extensions import db
from saas.offers.models import Offer
from saas.queue.models import QueueDecision
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture, csrf_from, login
from tests.queue import builders
from tests.queue.test_queue_api import _due_candidate


def _signed_in(app: Flask, tenant: TenantFixture, role: str = "recruiter",
               locale: str = "en") -> FlaskClient:
    client = app.test_client()
    assert login(client, tenant, role).status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": locale, "next": "/"})
    return client


def _form_token(html: str, action: str) -> str:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}[^"]*"[^>]*>(.*?)</form>', html,
                     re.S)
    assert form, f"no form posting to {action}"
    return csrf_from(form.group(1))


@pytest.mark.parametrize("locale,lang,marker", [("en", "en", "Who to contact now"),
                                                ("zh-CN", "zh-CN", "退出登录")])
def test_queue_page_renders_in_both_languages(
    app: Flask, tenant_a: TenantFixture, locale: str, lang: str, marker: str
) -> None:
    candidate_id, _today = _due_candidate(app, tenant_a)
    client = _signed_in(app, tenant_a, locale=locale)
    response = client.get("/queue")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html and marker in html
    assert f'href="/candidates/{candidate_id}"' in html
    assert "<meter" in html
    assert ("微信" if lang == "zh-CN" else "WeChat") in html
    assert "<script>" not in html and " style=" not in html
    assert 'href="/queue"' in html  # the nav item
    home = client.get("/").get_data(as_text=True)
    assert f'href="/candidates/{candidate_id}"' in home and 'href="/queue"' in home


def test_empty_queue_says_why_and_what_to_do(app: Flask, tenant_a: TenantFixture) -> None:
    html = _signed_in(app, tenant_a).get("/queue").get_data(as_text=True)
    assert "Nothing to do now" in html and "record conversations" in html


def test_snooze_dismiss_and_put_back_from_the_page(app: Flask, tenant_a: TenantFixture) -> None:
    candidate_id, _today = _due_candidate(app, tenant_a)
    client = _signed_in(app, tenant_a)
    html = client.get("/queue").get_data(as_text=True)

    dismiss_url = f"/queue/{candidate_id}/dismiss"
    empty = client.post(dismiss_url, data={"csrf_token": _form_token(html, dismiss_url),
                                           "reason": "  "})
    assert empty.status_code == 422
    page = empty.get_data(as_text=True)
    assert "Say why you dismiss this person." in page
    assert 'aria-invalid="true"' in page
    with app.app_context(), tenant_context(tenant_a.id):
        assert not db.session.scalars(sa.select(QueueDecision)).all()

    snooze_url = f"/queue/{candidate_id}/snooze"
    bad = client.post(snooze_url, data={"csrf_token": _form_token(html, snooze_url),
                                        "period": "forever"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)

    done = client.post(snooze_url, data={"csrf_token": _form_token(html, snooze_url),
                                         "period": "month", "reason": "Travelling"})
    assert done.status_code == 302
    after = client.get("/queue").get_data(as_text=True)
    assert "is snoozed until" in after and "Nothing to do now" in after
    assert "Put back" in after
    undo_url = f"/queue/{candidate_id}/undo"
    assert client.post(undo_url, data={"csrf_token": _form_token(after, undo_url)}
                       ).status_code == 302
    assert f'href="/candidates/{candidate_id}"' in client.get("/queue").get_data(as_text=True)
    assert client.post(undo_url, data={}).status_code == 400  # no CSRF token


def test_hiring_manager_sees_the_queue_without_forms(app: Flask, tenant_a: TenantFixture) -> None:
    _due_candidate(app, tenant_a, role="hiring_manager")
    html = _signed_in(app, tenant_a, role="hiring_manager").get("/queue").get_data(as_text=True)
    assert "Score 40" in html and "/dismiss" not in html
    analyst = _signed_in(app, tenant_a, role="analyst")
    assert analyst.get("/queue").status_code == 403


def _candidate(app: Flask, tenant: TenantFixture) -> uuid.UUID:
    with app.app_context(), tenant_context(tenant.id):
        person = builders.candidate("Offer Person", owner_id=tenant.users["recruiter"])
        db.session.commit()
        return person.id


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_offer_forms_on_the_candidate_page(
    app: Flask, tenant_a: TenantFixture, locale: str
) -> None:
    candidate_id = _candidate(app, tenant_a)
    client = _signed_in(app, tenant_a, locale=locale)
    page_url = f"/candidates/{candidate_id}"
    html = client.get(page_url).get_data(as_text=True)
    record_url = f"/candidates/{candidate_id}/offers"
    token = _form_token(html, record_url)

    early = client.post(record_url, data={"csrf_token": token, "sent_on": "2026-11-10",
                                          "respond_by_on": "2026-11-01"})
    assert early.status_code == 302 and early.headers["Location"].endswith("#offers")
    with app.app_context(), tenant_context(tenant_a.id):
        assert not db.session.scalars(sa.select(Offer)).all()
        person = db.session.get(Candidate, (tenant_a.id, candidate_id))
        assert person is not None and person.status == "active"
    said = client.get(page_url).get_data(as_text=True)  # the error, in the reader's language
    assert ("答复截止日期不能早于发出日期。" if locale == "zh-CN"
            else "The answer can&#39;t be due before the offer was sent.") in said

    made = client.post(record_url, data={"csrf_token": token, "sent_on": "2026-10-01",
                                         "respond_by_on": "2026-10-08"})
    assert made.status_code == 302
    html = client.get(page_url).get_data(as_text=True)
    with app.app_context(), tenant_context(tenant_a.id):
        offer = db.session.scalars(sa.select(Offer)).one()
        assert offer.status == "stalled" and offer.reason_source == "unknown"
        offer_id = offer.id
    label = "未响应-原因不明" if locale == "zh-CN" else "No response – unknown"
    assert label in html

    reason_url = f"/candidates/{candidate_id}/offers/{offer_id}/reason"
    client.post(reason_url, data={"csrf_token": _form_token(html, reason_url),
                                  "reason": "project_wrapup"})
    response_url = f"/candidates/{candidate_id}/offers/{offer_id}/response"
    client.post(response_url, data={"csrf_token": _form_token(html, response_url),
                                    "outcome": "declined"})
    with app.app_context(), tenant_context(tenant_a.id):
        offer = db.session.scalars(sa.select(Offer)).one()
        assert (offer.status, offer.reason, offer.reason_source) == (
            "declined", "project_wrapup", "manual")
    again = client.post(response_url, data={"csrf_token": _form_token(html, response_url),
                                            "outcome": "accepted"}, follow_redirects=True)
    assert "already declined" in again.get_data(as_text=True) or locale == "zh-CN"


def test_another_tenants_candidate_or_offer_is_404(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    candidate_id = _candidate(app, tenant_a)
    with app.app_context(), tenant_context(tenant_a.id):
        person = db.session.get(Candidate, (tenant_a.id, candidate_id))
        assert person is not None
        offer_id = builders.offer(person).id
        db.session.commit()
    client = _signed_in(app, tenant_b, role="tenant_admin")
    token = csrf_from(client.get("/account").get_data(as_text=True))
    for url, data in (
        (f"/candidates/{candidate_id}/offers", {"sent_on": "2026-10-01",
                                                "respond_by_on": "2026-10-08"}),
        (f"/candidates/{candidate_id}/offers/{offer_id}/response", {"outcome": "accepted"}),
        (f"/candidates/{candidate_id}/offers/{offer_id}/reason", {"reason": "health"}),
        (f"/queue/{candidate_id}/snooze", {"period": "week"}),
        (f"/queue/{candidate_id}/dismiss", {"reason": "x"}),
        (f"/queue/{candidate_id}/undo", {}),
    ):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 404, url
