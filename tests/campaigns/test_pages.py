"""Campaign pages in both languages: list, new (errors next to fields), show, actions."""

# ruff: noqa: F811
from __future__ import annotations

import html

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.campaigns.models import Campaign
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.campaigns.support import people, templates
from tests.factories import TenantFixture, csrf_from, login
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    StandInProvider,
    outreach_app,
    provider,
    web_tenant,
)


def signed_in(app: Flask, tenant: TenantFixture, role: str = "recruiter",
              language: str = "en") -> FlaskClient:
    client = app.test_client()
    login(client, tenant, role)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": language, "next": "/"})
    return client


def text(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def _form(client: FlaskClient, **fields: str) -> dict[str, str]:
    token = csrf_from(client.get("/campaigns/new").get_data(as_text=True))
    return {"csrf_token": token, "name": "Autumn follow-up", "segment_query": "city:杭州",
            "holdout_percent": "10", "steps-0-template_name": "hello",
            "steps-0-delay_days": "0", "steps-0-channel": "", **fields}


def test_create_launch_and_results_in_english(outreach_app: Flask, web_tenant: TenantFixture,
                                              provider: StandInProvider) -> None:
    with outreach_app.app_context(), tenant_context(web_tenant.id):
        people(4)
        templates("hello")
    client = signed_in(outreach_app, web_tenant)
    assert "Campaigns" in text(client.get("/campaigns"))
    bad = client.post("/campaigns", data=_form(client, segment_query="city:杭州 AND ("))
    assert bad.status_code == 422
    assert "The query cannot be read at character" in text(bad)
    assert 'value="Autumn follow-up"' in text(bad)  # what was typed is kept
    holdout = client.post("/campaigns", data=_form(client, holdout_percent="80"))
    assert holdout.status_code == 422
    no_steps = client.post("/campaigns", data=_form(client, **{"steps-0-template_name": ""}))
    assert no_steps.status_code == 422 and "at least one step" in text(no_steps)
    created = client.post("/campaigns", data=_form(client))
    assert created.status_code == 302, text(created)
    page = text(client.get(created.headers["Location"]))
    assert "Preview: who would get what" in page and "Person" in page and "hello:" in page
    token = csrf_from(page)
    launched = client.post(created.headers["Location"] + "/launch", data={"csrf_token": token})
    assert launched.status_code == 303
    shown = text(client.get(created.headers["Location"]))
    assert "Results so far" in shown and "Reply rate" in shown
    assert "Autumn follow-up" in text(client.get("/campaigns"))


def test_pages_in_chinese_and_permissions(outreach_app: Flask, web_tenant: TenantFixture,
                                          tenant_b: TenantFixture) -> None:
    with outreach_app.app_context(), tenant_context(web_tenant.id):
        templates("hello")
    client = signed_in(outreach_app, web_tenant, language="zh-CN")
    assert client.get("/campaigns").status_code == 200
    assert client.get("/campaigns/new").status_code == 200
    created = client.post("/campaigns", data=_form(client, name="秋季回访"))
    assert created.status_code == 302
    assert "秋季回访" in text(client.get(created.headers["Location"]))
    with outreach_app.app_context(), tenant_context(web_tenant.id):
        campaign_id = db.session.scalars(sa.select(Campaign.id)).one()
    manager = signed_in(outreach_app, web_tenant, role="hiring_manager")
    assert manager.get("/campaigns").status_code == 403
    stranger = signed_in(outreach_app, tenant_b)
    assert stranger.get(f"/campaigns/{campaign_id}").status_code == 404
    token = csrf_from(stranger.get("/account").get_data(as_text=True))
    assert stranger.post(f"/campaigns/{campaign_id}/launch",
                         data={"csrf_token": token}).status_code == 404
