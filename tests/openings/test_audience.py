"""Who should hear about this: ranking, exclusions, pages of results, saved as a segment."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.extensions import db
from saas.segments.compiler import select_candidates
from saas.segments.models import SavedSegment
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.openings.builders import days_ago, people

SPECS = {
    "Both": {"values": ("flexibility", "family"), "last_contact_at": days_ago(10)},
    "Flex, long silent": {"values": ("flexibility",), "last_contact_at": days_ago(400)},
    "Flex, never": {"values": ("flexibility",)},
    "Flex, recent": {"values": ("flexibility",), "last_contact_at": days_ago(5)},
    "Family, skilled": {"values": ("family",), "skills": ("python", "go"),
                        "last_contact_at": days_ago(6)},
    "Other value": {"values": ("compensation",)},
    "No values": {},
    "Opted out": {"values": ("flexibility", "family"), "status": "do_not_contact"},
    "Hired": {"values": ("flexibility",), "status": "hired"},
    "Erased": {"values": ("flexibility",), "status": "erased"},
}


def _names(items: list[dict[str, object]]) -> list[object]:
    return [item["name"] for item in items]


def test_event_audience_ranked_and_paged(app: Flask, tenant_a: TenantFixture) -> None:
    people(app, tenant_a, SPECS)
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    event = client.post("/api/v1/change-events", headers=tenant_a.headers(), json={
        "kind": "policy", "title": "Remote and family leave", "values": ["flexibility", "family"],
        "occurred_on": "2026-03-01"}).json
    url = f"/api/v1/change-events/{event['id']}/audience"
    body = client.get(url, headers=headers).json
    assert body["count"] == 5
    assert _names(body["items"]) == ["Both", "Flex, never", "Flex, long silent",
                                     "Family, skilled", "Flex, recent"]
    first = body["items"][0]
    assert first["matching_values"] == ["flexibility", "family"] and first["score"] == 100
    assert body["items"][1]["score"] == 50
    assert body["segment_query"] == (
        "(value:flexibility OR value:family) -status:do_not_contact -status:erased -status:hired")

    seen, cursor = [], None
    while True:
        page = client.get(url, query_string={"limit": 2, **({"cursor": cursor} if cursor else {})},
                          headers=headers).json
        seen += _names(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == _names(body["items"])
    bad = client.get(url, query_string={"cursor": "nonsense"}, headers=headers)
    assert bad.status_code == 400 and "cursor" in str(bad.json)
    assert client.get(url, query_string={"limit": 0}, headers=headers).status_code == 422

    # The segment string selects exactly the audience.
    with app.app_context(), tenant_context(tenant_a.id):
        selected = db.session.scalars(select_candidates(
            body["segment_query"], today=dt.date.today(), user_id=None)).all()
        assert sorted(c.name for c in selected) == sorted(_names(body["items"]))


def test_opening_audience_ranks_skills_after_values(app: Flask, tenant_a: TenantFixture) -> None:
    people(app, tenant_a, SPECS)
    client = app.test_client()
    opening = client.post("/api/v1/openings", headers=tenant_a.headers(), json={
        "title": "Backend lead", "skills": ["python", "go", "rust"], "values": ["family"]}).json
    body = client.get(f"/api/v1/openings/{opening['id']}/audience",
                      headers=tenant_a.headers("recruiter")).json
    assert _names(body["items"]) == ["Family, skilled", "Both"]
    assert body["items"][0]["matching_skills"] == ["go", "python"]
    assert body["items"][0]["score"] == 77  # 70 × 2/3 + 30
    assert body["segment_query"] == (
        "value:family -status:do_not_contact -status:erased -status:hired")


def test_nothing_to_match_without_values(app: Flask, tenant_a: TenantFixture) -> None:
    people(app, tenant_a, SPECS)
    client = app.test_client()
    opening = client.post("/api/v1/openings", headers=tenant_a.headers(),
                          json={"title": "Intern"}).json
    body = client.get(f"/api/v1/openings/{opening['id']}/audience",
                      headers=tenant_a.headers()).json
    assert body == {"items": [], "next_cursor": None, "count": 0, "values": [],
                    "segment_query": None}
    saved = client.post(f"/api/v1/openings/{opening['id']}/audience/segment",
                        json={"name": "Nobody"}, headers=tenant_a.headers())
    assert saved.status_code == 422 and "values" in str(saved.json)


def test_save_audience_as_segment(app: Flask, tenant_a: TenantFixture) -> None:
    people(app, tenant_a, SPECS)
    client = app.test_client()
    event = client.post("/api/v1/change-events", headers=tenant_a.headers(), json={
        "kind": "benefit", "title": "Parental leave", "values": ["family"],
        "occurred_on": "2026-03-01"}).json
    url = f"/api/v1/change-events/{event['id']}/audience/segment"
    saved = client.post(url, json={"name": "Parents"}, headers=tenant_a.headers("recruiter"))
    assert saved.status_code == 201, saved.json
    assert saved.json["query"].startswith("value:family")
    again = client.post(url, json={"name": "parents"}, headers=tenant_a.headers("recruiter"))
    assert again.status_code == 409
    assert client.post(url, json={"name": ""},
                       headers=tenant_a.headers("recruiter")).status_code == 422
    assert client.post(url, json={"name": "HM"},
                       headers=tenant_a.headers("hiring_manager")).status_code == 403
    preview = client.get(f"/api/v1/segments/{saved.json['id']}/candidates",
                         headers=tenant_a.headers("recruiter")).json
    assert sorted(c["name"] for c in preview["items"]) == ["Both", "Family, skilled"]
    with app.app_context(), tenant_context(tenant_a.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedSegment)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == len(SPECS)
