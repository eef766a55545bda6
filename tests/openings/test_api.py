"""The openings and change-events API: CRUD, publishing, validation, permissions, tenancy."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask

from saas.extensions import db
from saas.openings.models import ChangeEvent, Opening
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture

OPENING = {"title": "Backend lead", "level": "P7", "team": "Platform", "location": "Shanghai",
           "description": "Lead the platform team.", "skills": ["Python", " go ", "python"],
           "values": ["career_growth", "flexibility"]}
EVENT = {"kind": "policy", "title": "Remote work policy", "summary": "Two days a week at home.",
         "texts": {"zh-CN": "公司推出了每周两天居家办公的政策",
                   "en": "We now offer two remote days a week"},
         "values": ["flexibility"], "occurred_on": "2026-03-01"}


def _count(app: Flask, tenant: TenantFixture, model: type) -> int:
    with app.app_context(), tenant_context(tenant.id):
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_opening_crud_and_publish_creates_an_event(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("hiring_manager")
    created = client.post("/api/v1/openings", json=OPENING, headers=headers)
    assert created.status_code == 201, created.json
    opening = created.json
    assert opening["status"] == "draft" and opening["published_at"] is None
    assert opening["skills"] == ["python", "go"]
    assert _count(app, tenant_a, ChangeEvent) == 0

    listed = client.get("/api/v1/openings?status=draft", headers=headers).json
    assert [o["id"] for o in listed["items"]] == [opening["id"]]
    url = f"/api/v1/openings/{opening['id']}"
    assert client.get(url, headers=tenant_a.headers("analyst")).json["title"] == "Backend lead"

    published = client.patch(url, json={"status": "open"}, headers=headers)
    assert published.status_code == 200, published.json
    assert published.json["status"] == "open" and published.json["published_at"]
    events = client.get("/api/v1/change-events?kind=opening", headers=headers).json["items"]
    assert len(events) == 1
    assert events[0]["opening_id"] == opening["id"]
    assert events[0]["values"] == ["career_growth", "flexibility"]
    assert events[0]["texts"]["zh-CN"] and events[0]["texts"]["en"]

    # Closing and opening again does not announce it twice.
    client.patch(url, json={"status": "closed"}, headers=headers)
    client.patch(url, json={"status": "open"}, headers=headers)
    assert _count(app, tenant_a, ChangeEvent) == 1

    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    event = client.get("/api/v1/change-events", headers=headers).json["items"][0]
    assert event["opening_id"] is None  # the announcement stays, unlinked


def test_event_crud(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("tenant_admin")
    created = client.post("/api/v1/change-events", json=EVENT, headers=headers)
    assert created.status_code == 201, created.json
    event = created.json
    assert event["published_at"] and event["occurred_on"] == "2026-03-01"
    assert event["texts"]["en"] == EVENT["texts"]["en"]  # type: ignore[index]
    url = f"/api/v1/change-events/{event['id']}"
    changed = client.patch(url, json={"values": ["flexibility", "family"]}, headers=headers)
    assert changed.status_code == 200 and changed.json["values"] == ["flexibility", "family"]
    assert client.get(url, headers=tenant_a.headers("recruiter")).json["title"] == EVENT["title"]
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_bad_input_names_the_field_and_stores_nothing(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("tenant_admin")
    cases = [
        ("/api/v1/openings", {**OPENING, "values": ["flexibility", "free_lunch"]}, "values"),
        ("/api/v1/openings", {**OPENING, "status": "published"}, "status"),
        ("/api/v1/openings", {**OPENING, "title": ""}, "title"),
        ("/api/v1/openings", {**OPENING, "tenant_id": str(uuid.uuid4())}, "tenant_id"),
        ("/api/v1/change-events", {**EVENT, "kind": "party"}, "kind"),
        ("/api/v1/change-events", {**EVENT, "values": ["loyalty"]}, "values"),
        ("/api/v1/change-events", {**EVENT, "texts": {"fr": "Bonjour"}}, "texts"),
        ("/api/v1/change-events", {**EVENT, "occurred_on": "March"}, "occurred_on"),
        ("/api/v1/change-events", {**EVENT, "opening_id": str(uuid.uuid4())}, "opening_id"),
    ]
    for url, body, field in cases:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (field, response.json)
        assert response.content_type.startswith("application/problem+json")
        assert field in str(response.json), (field, response.json)
    bad = client.post("/api/v1/openings", json={**OPENING, "values": ["free_lunch"]},
                      headers=headers)
    assert "free_lunch" in str(bad.json)
    assert _count(app, tenant_a, Opening) == 0
    assert _count(app, tenant_a, ChangeEvent) == 0


def test_permissions(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    # Recruiters read openings but do not write them; hiring managers write openings
    # but not free-standing events; analysts only read.
    assert client.post("/api/v1/openings", json=OPENING,
                       headers=tenant_a.headers("recruiter")).status_code == 403
    assert client.get("/api/v1/openings", headers=tenant_a.headers("recruiter")).status_code == 200
    assert client.post("/api/v1/change-events", json=EVENT,
                       headers=tenant_a.headers("hiring_manager")).status_code == 403
    assert client.post("/api/v1/change-events", json=EVENT,
                       headers=tenant_a.headers("recruiter")).status_code == 403
    assert client.get("/api/v1/change-events",
                      headers=tenant_a.headers("analyst")).status_code == 200
    assert client.get("/api/v1/openings").status_code == 401
    opening = client.post("/api/v1/openings", json=OPENING,
                          headers=tenant_a.headers("tenant_admin")).json
    # The audience lists candidates: analysts (no candidate:read) may not see it.
    assert client.get(f"/api/v1/openings/{opening['id']}/audience",
                      headers=tenant_a.headers("analyst")).status_code == 403


def test_another_tenants_opening_and_event_are_404(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    client = app.test_client()
    opening = client.post("/api/v1/openings", json={**OPENING, "status": "open"},
                          headers=tenant_a.headers()).json
    event = client.post("/api/v1/change-events", json=EVENT, headers=tenant_a.headers()).json
    other = tenant_b.headers()
    for url in (f"/api/v1/openings/{opening['id']}", f"/api/v1/openings/{opening['id']}/audience",
                f"/api/v1/change-events/{event['id']}",
                f"/api/v1/change-events/{event['id']}/audience"):
        assert client.get(url, headers=other).status_code == 404, url
    assert client.patch(f"/api/v1/openings/{opening['id']}", json={"title": "x"},
                        headers=other).status_code == 404
    assert client.delete(f"/api/v1/change-events/{event['id']}",
                         headers=other).status_code == 404
    assert client.post(f"/api/v1/change-events/{event['id']}/audience/segment",
                       json={"name": "stolen"}, headers=other).status_code == 404
    assert client.get("/api/v1/openings", headers=other).json["items"] == []
    # An event may not point at another tenant's opening.
    linked = client.post("/api/v1/change-events", json={**EVENT, "opening_id": opening["id"]},
                         headers=other)
    assert linked.status_code == 422 and "opening_id" in str(linked.json)
