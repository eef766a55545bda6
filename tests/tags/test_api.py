"""Tags API: corrections and accuracy, custom tags, tagging a segment, isolation."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.tags.models import TagCorrection
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.tags.helpers import NOTE_ZH, candidate_row, make_candidate, record_note, tags


def _corrections(app: Flask, tenant: TenantFixture) -> list[tuple[str, str, str | None,
                                                                  str | None]]:
    with app.app_context(), tenant_context(tenant.id):
        rows = db.session.scalars(sa.select(TagCorrection).order_by(TagCorrection.created_at))
        return [(r.dimension, r.action, r.inferred_code, r.correct_code) for r in rows]


def test_accept_correct_remove_are_recorded_and_measured(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client, headers = app.test_client(), tenant_a.headers("recruiter")
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid)
    found = tags(app, tenant_a, cid)
    base = f"/api/v1/candidates/{cid}/tags"

    accepted = client.post(f"{base}/{found[('value', 'flexibility')].id}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["source"] == "manual"
    again = client.post(f"{base}/{found[('value', 'flexibility')].id}/accept", headers=headers)
    assert again.status_code == 409

    corrected = client.post(f"{base}/{found[('reason', 'project_wrapup')].id}/correct",
                            headers=headers, json={"code": "counter_offer"})
    assert corrected.status_code == 200, corrected.get_json()
    body = corrected.get_json()
    assert (body["dimension"], body["code"], body["source"]) == (
        "reason", "counter_offer", "manual")
    assert body["label"] == "未响应-老东家挽留"  # the tenant's locale (zh-CN)

    wrong = client.post(f"{base}/{found[('channel', 'wechat')].id}/correct",
                        headers=headers, json={"code": "pigeon"})
    assert wrong.status_code == 422 and "code" in wrong.get_json()["errors"]
    removed = client.delete(f"{base}/{found[('channel', 'wechat')].id}", headers=headers)
    assert removed.status_code == 204
    assert candidate_row(app, tenant_a, cid).preferred_channel is None

    assert _corrections(app, tenant_a) == [
        ("value", "accept", "flexibility", "flexibility"),
        ("reason", "correct", "project_wrapup", "counter_offer"),
        ("channel", "remove", "wechat", None),
    ]
    stats = client.get("/api/v1/insights/accuracy", headers=tenant_a.headers("analyst"))
    assert stats.status_code == 200
    by_dim = {row["dimension"]: row for row in stats.get_json()["items"]}
    assert by_dim["value"] == {"dimension": "value", "accepted": 1, "corrected": 0,
                               "removed": 0, "judged": 1, "share_right": 1.0}
    assert by_dim["reason"]["corrected"] == 1 and by_dim["reason"]["share_right"] == 0.0
    assert by_dim["channel"]["removed"] == 1
    assert client.get("/api/v1/insights/accuracy",
                      headers=tenant_a.headers("hiring_manager")).status_code == 403

    with app.app_context(), tenant_context(tenant_a.id):
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action.like("candidate.tag_%"))).all()
        assert {e.action for e in events} >= {
            "candidate.tag_accepted", "candidate.tag_corrected", "candidate.tag_removed"}
        assert all("李" not in str(e.detail) and "Li Na" not in str(e.detail) for e in events)


def test_manual_tags_replace_the_reason_and_set_the_channel(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client, headers = app.test_client(), tenant_a.headers("recruiter")
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid)
    base = f"/api/v1/candidates/{cid}/tags"
    first = client.post(base, headers=headers, json={"dimension": "reason", "code": "health"})
    assert first.status_code == 201, first.get_json()
    second = client.post(base, headers=headers,
                         json={"dimension": "reason", "code": "relocation"})
    assert second.status_code == 201
    channel = client.post(base, headers=headers, json={"dimension": "channel", "code": "email"})
    assert channel.status_code == 201
    found = tags(app, tenant_a, cid)
    assert [k for k in found if k[0] == "reason"] == [("reason", "relocation")]
    assert [k for k in found if k[0] == "channel"] == [("channel", "email")]
    candidate = candidate_row(app, tenant_a, cid)
    assert (candidate.preferred_channel, candidate.preferred_channel_source) == (
        "email", "manual")
    # The inferred reason the recruiter overrode counts as corrected.
    assert ("reason", "correct", "project_wrapup", "health") in _corrections(app, tenant_a)
    # A later note does not override manual choices.
    record_note(app, tenant_a, cid, NOTE_ZH)
    found = tags(app, tenant_a, cid)
    assert {k for k in found if k[0] in ("reason", "channel")} == {
        ("reason", "relocation"), ("channel", "email")}
    listed = client.get(base, headers=tenant_a.headers("hiring_manager")).get_json()["items"]
    assert [item["dimension"] for item in listed][:1] == ["reason"]


def test_bad_tag_input_is_refused_with_the_field_named(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client, headers = app.test_client(), tenant_a.headers("recruiter")
    cid = make_candidate(app, tenant_a)
    base = f"/api/v1/candidates/{cid}/tags"
    cases = [
        ({"dimension": "reason", "code": "bored"}, "code"),
        ({"dimension": "mood", "code": "x"}, "dimension"),
        ({"dimension": "reason"}, "code"),
        ({"tag": "nope"}, "tag"),
        ({"tag": "BAD CODE"}, "tag"),
        ({"tag": "vip", "code": "x"}, "tag"),
        ({"dimension": "value", "code": "stability", "tenant_id": str(uuid.uuid4())},
         "tenant_id"),
    ]
    for payload, field in cases:
        response = client.post(base, headers=headers, json=payload)
        assert response.status_code == 422, (payload, response.get_json())
        assert field in response.get_json()["errors"], (payload, response.get_json())
    assert tags(app, tenant_a, cid) == {}
    assert client.post(base, headers=tenant_a.headers("hiring_manager"),
                       json={"dimension": "value", "code": "stability"}).status_code == 403


def test_custom_tags_crud(app: Flask, tenant_a: TenantFixture) -> None:
    client, headers = app.test_client(), tenant_a.headers("recruiter")
    created = client.post("/api/v1/tags", headers=headers,
                          json={"code": "vip", "label": "重点关注"})
    assert created.status_code == 201, created.get_json()
    tag_id = created.get_json()["id"]
    dup = client.post("/api/v1/tags", headers=headers, json={"code": "vip", "label": "Again"})
    assert dup.status_code == 409
    for payload, field in [({"code": "Not OK", "label": "x"}, "code"),
                           ({"code": "x" * 41, "label": "x"}, "code"),
                           ({"code": "ok", "label": ""}, "label"),
                           ({"code": "wechat", "label": "x"}, "code"),
                           ({"label": "x"}, "code")]:
        bad = client.post("/api/v1/tags", headers=headers, json=payload)
        assert bad.status_code == 422, payload
        assert field in bad.get_json()["errors"], (payload, bad.get_json())

    cid = make_candidate(app, tenant_a)
    assert client.post(f"/api/v1/candidates/{cid}/tags", headers=headers,
                       json={"tag": "vip"}).status_code == 201
    catalogue = client.get("/api/v1/tags", headers=headers)
    body = catalogue.get_json()
    assert [c["code"] for c in body["custom"]] == ["vip"]
    assert body["custom"][0]["count"] == 1
    reason = next(d for d in body["dimensions"] if d["dimension"] == "reason")
    assert reason["label"] == "未响应"  # the tenant's locale
    listed = client.get(f"/api/v1/candidates/{cid}/tags", headers=headers).get_json()
    assert listed["items"][0]["label"] == "重点关注"

    assert client.delete(f"/api/v1/tags/{tag_id}", headers=headers).status_code == 204
    assert tags(app, tenant_a, cid) == {}
    assert client.delete(f"/api/v1/tags/{tag_id}", headers=headers).status_code == 404


def test_tag_everyone_in_a_segment(app: Flask, tenant_a: TenantFixture) -> None:
    client, headers = app.test_client(), tenant_a.headers("recruiter")
    client.post("/api/v1/tags", headers=headers, json={"code": "q4", "label": "Q4 drive"})
    in_segment = [make_candidate(app, tenant_a, city="上海") for _ in range(3)]
    make_candidate(app, tenant_a, city="北京")
    url = "/api/v1/segments/tag"
    first = client.post(url, headers=headers, json={"q": "city:上海", "tag": "q4"})
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"tagged": 3}
    assert client.post(url, headers=headers,
                       json={"q": "city:上海", "tag": "q4"}).get_json() == {"tagged": 0}
    assert all(("custom", "q4") in tags(app, tenant_a, cid) for cid in in_segment)

    value = client.post(url, headers=headers,
                        json={"q": "city:上海", "dimension": "value", "code": "stability"})
    assert value.get_json() == {"tagged": 3}

    broken = client.post(url, headers=headers, json={"q": "city:(", "tag": "q4"})
    assert broken.status_code == 400
    assert isinstance(broken.get_json()["position"], int)
    unknown = client.post(url, headers=headers, json={"q": "city:上海", "tag": "nope"})
    assert unknown.status_code == 422 and "tag" in unknown.get_json()["errors"]
    assert client.post(url, headers=tenant_a.headers("analyst"),
                       json={"q": "city:上海", "tag": "q4"}).status_code == 403


def test_another_tenants_ids_are_not_found(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    client = app.test_client()
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid)
    tag_id = tags(app, tenant_a, cid)[("reason", "project_wrapup")].id
    custom = client.post("/api/v1/tags", headers=tenant_a.headers(),
                         json={"code": "mine", "label": "Mine"}).get_json()["id"]
    other = tenant_b.headers()
    base = f"/api/v1/candidates/{cid}/tags"
    assert client.get(base, headers=other).status_code == 404
    assert client.post(base, headers=other,
                       json={"dimension": "value", "code": "family"}).status_code == 404
    assert client.delete(f"{base}/{tag_id}", headers=other).status_code == 404
    assert client.post(f"{base}/{tag_id}/accept", headers=other).status_code == 404
    assert client.post(f"{base}/{tag_id}/correct", headers=other,
                       json={"code": "health"}).status_code == 404
    assert client.delete(f"/api/v1/tags/{custom}", headers=other).status_code == 404
    # tenant B's own candidate with tenant A's tag id
    own = make_candidate(app, tenant_b)
    assert client.delete(f"/api/v1/candidates/{own}/tags/{tag_id}",
                         headers=other).status_code == 404
    assert ("reason", "project_wrapup") in tags(app, tenant_a, cid)
