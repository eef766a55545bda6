"""The offers API: record, list, answer, reason by hand, and what bad input gets."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.offers.models import Offer
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.queue import builders


def _candidate(app: Flask, tenant: TenantFixture, status: str = "active") -> uuid.UUID:
    with app.app_context(), tenant_context(tenant.id):
        person = builders.candidate(status=status)
        db.session.commit()
        return person.id


def _status(app: Flask, tenant: TenantFixture, candidate_id: uuid.UUID) -> str:
    with app.app_context(), tenant_context(tenant.id):
        person = db.session.scalars(sa.select(Candidate).where(Candidate.id == candidate_id)).one()
        return person.status


def _offers(app: Flask, tenant: TenantFixture) -> int:
    with app.app_context(), tenant_context(tenant.id):
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(Offer)) or 0)


def _body(candidate_id: uuid.UUID, **extra: object) -> dict[str, object]:
    return {"candidate_id": str(candidate_id), "sent_at": "2026-11-01T10:00:00+08:00",
            "respond_by": "2099-11-08T18:00:00+08:00", **extra}


def test_record_list_get_answer(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    candidate_id = _candidate(app, tenant_a)
    created = client.post("/api/v1/offers", json=_body(candidate_id), headers=headers)
    assert created.status_code == 201, created.json
    offer = created.json
    assert offer["status"] == "pending" and offer["reason"] is None
    assert offer["sent_at"].startswith("2026-11-01T02:00:00")
    assert _status(app, tenant_a, candidate_id) == "offered"

    listed = client.get(f"/api/v1/offers?candidate_id={candidate_id}&status=pending",
                        headers=headers).json
    assert [o["id"] for o in listed["items"]] == [offer["id"]]
    assert client.get("/api/v1/offers?status=stalled", headers=headers).json["items"] == []
    assert client.get(f"/api/v1/offers/{offer['id']}", headers=headers).json["id"] == offer["id"]

    reason = client.patch(f"/api/v1/offers/{offer['id']}", json={"reason": "counter_offer"},
                          headers=headers)
    assert reason.status_code == 200
    assert reason.json["reason_source"] == "manual"
    assert reason.json["reason_label"] == "未响应-老东家挽留"  # the tenant's locale

    answered = client.post(f"/api/v1/offers/{offer['id']}/response",
                           json={"outcome": "accepted"}, headers=headers)
    assert answered.status_code == 200 and answered.json["status"] == "accepted"
    assert answered.json["responded_at"]
    assert _status(app, tenant_a, candidate_id) == "hired"
    with app.app_context(), tenant_context(tenant_a.id):
        actions = set(db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.target_id == offer["id"])))
        details = list(db.session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.target_id == offer["id"])))
    assert {"offer.created", "offer.reason_set", "offer.answered"} <= actions
    assert all("Lin" not in str(d) for d in details)


def test_declined_offer_and_no_second_answer(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    candidate_id = _candidate(app, tenant_a)
    offer_id = client.post("/api/v1/offers", json=_body(candidate_id), headers=headers).json["id"]
    assert client.post(f"/api/v1/offers/{offer_id}/response", json={"outcome": "declined"},
                       headers=headers).status_code == 200
    assert _status(app, tenant_a, candidate_id) == "declined"
    again = client.post(f"/api/v1/offers/{offer_id}/response", json={"outcome": "accepted"},
                        headers=headers)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert "declined" in again.json["detail"]
    late_reason = client.patch(f"/api/v1/offers/{offer_id}", json={"reason": "health"},
                               headers=headers)
    assert late_reason.status_code == 409


def test_response_on_an_accepted_offer_is_409(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    offer_id = client.post("/api/v1/offers", json=_body(_candidate(app, tenant_a)),
                           headers=headers).json["id"]
    client.post(f"/api/v1/offers/{offer_id}/response", json={"outcome": "accepted"},
                headers=headers)
    response = client.post(f"/api/v1/offers/{offer_id}/response", json={"outcome": "declined"},
                           headers=headers)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "accepted" in response.json["detail"]


def test_an_offer_already_overdue_is_stalled_at_once(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    candidate_id = _candidate(app, tenant_a)
    body = _body(candidate_id, respond_by="2026-11-05T18:00:00+08:00")
    offer = client.post("/api/v1/offers", json=body, headers=tenant_a.headers("recruiter")).json
    assert offer["status"] == "stalled" and offer["reason"] == "unknown"
    assert offer["reason_source"] == "unknown"
    assert _status(app, tenant_a, candidate_id) == "stalled"


def test_bad_input_names_the_field_and_stores_nothing(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    candidate_id = _candidate(app, tenant_a)
    early = client.post("/api/v1/offers", headers=headers, json=_body(
        candidate_id, respond_by="2026-10-30T10:00:00+08:00"))
    assert early.status_code == 422
    assert early.mimetype == "application/problem+json"
    assert "respond_by" in early.json["errors"]

    unknown = client.post("/api/v1/offers", headers=headers, json=_body(candidate_id, salary=1))
    assert unknown.status_code == 422 and "salary" in unknown.json["errors"]

    naive = client.post("/api/v1/offers", headers=headers,
                        json=_body(candidate_id, sent_at="2026-11-01T10:00:00"))
    assert naive.status_code == 422 and "sent_at" in naive.json["errors"]

    missing = client.post("/api/v1/offers", headers=headers, json={"candidate_id": "nope"})
    assert missing.status_code == 422
    assert {"candidate_id", "sent_at", "respond_by"} <= set(missing.json["errors"])

    foreign = client.post("/api/v1/offers", headers=headers,
                          json=_body(_candidate(app, tenant_b)))
    assert foreign.status_code == 404
    assert "candidate_id" in foreign.json["detail"]

    bad_reason = client.post("/api/v1/offers", headers=headers, json=_body(candidate_id))
    offer_id = bad_reason.json["id"]
    assert client.patch(f"/api/v1/offers/{offer_id}", json={"reason": "bored"},
                        headers=headers).status_code == 422
    assert client.post(f"/api/v1/offers/{offer_id}/response", json={"outcome": "maybe"},
                       headers=headers).status_code == 422
    assert client.get("/api/v1/offers?status=lost", headers=headers).status_code == 422
    assert _offers(app, tenant_a) == 1
    assert _status(app, tenant_a, candidate_id) == "offered"


def test_do_not_contact_candidates_get_no_offer(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    candidate_id = _candidate(app, tenant_a, status="do_not_contact")
    response = client.post("/api/v1/offers", json=_body(candidate_id),
                           headers=tenant_a.headers("recruiter"))
    assert response.status_code == 409
    assert _status(app, tenant_a, candidate_id) == "do_not_contact"


def test_another_tenants_offer_is_404_and_roles_are_checked(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    client = app.test_client()
    offer_id = client.post("/api/v1/offers", json=_body(_candidate(app, tenant_a)),
                           headers=tenant_a.headers("recruiter")).json["id"]
    other = tenant_b.headers("tenant_admin")
    assert client.get(f"/api/v1/offers/{offer_id}", headers=other).status_code == 404
    assert client.patch(f"/api/v1/offers/{offer_id}", json={"reason": "health"},
                        headers=other).status_code == 404
    assert client.post(f"/api/v1/offers/{offer_id}/response", json={"outcome": "accepted"},
                       headers=other).status_code == 404
    assert client.get("/api/v1/offers", headers=other).json["items"] == []
    for path, method in (("", "PATCH"), ("/response", "POST")):  # 404 before the body is read
        response = client.open(f"/api/v1/offers/{offer_id}{path}", method=method, json={},
                               headers=other)
        assert response.status_code == 404
    manager = tenant_a.headers("hiring_manager")
    assert client.get(f"/api/v1/offers/{offer_id}", headers=manager).status_code == 200
    assert client.post(f"/api/v1/offers/{offer_id}/response", json={"outcome": "accepted"},
                       headers=manager).status_code == 403
    assert client.get("/api/v1/offers", headers=tenant_a.headers("analyst")).status_code == 403


def test_sent_at_is_kept_exactly(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    offer = client.post("/api/v1/offers", json=_body(_candidate(app, tenant_a)),
                        headers=tenant_a.headers("recruiter")).json
    sent = dt.datetime.fromisoformat(offer["sent_at"])
    assert sent == dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC)
