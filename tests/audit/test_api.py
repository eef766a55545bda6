"""``/api/v1/audit-events``: filters, pages, bad input, permissions, isolation, verify."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from saas import audit
from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.audit.conftest import record_events, tamper
from tests.factories import TenantFixture

URL = "/api/v1/audit-events"


def test_list_is_newest_first_with_labels_and_chain_fields(
    app: Flask, tenant_a: TenantFixture
) -> None:
    record_events(app, tenant_a.id, 3, action="tag.created")
    body = app.test_client().get(URL, headers=tenant_a.headers()).get_json()
    items = body["items"]
    assert [i["seq"] for i in items] == sorted((i["seq"] for i in items), reverse=True)
    first = items[0]
    assert first["action"] == "tag.created" and first["action_label"]
    assert len(first["hash"]) == 64 and first["occurred_at"].endswith("+00:00")
    assert body["next_cursor"] is None


def test_filters_and_pages(app: Flask, tenant_a: TenantFixture) -> None:
    record_events(app, tenant_a.id, 5, action="tag.created")
    with app.app_context(), tenant_context(tenant_a.id):
        audit.record("tag.deleted", outcome="failure", actor_kind="user",
                     actor_id=tenant_a.users["recruiter"], target_id="gone")
        db.session.commit()
    client = app.test_client()
    headers = tenant_a.headers()

    def items(**args: object) -> list[dict[str, object]]:
        response = client.get(URL, headers=headers, query_string=args)
        assert response.status_code == 200, response.get_json()
        return list(response.get_json()["items"])

    assert {i["action"] for i in items(action="tag.created")} == {"tag.created"}
    assert [i["target_id"] for i in items(actor_id=tenant_a.users["recruiter"],
                                          action="tag.deleted")] == ["gone"]
    assert {i["actor_id"] for i in items(actor_id=tenant_a.users["recruiter"])} == {
        str(tenant_a.users["recruiter"])}
    assert [i["target_id"] for i in items(outcome="failure")] == ["gone"]
    assert [i["target_id"] for i in items(target_id="t-2")] == ["t-2"]
    assert items(until="2000-01-01T00:00:00+08:00") == []
    assert len(items(since="2000-01-01T00:00:00Z", action="tag.created")) == 5
    first = client.get(URL, headers=headers, query_string={"action": "tag.created",
                                                          "limit": 3}).get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = client.get(URL, headers=headers, query_string={
        "action": "tag.created", "limit": 3, "cursor": first["next_cursor"]}).get_json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    seen = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(seen)) == 5


def test_bad_query_input_is_a_problem_naming_the_field(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    for args, field in (
        ({"actor_id": "nobody"}, "actor_id"),
        ({"outcome": "maybe"}, "outcome"),
        ({"since": "2026-01-01T00:00:00"}, "since"),  # no offset
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
        ({"target_id": "a b"}, "target_id"),
        ({"limit": 0}, "limit"),
    ):
        response = client.get(URL, headers=tenant_a.headers(), query_string=args)
        assert response.status_code == 422, (args, response.get_json())
        assert response.mimetype == "application/problem+json"
        assert field in response.get_json()["errors"], (args, response.get_json())
    cursor = client.get(URL, headers=tenant_a.headers(), query_string={"cursor": "zz"})
    assert cursor.status_code == 400 and "cursor" in cursor.get_json()["errors"]


def test_permissions(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    assert client.get(URL).status_code == 401
    for role in ("recruiter", "hiring_manager", "analyst"):
        assert client.get(URL, headers=tenant_a.headers(role)).status_code == 403
        assert client.post(f"{URL}/verify", headers=tenant_a.headers(role)).status_code == 403


def test_another_tenants_events_are_never_listed(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    record_events(app, tenant_b.id, 2, action="tag.created")
    with app.app_context(), tenant_context(tenant_b.id):
        b_ids = {str(i) for i in db.session.scalars(sa.select(AuditEvent.id))}
    client = app.test_client()
    listed = client.get(URL, headers=tenant_a.headers(), query_string={"limit": 500})
    assert not b_ids & {i["id"] for i in listed.get_json()["items"]}
    searched = client.get(URL, headers=tenant_a.headers(), query_string={"target_id": "t-1"})
    assert searched.get_json()["items"] == []


def test_verify(app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine) -> None:
    client = app.test_client()
    ok = client.post(f"{URL}/verify", headers=tenant_a.headers())
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["ok"] is True and body["events"] > 0 and body["problems"] == []
    with app.app_context(), tenant_context(tenant_a.id):
        seq = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq)))
    tamper(owner_engine, "DELETE FROM audit_events WHERE tenant_id = :t AND seq = :s",
           t=tenant_a.id, s=seq - 1)
    bad = client.post(f"{URL}/verify", headers=tenant_a.headers()).get_json()
    assert bad["ok"] is False
    assert [(p["kind"], p["seq"]) for p in bad["problems"]] == [("removed", seq - 1)]
    assert str(seq - 1) in bad["problems"][0]["message"]


def test_verify_takes_no_body(app: Flask, tenant_a: TenantFixture) -> None:
    response = app.test_client().post(f"{URL}/verify", headers=tenant_a.headers(),
                                      data="x", content_type="text/plain")
    assert response.status_code == 415
