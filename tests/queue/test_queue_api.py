"""The queue API: the ranked list, snooze, dismiss, undo, and what bad input gets."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.queue.models import QueueDecision
from saas.queue.ranking import queue_context
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.queue import builders


def _due_candidate(app: Flask, tenant: TenantFixture, name: str = "Due",
                   role: str = "recruiter") -> tuple[uuid.UUID, dt.date]:
    with app.test_request_context(), tenant_context(tenant.id):
        today = queue_context().today
        person = builders.candidate(name, owner_id=tenant.users[role], preferred_channel="wechat",
                                    title="Backend engineer", current_company="Acme",
                                    next_follow_up_on=today, status="nurturing")
        db.session.commit()
        return person.id, today


def _decisions(app: Flask, tenant: TenantFixture) -> int:
    with app.app_context(), tenant_context(tenant.id):
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(QueueDecision)) or 0)


def test_queue_lists_entries_with_reasons(app: Flask, tenant_a: TenantFixture) -> None:
    candidate_id, _today = _due_candidate(app, tenant_a)
    _due_candidate(app, tenant_a, "Admin's", role="tenant_admin")
    client = app.test_client()
    body = client.get("/api/v1/queue", headers=tenant_a.headers("recruiter")).json
    assert body["next_cursor"] is None
    [entry] = body["items"]
    assert entry["candidate"] == {
        "id": str(candidate_id), "name": "Due", "title": "Backend engineer", "company": "Acme",
        "status": "nurturing", "preferred_channel": "wechat", "last_contact_at": None,
    }
    assert entry["score"] == 40
    assert entry["reasons"][0]["code"] == "follow_up_due"
    assert entry["reasons"][0]["weight"] == 40 and entry["reasons"][0]["text"]

    admin = client.get("/api/v1/queue?owner=all", headers=tenant_a.headers("tenant_admin")).json
    assert {e["candidate"]["name"] for e in admin["items"]} == {"Due", "Admin's"}
    refused = client.get("/api/v1/queue?owner=all", headers=tenant_a.headers("recruiter"))
    assert refused.status_code == 403
    assert client.get("/api/v1/queue", headers=tenant_a.headers("analyst")).status_code == 403
    page = client.get("/api/v1/queue?owner=all&limit=1", headers=tenant_a.headers("tenant_admin"))
    assert len(page.json["items"]) == 1 and page.json["next_cursor"]
    rest = client.get(f"/api/v1/queue?owner=all&limit=1&cursor={page.json['next_cursor']}",
                      headers=tenant_a.headers("tenant_admin")).json
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert rest["items"][0]["candidate"]["id"] != page.json["items"][0]["candidate"]["id"]


def test_bad_list_arguments(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    bad_cursor = client.get("/api/v1/queue?cursor=not-a-cursor", headers=headers)
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json["errors"]
    assert client.get("/api/v1/queue?limit=0", headers=headers).status_code == 422
    assert client.get("/api/v1/queue?owner=them", headers=headers).status_code == 422


def test_snooze_dismiss_and_undo(app: Flask, tenant_a: TenantFixture) -> None:
    candidate_id, today = _due_candidate(app, tenant_a)
    client = app.test_client()
    headers = tenant_a.headers("recruiter")

    def on_queue() -> bool:
        items = client.get("/api/v1/queue", headers=headers).json["items"]
        return str(candidate_id) in {e["candidate"]["id"] for e in items}

    until = (today + dt.timedelta(days=14)).isoformat()
    snoozed = client.post(f"/api/v1/queue/{candidate_id}/snooze",
                          json={"until": until, "reason": "On holiday"}, headers=headers)
    assert snoozed.status_code == 201, snoozed.json
    assert snoozed.json["decision"] == "snooze" and snoozed.json["active_until"] == until
    assert not on_queue()
    assert client.delete(f"/api/v1/queue/{candidate_id}/decision",
                         headers=headers).status_code == 204
    assert on_queue()
    assert client.delete(f"/api/v1/queue/{candidate_id}/decision",
                         headers=headers).status_code == 404

    dismissed = client.post(f"/api/v1/queue/{candidate_id}/dismiss",
                            json={"reason": "Moved abroad"}, headers=headers)
    assert dismissed.status_code == 201
    assert dismissed.json["active_until"] == (today + dt.timedelta(days=180)).isoformat()
    assert not on_queue()
    again = client.post(f"/api/v1/queue/{candidate_id}/snooze",
                        json={"until": until}, headers=headers)
    assert again.status_code == 201
    assert _decisions(app, tenant_a) == 1  # one decision per candidate: the newest
    with app.app_context(), tenant_context(tenant_a.id):
        actions = list(db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.target_id == str(candidate_id))
            .order_by(AuditEvent.occurred_at)))
        details = list(db.session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.target_id == str(candidate_id))))
    assert actions == ["queue.snoozed", "queue.decision_undone", "queue.dismissed",
                       "queue.snoozed"]
    assert all("abroad" not in str(d) and "holiday" not in str(d) for d in details)


def test_bad_decisions_name_the_field_and_store_nothing(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    candidate_id, today = _due_candidate(app, tenant_a)
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    url = f"/api/v1/queue/{candidate_id}"
    cases = [
        ("snooze", {"until": today.isoformat()}, "until"),
        ("snooze", {"until": (today + dt.timedelta(days=400)).isoformat()}, "until"),
        ("snooze", {"until": "next week"}, "until"),
        ("snooze", {"until": (today + dt.timedelta(days=3)).isoformat(), "reason": "x" * 301},
         "reason"),
        ("snooze", {"until": (today + dt.timedelta(days=3)).isoformat(), "mood": "meh"}, "mood"),
        ("dismiss", {}, "reason"),
        ("dismiss", {"reason": ""}, "reason"),
        ("dismiss", {"reason": "x" * 301}, "reason"),
    ]
    for action, body, field in cases:
        response = client.post(f"{url}/{action}", json=body, headers=headers)
        assert response.status_code == 422, (action, body)
        assert response.mimetype == "application/problem+json"
        assert field in response.json["errors"], (action, body, response.json)
    assert _decisions(app, tenant_a) == 0

    other = tenant_b.headers("tenant_admin")
    future = (today + dt.timedelta(days=3)).isoformat()
    assert client.post(f"{url}/snooze", json={"until": future}, headers=other).status_code == 404
    assert client.post(f"{url}/dismiss", json={"reason": "x"}, headers=other).status_code == 404
    assert client.delete(f"{url}/decision", headers=other).status_code == 404
    for action in ("snooze", "dismiss"):  # 404 before the body is read
        assert client.post(f"{url}/{action}", json={}, headers=other).status_code == 404
    manager = tenant_a.headers("hiring_manager")
    assert client.post(f"{url}/dismiss", json={"reason": "x"}, headers=manager).status_code == 403
    assert _decisions(app, tenant_a) == 0
