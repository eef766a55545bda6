"""POST /api/v1/outreach (202 / 409 shapes, Idempotency-Key) and the message reads."""

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask

from saas.extensions import db
from saas.outreach.models import OutboundMessage
from tests.factories import TenantFixture, make_tenant
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    ctx,
    make_candidate,
    make_template,
    outreach_app,
    provider,
    set_policy,
)


def _ids(**kwargs: object) -> tuple[str, str]:
    candidate = make_candidate(**kwargs)  # type: ignore[arg-type]
    template = make_template()
    db.session.commit()
    return str(candidate.id), str(template.id)


def test_send_is_202_with_routing_and_idempotency_key(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    candidate_id, template_id = _ids(preferred_channel="phone")
    client = outreach_app.test_client()
    headers = {**ctx.headers("recruiter"), "Idempotency-Key": "req-42"}
    body = {"candidate_id": candidate_id, "template_id": template_id}
    response = client.post("/api/v1/outreach", json=body, headers=headers)
    assert response.status_code == 202, response.get_json()
    data = response.get_json()
    assert data["channel"] == "phone" and data["state"] in ("queued", "sent")
    assert data["routing"]["rule"] == "preferred"
    assert "2025-10-12" in data["routing"]["explanation"]  # words in the user's language
    again = client.post("/api/v1/outreach", json=body, headers=headers)
    assert again.status_code == 202 and again.get_json()["message_id"] == data["message_id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage).where(
        OutboundMessage.candidate_id == uuid.UUID(candidate_id))) == 1
    one = client.get(f"/api/v1/outreach/messages/{data['message_id']}",
                     headers=ctx.headers("recruiter")).get_json()
    assert one["state"] == "sent" and one["attempts"] == 1 and one["body"]
    manager = client.get(f"/api/v1/outreach/messages/{data['message_id']}",
                         headers=ctx.headers("hiring_manager")).get_json()
    assert "body" not in manager and manager["state"] == "sent"
    listing = client.get(f"/api/v1/outreach/messages?candidate_id={candidate_id}",
                         headers=ctx.headers("recruiter")).get_json()
    assert [m["id"] for m in listing["items"]] == [data["message_id"]]


def test_quiet_hours_answer_202_scheduled_with_send_after(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    set_policy(ctx, quiet_hours="00:00-23:59")
    candidate_id, template_id = _ids()
    response = outreach_app.test_client().post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": template_id},
        headers=ctx.headers("recruiter"))
    assert response.status_code == 202
    data = response.get_json()
    assert data["state"] == "scheduled" and data["send_after"]
    assert data["policy"]["code"] == "quiet_hours"


def test_blocking_policies_are_409_problems_naming_the_rule(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    client = outreach_app.test_client()
    candidate_id, template_id = _ids(consent=())
    refused = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": template_id},
        headers=ctx.headers("recruiter"))
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["code"] == "no_consent" and problem["detail"]
    set_policy(ctx, max_messages_per_30_days=1)
    candidate_id, template_id = _ids()
    first = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": template_id},
        headers=ctx.headers("recruiter"))
    assert first.status_code == 202
    other_template = str(make_template().id)
    db.session.commit()
    capped = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": other_template},
        headers=ctx.headers("recruiter"))
    assert capped.status_code == 409
    assert capped.get_json()["code"] == "frequency_cap" and capped.get_json()["message_id"]
    assert capped.get_json()["policy"]["code"] == "frequency_cap"


def test_bad_input_and_permissions(outreach_app: Flask, ctx: TenantFixture) -> None:
    client = outreach_app.test_client()
    candidate_id, template_id = _ids()
    headers = ctx.headers("recruiter")
    unknown = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": template_id, "colour": "red"},
        headers=headers)
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["errors"]
    bad_channel = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": template_id, "channel": "pigeon"},
        headers=headers)
    assert bad_channel.status_code == 422 and "channel" in bad_channel.get_json()["errors"]
    missing = client.post("/api/v1/outreach", json={"candidate_id": str(uuid.uuid4()),
                                                    "template_id": template_id},
                          headers=headers)
    assert missing.status_code == 404
    no_template = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": str(uuid.uuid4())}, headers=headers)
    assert no_template.status_code == 404 and "template_id" in no_template.get_json()["detail"]
    bad_key = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": template_id},
        headers={**headers, "Idempotency-Key": "has spaces in it"})
    assert bad_key.status_code == 422
    forbidden = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": template_id},
        headers=ctx.headers("hiring_manager"))
    assert forbidden.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage).where(
        OutboundMessage.candidate_id == uuid.UUID(candidate_id))) == 0


def test_another_tenants_message_is_404(outreach_app: Flask, ctx: TenantFixture) -> None:
    candidate_id, template_id = _ids()
    client = outreach_app.test_client()
    sent = client.post("/api/v1/outreach", json={
        "candidate_id": candidate_id, "template_id": template_id},
        headers=ctx.headers("recruiter")).get_json()
    other = make_tenant(outreach_app, "other")
    assert client.get(f"/api/v1/outreach/messages/{sent['message_id']}",
                      headers=other.headers("recruiter")).status_code == 404
