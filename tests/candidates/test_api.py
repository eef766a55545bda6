"""The candidates API: create, read, update, delete, duplicates, compensation, bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.models import Candidate, CandidateContactKey, CandidateSkill
from saas.crypto.keys import DataKey
from saas.extensions import db
from saas.tags.models import CandidateTag
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture

ZHANG = {
    "name": "张伟", "emails": ["Zhang.Wei@Example.com"], "phones": ["+86 138 0013 8000"],
    "wechat_id": "zw_1990", "linkedin_url": "https://www.linkedin.com/in/zhangwei",
    "current_company": "某科技", "title": "后端工程师", "city": "上海",
    "skills": ["Python", "PMP", "python"], "preferred_channel": "wechat",
    "values": ["team_culture"], "career_goal": "1-2年内晋升为经理",
    "contract_end_date": "2026-03-31", "birthday": "1990-05-01", "locale": "zh-CN",
    "timezone": "Asia/Shanghai", "status": "stalled",
}
CONTRACT_FIELDS = {
    "id", "name", "emails", "phones", "wechat_id", "linkedin_url", "current_company", "title",
    "city", "skills", "preferred_channel", "values", "career_goal", "contract_end_date",
    "birthday", "locale", "timezone", "status", "tags", "next_follow_up_on", "created_at",
    "updated_at", "owner", "last_contact_at",
}
SALARY = {"amount": 40000, "currency": "CNY", "period": "month"}


def create(app: Flask, tenant: TenantFixture, body: dict[str, object],
           role: str = "tenant_admin") -> dict[str, object]:
    response = app.test_client().post("/api/v1/candidates", json=body,
                                      headers=tenant.headers(role))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


@contextmanager
def in_tenant(app: Flask, tenant: TenantFixture) -> Iterator[None]:
    """Read the database as the tenant, outside any request."""
    with app.app_context(), tenant_context(tenant.id):
        yield


def count(app: Flask, tenant: TenantFixture, model: type) -> int:
    with in_tenant(app, tenant):
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_create_read_update_list(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    body = create(app, tenant_a, {**ZHANG, "expected_salary": SALARY})
    assert set(body) == CONTRACT_FIELDS | {"expected_salary", "current_salary"}
    assert body["emails"] == ["zhang.wei@example.com"]
    assert body["phones"] == ["+8613800138000"]
    assert body["skills"] == ["pmp", "python"]
    assert body["values"] == ["team_culture"]
    assert body["tags"] == [{"dimension": "value", "code": "team_culture", "label": "偏好-团队氛围",
                             "source": "manual", "confidence": None}]
    assert body["owner"] == {"id": str(tenant_a.users["tenant_admin"]), "name": "Tenant_Admin"}
    assert body["expected_salary"] == SALARY
    got = client.get(f"/api/v1/candidates/{body['id']}", headers=tenant_a.headers("recruiter"))
    assert got.status_code == 200
    assert got.get_json()["name"] == "张伟"

    patched = client.patch(f"/api/v1/candidates/{body['id']}", headers=tenant_a.headers(), json={
        "title": "技术经理", "skills": ["go"], "values": [], "owner_email":
        tenant_a.emails["recruiter"], "preferred_channel": "email"})
    assert patched.status_code == 200, patched.get_json()
    doc = patched.get_json()
    assert (doc["title"], doc["skills"], doc["values"], doc["tags"]) == ("技术经理", ["go"], [], [])
    assert doc["owner"]["id"] == str(tenant_a.users["recruiter"])
    with in_tenant(app, tenant_a):
        row = db.session.scalars(sa.select(Candidate)).one()
        assert row.preferred_channel_source == "manual"
        audit_rows = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "candidate.updated")).all()
        assert audit_rows[-1].detail == {
            "fields": ["owner", "preferred_channel", "skills", "title", "values"]}
        assert "技术经理" not in str([a.detail for a in audit_rows])

    second = create(app, tenant_a, {"name": "Emily Chen", "emails": ["emily@example.com"]})
    listed = client.get("/api/v1/candidates?limit=1", headers=tenant_a.headers("recruiter"))
    page = listed.get_json()
    assert [c["id"] for c in page["items"]] == [second["id"]]
    assert page["next_cursor"]
    rest = client.get(f"/api/v1/candidates?limit=1&cursor={page['next_cursor']}",
                      headers=tenant_a.headers("recruiter")).get_json()
    assert [c["id"] for c in rest["items"]] == [body["id"]]
    found = client.get("/api/v1/candidates?q=status:stalled", headers=tenant_a.headers())
    assert [c["id"] for c in found.get_json()["items"]] == [body["id"]]


def test_bad_segment_query_is_a_400_with_position(app: Flask, tenant_a: TenantFixture) -> None:
    response = app.test_client().get("/api/v1/candidates?q=status:(", headers=tenant_a.headers())
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert isinstance(response.get_json()["position"], int)


def test_duplicate_email_or_phone_is_a_409_naming_the_existing_candidate(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    first = create(app, tenant_a, {"name": "张伟", "emails": ["zw@example.com"],
                                   "phones": ["+86 138 0013 8000"]})
    client = app.test_client()
    for body in ({"name": "Other", "emails": ["ZW@example.com "]},
                 {"name": "Other", "phones": ["13800138000"]}):
        response = client.post("/api/v1/candidates", json=body, headers=tenant_a.headers())
        assert response.status_code == 409
        problem = response.get_json()
        assert problem["existing"] == {"id": first["id"], "name": "张伟"}
        assert problem["detail"].startswith(f"张伟 ({first['id']}) already has this")
    assert count(app, tenant_a, Candidate) == 1
    other = create(app, tenant_a, {"name": "Other", "phones": ["13900139000"]})
    response = client.patch(f"/api/v1/candidates/{other['id']}", headers=tenant_a.headers(),
                            json={"phones": ["138-0013-8000"], "title": "x"})
    assert response.status_code == 409
    assert response.get_json()["existing"]["id"] == first["id"]
    again = client.get(f"/api/v1/candidates/{other['id']}", headers=tenant_a.headers())
    assert again.get_json()["phones"] == ["+8613900139000"]
    assert again.get_json()["title"] is None
    # The same phone in another tenant is no duplicate.
    create(app, tenant_b, {"name": "张伟", "phones": ["13800138000"]})


def test_compensation_is_hidden_from_recruiters_and_refused_on_write(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    body = create(app, tenant_a, {"name": "Li Lei", "current_salary": SALARY})
    url = f"/api/v1/candidates/{body['id']}"
    seen = client.get(url, headers=tenant_a.headers("recruiter")).get_json()
    assert "current_salary" not in seen and "expected_salary" not in seen
    listed = client.get("/api/v1/candidates", headers=tenant_a.headers("recruiter")).get_json()
    assert "current_salary" not in listed["items"][0]
    refused = client.patch(url, headers=tenant_a.headers("recruiter"),
                           json={"expected_salary": SALARY, "title": "x"})
    assert refused.status_code == 403
    assert "expected_salary" in refused.get_json()["detail"]
    refused = client.post("/api/v1/candidates", headers=tenant_a.headers("recruiter"),
                          json={"name": "New", "current_salary": None})
    assert refused.status_code == 403
    assert count(app, tenant_a, Candidate) == 1
    admin = client.get(url, headers=tenant_a.headers()).get_json()
    assert admin["current_salary"] == SALARY and admin["title"] is None
    manager = client.get(url, headers=tenant_a.headers("hiring_manager")).get_json()
    assert manager["current_salary"] == SALARY


def test_contact_points_are_not_stored_in_clear(
    app: Flask, tenant_a: TenantFixture, runtime_engine: sa.Engine
) -> None:
    body = create(app, tenant_a, ZHANG)
    with runtime_engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, false)"),
                         {"t": str(tenant_a.id)})
        stored_id = (body["id"] if conn.dialect.name == "postgresql"
                     else body["id"].replace("-", ""))
        row = conn.execute(sa.text("SELECT * FROM candidates WHERE id = :id"),
                           {"id": stored_id}).mappings().one()
        keys = conn.execute(sa.text("SELECT kind, digest FROM candidate_contact_keys "
                                    "WHERE candidate_id = :id"), {"id": stored_id}).all()
    raw = " ".join(str(v) for v in row.values()).lower()
    for secret in ("zhang.wei", "8613800138000", "13800138000", "zw_1990", "linkedin",
                   "1990-05-01"):
        assert secret not in raw
    assert row["emails_ct"] is not None
    assert {k for k, _ in keys} >= {"email", "phone", "wechat"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", d) for _, d in keys)  # keyed digests only


def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    cases = [
        ({"name": "X", "phones": ["13800138000", "not a phone"]}, "phones[1]", "not a phone"),
        ({"name": "X", "emails": ["nobody@"]}, "emails[0]", "nobody@"),
        ({"name": "X", "linkedin_url": "https://evil.example/in/x"}, "linkedin_url", "evil"),
        ({"name": "X", "nickname": "x"}, "nickname", "Unknown"),
        ({"name": " "}, "name", ""),
        ({"name": "X", "status": "erased"}, "status", ""),
        ({"name": "X", "values": ["money"]}, "values[0]", ""),
        ({"name": "X", "timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
        ({"name": "X", "owner_email": "ghost@nowhere.example"}, "owner_email", "ghost"),
        ({"name": "X", "expected_salary": {"amount": -1, "currency": "CNY", "period": "month"}},
         "expected_salary.amount", ""),
        ({"name": "X", "expected_salary": {"amount": 1, "currency": "XYZ", "period": "week"}},
         "expected_salary.currency", "XYZ"),
    ]
    for body, field, fragment in cases:
        response = client.post("/api/v1/candidates", json=body, headers=tenant_a.headers())
        assert response.status_code == 422, (body, response.get_json())
        errors = response.get_json()["errors"]
        assert field in errors, (field, errors)
        assert fragment in " ".join(errors[field]), (fragment, errors)
    assert count(app, tenant_a, Candidate) == 0
    assert count(app, tenant_a, CandidateContactKey) == 0


def test_delete_removes_dependents_and_destroys_the_key(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    body = create(app, tenant_a, {**ZHANG, "expected_salary": SALARY})
    url = f"/api/v1/candidates/{body['id']}"
    added = client.post(f"{url}/interactions", headers=tenant_a.headers("recruiter"), json={
        "direction": "inbound", "channel": "wechat",
        "summary": "最近在处理旧公司的项目,需要1个月时间", "open_questions": ["奖金部分怎么算"]})
    assert added.status_code == 201
    edited = client.patch(f"{url}/interactions/{added.get_json()['id']}",
                          headers=tenant_a.headers(), json={"summary": "改过"})
    assert edited.status_code == 200
    # Deleting a person is an erasure: tenant admins only (candidate:erase).
    assert client.delete(url, headers=tenant_a.headers("recruiter")).status_code == 403
    assert client.delete(url, headers=tenant_a.headers()).status_code == 204
    assert client.get(url, headers=tenant_a.headers()).status_code == 404
    from saas.candidates.timeline import Interaction, InteractionRevision

    for model in (Candidate, CandidateContactKey, CandidateSkill, CandidateTag, Interaction,
                  InteractionRevision):
        assert count(app, tenant_a, model) == 0, model.__name__
    with in_tenant(app, tenant_a):
        keys = db.session.scalars(sa.select(DataKey).where(
            DataKey.owner_kind == "candidate")).all()
        assert keys and all(k.wrapped_key is None and k.destroyed_at for k in keys)
        assert db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "candidate.erased")).one().target_id == body["id"]
    # The freed email can be used again.
    create(app, tenant_a, {"name": "张伟", "emails": ZHANG["emails"]})
