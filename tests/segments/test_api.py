"""``/api/v1/segments``: preview, saved segment CRUD, results, errors with position."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.segments.models import SavedSegment
from saas.tenancy.context import tenant_context
from tests.segments.conftest import CANDIDATES, People

URL = "/api/v1/segments"


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def saved(app: Flask, people: People) -> list[str]:
    with app.app_context(), tenant_context(people.tenant.id):
        return list(db.session.scalars(sa.select(SavedSegment.name).order_by(SavedSegment.name)))


def create(client: FlaskClient, people: People, **body: Any) -> Any:
    return client.post(URL, json=body, headers=people.tenant.headers("recruiter"))


def test_preview_counts_and_samples(client: FlaskClient, people: People) -> None:
    response = client.get(f"{URL}/preview", query_string={"q": "skill:python"},
                          headers=people.tenant.headers("recruiter"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == 2
    assert {c["name"] for c in body["sample"]} == {"张伟", "Li Na"}
    assert set(body["sample"][0]) == {"id", "name", "title", "current_company", "status"}


def test_preview_of_everything_caps_the_sample(client: FlaskClient, people: People) -> None:
    body = client.get(f"{URL}/preview", headers=people.tenant.headers("analyst")).get_json()
    assert body["count"] == len(CANDIDATES)
    assert len(body["sample"]) == len(CANDIDATES)


def test_preview_owner_me_is_the_caller(client: FlaskClient, people: People) -> None:
    mine = client.get(f"{URL}/preview", query_string={"q": "owner:me"},
                      headers=people.tenant.headers("recruiter")).get_json()
    admins = client.get(f"{URL}/preview", query_string={"q": "owner:me"},
                        headers=people.tenant.headers("tenant_admin")).get_json()
    assert (mine["count"], admins["count"]) == (2, 1)


@pytest.mark.parametrize(
    ("query", "position", "code"),
    [
        ("status:stalled (reason:health", 15, "unbalanced_paren"),
        ("reason:nosuch", 7, "invalid_value"),
        ("colour:red", 0, "unknown_field"),
        ('"unterminated', 0, "unterminated_quote"),
        ("match:high AND", 14, "unexpected_end"),
        ("tag:nosuchtag", 4, "unknown_tag"),
        ("owner:ghost@nowhere.example", 6, "unknown_owner"),
        ("x" * 2001, 2000, "query_too_long"),
    ],
)
def test_bad_query_is_a_400_problem_with_position(
    client: FlaskClient, people: People, query: str, position: int, code: str
) -> None:
    response = client.get(f"{URL}/preview", query_string={"q": query},
                          headers=people.tenant.headers("recruiter"))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert (body["position"], body["code"]) == (position, code)
    assert body["title"] and body["detail"]


def test_preview_needs_a_token_and_a_permission(client: FlaskClient, people: People) -> None:
    assert client.get(f"{URL}/preview").status_code == 401


def test_saved_segment_crud(app: Flask, client: FlaskClient, people: People) -> None:
    headers = people.tenant.headers("recruiter")
    response = create(client, people, name="  Wrap-up, high match ",
                      query="reason:project_wrapup match:high", description="Q3 push")
    assert response.status_code == 201, response.get_json()
    segment = response.get_json()
    assert segment["name"] == "Wrap-up, high match"
    assert segment["created_by"] == str(people.tenant.users["recruiter"])
    segment_url = f"{URL}/{segment['id']}"

    assert client.get(segment_url, headers=headers).get_json()["query"] == (
        "reason:project_wrapup match:high")
    listed = client.get(URL, headers=headers).get_json()
    assert segment["id"] in {s["id"] for s in listed["items"]}

    results = client.get(f"{segment_url}/candidates", headers=headers).get_json()
    assert [c["name"] for c in results["items"]] == ["张伟"]

    patched = client.patch(segment_url, json={"query": "reason:project_wrapup"},
                           headers=headers)
    assert patched.status_code == 200
    assert patched.get_json()["name"] == "Wrap-up, high match"
    results = client.get(f"{segment_url}/candidates", headers=headers).get_json()
    assert {c["name"] for c in results["items"]} == {"张伟", "Li Na"}

    assert client.delete(segment_url, headers=headers).status_code == 204
    assert client.get(segment_url, headers=headers).status_code == 404
    with app.app_context(), tenant_context(people.tenant.id):
        actions = set(db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.target_id == segment["id"])))
    assert {"segment.created", "segment.updated", "segment.deleted"} <= actions


def test_results_are_paginated(client: FlaskClient, people: People) -> None:
    headers = people.tenant.headers("recruiter")
    segment = create(client, people, name="Everyone paged", query="").get_json()
    first = client.get(f"{URL}/{segment['id']}/candidates", query_string={"limit": 4},
                       headers=headers).get_json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    rest = client.get(f"{URL}/{segment['id']}/candidates",
                      query_string={"limit": 4, "cursor": first["next_cursor"]},
                      headers=headers).get_json()
    assert len(rest["items"]) == len(CANDIDATES) - 4 and rest["next_cursor"] is None


def test_duplicate_name_is_409_case_insensitive(client: FlaskClient, people: People) -> None:
    assert create(client, people, name="Stalled", query="status:stalled").status_code == 201
    response = create(client, people, name="stalled", query="status:hired")
    assert response.status_code == 409
    assert "'stalled' already exists" in response.get_json()["detail"]


def test_rename_onto_another_name_is_409(app: Flask, client: FlaskClient,
                                         people: People) -> None:
    headers = people.tenant.headers("recruiter")
    create(client, people, name="Hired", query="status:hired")
    other = create(client, people, name="Active", query="status:active").get_json()
    response = client.patch(f"{URL}/{other['id']}", json={"name": "HIRED"}, headers=headers)
    assert response.status_code == 409
    assert client.get(f"{URL}/{other['id']}", headers=headers).get_json()["name"] == "Active"


def test_bad_query_on_save_stores_nothing(app: Flask, client: FlaskClient,
                                          people: People) -> None:
    before = saved(app, people)
    response = create(client, people, name="Broken", query="reason:project_wrapup (")
    assert response.status_code == 400
    assert response.get_json()["position"] == 22
    assert saved(app, people) == before


def test_bad_query_on_patch_changes_nothing(client: FlaskClient, people: People) -> None:
    headers = people.tenant.headers("recruiter")
    segment = create(client, people, name="Fine", query="status:stalled").get_json()
    response = client.patch(f"{URL}/{segment['id']}", json={"query": "status:asleep"},
                            headers=headers)
    assert response.status_code == 400
    assert response.get_json()["position"] == 7
    assert client.get(f"{URL}/{segment['id']}", headers=headers).get_json()["query"] == (
        "status:stalled")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": "status:stalled"}, "name"),
        ({"name": "   ", "query": "status:stalled"}, "name"),
        ({"name": "x" * 101, "query": "status:stalled"}, "name"),
        ({"name": "No query"}, "query"),
        ({"name": "Long", "query": "", "description": "d" * 301}, "description"),
        ({"name": "Extra", "query": "", "tenant_id": str(uuid.uuid4())}, "tenant_id"),
    ],
)
def test_invalid_body_is_422_naming_the_field(
    app: Flask, client: FlaskClient, people: People, body: dict[str, Any], field: str
) -> None:
    before = saved(app, people)
    response = create(client, people, **body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert saved(app, people) == before


def test_read_only_roles_cannot_write(client: FlaskClient, people: People) -> None:
    headers = people.tenant.headers("hiring_manager")
    assert client.get(URL, headers=headers).status_code == 200
    response = client.post(URL, json={"name": "HM", "query": ""}, headers=headers)
    assert response.status_code == 403


def test_another_tenants_segment_is_404(client: FlaskClient, people: People) -> None:
    segment = create(client, people, name="Mine only", query="").get_json()
    headers = people.other.headers("tenant_admin")
    for method in ("get", "patch", "delete"):
        kwargs: dict[str, Any] = {"json": {"name": "x"}} if method == "patch" else {}
        response = getattr(client, method)(f"{URL}/{segment['id']}", headers=headers, **kwargs)
        assert response.status_code == 404, method
    assert client.get(f"{URL}/{segment['id']}/candidates", headers=headers).status_code == 404
    assert segment["id"] not in {
        s["id"] for s in client.get(URL, headers=headers).get_json()["items"]}


def test_other_tenant_preview_sees_only_its_own(client: FlaskClient, people: People) -> None:
    body = client.get(f"{URL}/preview", query_string={"q": "skill:python"},
                      headers=people.other.headers("recruiter")).get_json()
    ids = {c["id"] for c in body["sample"]}
    assert body["count"] == 2
    assert not ids & {str(i) for i in people.ids.values()}
