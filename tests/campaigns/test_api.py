"""``/api/v1/campaigns``: validation, preview, launch, pause/resume, delete, permissions."""

# ruff: noqa: F811
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from saas.campaigns.models import Campaign, CampaignEnrollment
from saas.extensions import db
from saas.outreach.models import OutboundMessage
from saas.tenancy.context import tenant_context
from tests.campaigns.support import people, templates
from tests.factories import TenantFixture
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    StandInProvider,
    ctx,
    outreach_app,
    provider,
)

URL = "/api/v1/campaigns"


def _body(**fields: Any) -> dict[str, Any]:
    return {"name": "Wrap-up follow-up", "segment_query": "city:杭州",
            "steps": [{"delay_days": 0, "template_name": "hello"}], **fields}


def _count(model: Any) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_create_validates_and_names_the_problem(outreach_app: Flask, ctx: TenantFixture) -> None:
    templates("hello")
    client, headers = outreach_app.test_client(), ctx.headers("recruiter")
    bad_query = client.post(URL, json=_body(segment_query="city:杭州 AND ("), headers=headers)
    assert bad_query.status_code == 400 and "position" in bad_query.get_json()
    unknown = client.post(URL, json=_body(steps=[{"delay_days": 0, "template_name": "nope"}]),
                          headers=headers)
    assert unknown.status_code == 422
    assert unknown.get_json()["field"] == "steps[0].template_name"
    for holdout in (-1, 51):
        response = client.post(URL, json=_body(holdout_percent=holdout), headers=headers)
        assert response.status_code == 422 and "holdout_percent" in str(response.get_json())
    for steps in ([], [{"delay_days": 0, "template_name": "hello"}] * 11,
                  [{"delay_days": -1, "template_name": "hello"}]):
        assert client.post(URL, json=_body(steps=steps), headers=headers).status_code == 422
    assert client.post(URL, json=_body(tenant_id="x"), headers=headers).status_code == 422
    assert _count(Campaign) == 0  # nothing stored half-way
    created = client.post(URL, json=_body(), headers=headers)
    assert created.status_code == 201, created.get_json()
    document = created.get_json()
    assert document["state"] == "draft" and document["holdout_percent"] == 10
    assert document["steps"][0]["template_name"] == "hello"
    again = client.post(URL, json=_body(), headers=headers)
    assert again.status_code == 409


def test_preview_writes_nothing_and_shows_who_gets_what(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    people(12)
    people(1, consent=())
    templates("hello")
    client, headers = outreach_app.test_client(), ctx.headers("recruiter")
    campaign = client.post(URL, json=_body(holdout_percent=0), headers=headers).get_json()
    before = (_count(OutboundMessage), _count(CampaignEnrollment))
    response = client.post(f"{URL}/{campaign['id']}/preview?sample=5", headers=headers)
    assert response.status_code == 200, response.get_json()
    preview = response.get_json()
    assert preview["segment_size"] == 13 and preview["holdout"] == 0
    assert preview["blocked"] == 1 and preview["blocked_by_code"] == {"no_consent": 1}
    assert len(preview["sample"]) == 5
    row = next(r for r in preview["sample"] if r["channel"])
    assert row["channel"] == "phone" and row["why"] and "hello" in row["body"]
    assert (_count(OutboundMessage), _count(CampaignEnrollment)) == before


def test_launch_pause_resume_and_delete(outreach_app: Flask, ctx: TenantFixture,
                                        provider: StandInProvider) -> None:
    people(5)
    templates("hello")
    client, headers = outreach_app.test_client(), ctx.headers("recruiter")
    campaign = client.post(URL, json=_body(holdout_percent=0), headers=headers).get_json()
    launched = client.post(f"{URL}/{campaign['id']}/launch", headers=headers)
    assert launched.status_code == 202, launched.get_json()
    assert launched.get_json()["enrolled"] == 5
    assert client.post(f"{URL}/{campaign['id']}/launch", headers=headers).status_code == 409
    assert client.delete(f"{URL}/{campaign['id']}", headers=headers).status_code == 409
    shown = client.get(f"{URL}/{campaign['id']}", headers=headers).get_json()
    assert shown["results"]["enrolled"] == 5
    assert shown["results"]["steps"][0]["sent"] == 5  # the runner ran on launch (inline)
    assert shown["state"] == "finished"
    assert client.post(f"{URL}/{campaign['id']}/pause", headers=headers).status_code == 409
    listed = client.get(URL, headers=headers).get_json()
    assert [c["id"] for c in listed["items"]] == [campaign["id"]]
    other = client.post(URL, json=_body(name="Second", steps=[
        {"delay_days": 3, "template_name": "hello"}]), headers=headers).get_json()
    client.post(f"{URL}/{other['id']}/launch", headers=headers)
    paused = client.post(f"{URL}/{other['id']}/pause", headers=headers)
    assert paused.status_code == 200 and paused.get_json()["state"] == "paused"
    resumed = client.post(f"{URL}/{other['id']}/resume", headers=headers)
    assert resumed.status_code == 200 and resumed.get_json()["state"] == "running"
    draft = client.post(URL, json=_body(name="Third"), headers=headers).get_json()
    assert client.delete(f"{URL}/{draft['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{draft['id']}", headers=headers).status_code == 404


def test_empty_segment_launch_is_422(outreach_app: Flask, ctx: TenantFixture) -> None:
    templates("hello")
    client, headers = outreach_app.test_client(), ctx.headers("recruiter")
    campaign = client.post(URL, json=_body(segment_query="city:无人之城"),
                           headers=headers).get_json()
    response = client.post(f"{URL}/{campaign['id']}/launch", headers=headers)
    assert response.status_code == 422 and response.get_json()["code"] == "empty_segment"
    state = client.get(f"{URL}/{campaign['id']}", headers=headers).get_json()["state"]
    assert state == "draft"


def test_permissions_and_another_tenants_campaign(
        outreach_app: Flask, ctx: TenantFixture, tenant_b: TenantFixture) -> None:
    templates("hello")
    client = outreach_app.test_client()
    campaign = client.post(URL, json=_body(), headers=ctx.headers("recruiter")).get_json()
    assert client.get(URL, headers=ctx.headers("hiring_manager")).status_code == 403
    assert client.post(URL, json=_body(name="x"),
                       headers=ctx.headers("hiring_manager")).status_code == 403
    assert client.get(URL, headers=ctx.headers("tenant_admin")).status_code == 200
    with tenant_context(tenant_b.id):
        for method, path in (("get", ""), ("post", "/preview"), ("post", "/launch"),
                             ("post", "/pause"), ("delete", "")):
            response = getattr(client, method)(f"{URL}/{campaign['id']}{path}",
                                               headers=tenant_b.headers("recruiter"))
            assert response.status_code == 404, (method, path)
