"""The consent API (CONTRACTS "Consent"), contact rights, do_not_contact and bad input."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.privacy.models import ConsentRecord
from tests.candidates.test_api import count, in_tenant
from tests.factories import TenantFixture

GIVEN = "2025-10-12T10:00:00+08:00"


def new_candidate(app: Flask, tenant: TenantFixture, **fields: Any) -> str:
    response = app.test_client().post("/api/v1/candidates", headers=tenant.headers("recruiter"),
                                      json={"name": "张伟", **fields})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def consents_url(candidate_id: str) -> str:
    return f"/api/v1/candidates/{candidate_id}/consents"


def test_record_list_and_withdraw(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    cid = new_candidate(app, tenant_a)
    body = {"channel": "email", "basis": "consent", "source": "offer call 2025-10-12",
            "given_at": GIVEN, "expires_at": None, "wording": "May we email you about roles?"}
    created = client.post(consents_url(cid), headers=headers, json=body)
    assert created.status_code == 201, created.get_json()
    record = created.get_json()
    assert record["channel"] == "email" and record["basis"] == "consent"
    assert record["given_at"].startswith("2025-10-12T02:00:00")
    assert record["withdrawn"] is False and record["expires_at"] is None

    rights = client.get(f"/api/v1/candidates/{cid}/contact-rights", headers=headers).get_json()
    email = next(c for c in rights["channels"] if c["channel"] == "email")
    assert email["state"] == "allowed" and email["allowed"] and email["basis"] == "consent"
    sms = next(c for c in rights["channels"] if c["channel"] == "sms")
    assert sms["state"] == "none" and sms["reason_code"] == "no_consent"

    withdrawn = client.post(consents_url(cid), headers=headers,
                            json={"channel": "email", "withdrawn": True})
    assert withdrawn.status_code == 201
    assert withdrawn.get_json()["withdrawn_via"] == "api"
    again = client.post(consents_url(cid), headers=headers,
                        json={"channel": "email", "withdrawn": True, "source": "asked twice"})
    assert again.status_code == 200 and again.get_json()["id"] == withdrawn.get_json()["id"]

    listed = client.get(consents_url(cid), headers=headers).get_json()
    assert [r["withdrawn"] for r in listed["items"]] == [False, True]
    assert listed["next_cursor"] is None
    rights = client.get(f"/api/v1/candidates/{cid}/contact-rights", headers=headers).get_json()
    email = next(c for c in rights["channels"] if c["channel"] == "email")
    assert email["state"] == "withdrawn" and email["reason_code"] == "withdrawn"

    with in_tenant(app, tenant_a):
        events = {e.action: e.detail for e in db_events(cid)}
    assert events["consent.recorded"]["channel"] == "email"
    assert "offer call" not in str(events) and "May we email" not in str(events)
    assert events["consent.withdrawn"]["via"] == "api"


def db_events(candidate_id: str) -> list[AuditEvent]:
    from saas.extensions import db

    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.target_id == candidate_id).order_by(AuditEvent.occurred_at)))


@pytest.mark.parametrize("body,field", [
    ({"channel": "fax", "basis": "consent", "source": "x", "given_at": GIVEN}, "channel"),
    ({"channel": "email", "basis": "because", "source": "x", "given_at": GIVEN}, "basis"),
    ({"channel": "email", "source": "x", "given_at": GIVEN}, "basis"),
    ({"channel": "email", "basis": "consent", "given_at": GIVEN}, "source"),
    ({"channel": "email", "basis": "consent", "source": "  ", "given_at": GIVEN}, "source"),
    ({"channel": "email", "basis": "consent", "source": "x"}, "given_at"),
    ({"channel": "email", "basis": "consent", "source": "x", "given_at": "2025-10-12T10:00:00"},
     "given_at"),
    ({"channel": "email", "basis": "consent", "source": "x", "given_at": "2999-01-01T00:00:00Z"},
     "given_at"),
    ({"channel": "email", "basis": "consent", "source": "x", "given_at": GIVEN,
      "expires_at": "2025-10-01T00:00:00+08:00"}, "expires_at"),
    ({"channel": "email", "withdrawn": True, "basis": "consent"}, "basis"),
    ({"channel": "email", "basis": "consent", "source": "x", "given_at": GIVEN,
      "tenant_id": str(uuid.uuid4())}, "tenant_id"),
    ({"basis": "consent", "source": "x", "given_at": GIVEN}, "channel"),
])
def test_bad_input_names_the_field_and_stores_nothing(
    app: Flask, tenant_a: TenantFixture, body: dict[str, Any], field: str
) -> None:
    cid = new_candidate(app, tenant_a)
    response = app.test_client().post(consents_url(cid), headers=tenant_a.headers("recruiter"),
                                      json=body)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    with in_tenant(app, tenant_a):
        from saas.extensions import db

        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentRecord).where(
            ConsentRecord.candidate_id == uuid.UUID(cid))) == 0


def test_another_tenants_candidate_is_404(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    cid = new_candidate(app, tenant_a)
    client = app.test_client()
    headers = tenant_b.headers("tenant_admin")
    good = {"channel": "email", "basis": "consent", "source": "x", "given_at": GIVEN}
    assert client.get(consents_url(cid), headers=headers).status_code == 404
    assert client.post(consents_url(cid), headers=headers, json=good).status_code == 404
    assert client.post(consents_url(cid), headers=headers, json={}).status_code == 404
    assert client.get(f"/api/v1/candidates/{cid}/contact-rights",
                      headers=headers).status_code == 404
    assert client.post(f"/api/v1/candidates/{cid}/legal-hold", headers=headers,
                       json={"reason": "x"}).status_code == 404
    assert client.delete(f"/api/v1/candidates/{cid}/legal-hold",
                         headers=headers).status_code == 404
    assert count(app, tenant_a, ConsentRecord) == 0


def test_permissions(app: Flask, tenant_a: TenantFixture) -> None:
    cid = new_candidate(app, tenant_a)
    client = app.test_client()
    good = {"channel": "email", "basis": "consent", "source": "x", "given_at": GIVEN}
    assert client.get(consents_url(cid), headers=tenant_a.headers("analyst")).status_code == 403
    assert client.post(consents_url(cid), headers=tenant_a.headers("hiring_manager"),
                       json=good).status_code == 403
    assert client.post(f"/api/v1/candidates/{cid}/legal-hold",
                       headers=tenant_a.headers("recruiter"),
                       json={"reason": "x"}).status_code == 403
    assert client.get(consents_url(cid)).status_code == 401


def test_do_not_contact_status_records_an_all_withdrawal(
    app: Flask, tenant_a: TenantFixture
) -> None:
    cid = new_candidate(app, tenant_a)
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    client.post(consents_url(cid), headers=headers, json={
        "channel": "all", "basis": "consent", "source": "form", "given_at": GIVEN})
    patched = client.patch(f"/api/v1/candidates/{cid}", headers=headers,
                           json={"status": "do_not_contact"})
    assert patched.status_code == 200
    listed = client.get(consents_url(cid), headers=headers).get_json()["items"]
    assert listed[-1]["channel"] == "all" and listed[-1]["withdrawn"]
    assert listed[-1]["withdrawn_via"] == "api"
    # Back to active: the withdrawal still holds until the candidate consents anew.
    client.patch(f"/api/v1/candidates/{cid}", headers=headers, json={"status": "nurturing"})
    rights = client.get(f"/api/v1/candidates/{cid}/contact-rights", headers=headers).get_json()
    assert {c["state"] for c in rights["channels"]} == {"withdrawn"}
    # Setting it again changes nothing more.
    client.patch(f"/api/v1/candidates/{cid}", headers=headers, json={"status": "do_not_contact"})
    assert len(client.get(consents_url(cid), headers=headers).get_json()["items"]) == 2


def test_legal_hold_api(app: Flask, tenant_a: TenantFixture) -> None:
    cid = new_candidate(app, tenant_a)
    client = app.test_client()
    headers = tenant_a.headers("tenant_admin")
    url = f"/api/v1/candidates/{cid}/legal-hold"
    bad = client.post(url, headers=headers, json={"reason": "   "})
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]
    assert client.post(url, headers=headers, json={}).status_code == 422
    held = client.post(url, headers=headers, json={"reason": "Labour dispute case 42"})
    assert held.status_code == 200
    assert held.get_json()["legal_hold_reason"] == "Labour dispute case 42"
    assert held.get_json()["legal_hold_at"]
    rights = client.get(f"/api/v1/candidates/{cid}/contact-rights", headers=headers).get_json()
    assert rights["legal_hold_at"] == held.get_json()["legal_hold_at"]
    assert client.delete(url, headers=headers).status_code == 204
    assert client.delete(url, headers=headers).status_code == 404
    with in_tenant(app, tenant_a):
        actions = [e.action for e in db_events(cid)]
        details = [e.detail for e in db_events(cid)]
    assert "legal_hold.set" in actions and "legal_hold.cleared" in actions
    assert "Labour dispute" not in str(details)
