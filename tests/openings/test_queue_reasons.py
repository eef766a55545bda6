"""Queue reasons: news that speaks to a candidate's values, and the best opening named."""

from __future__ import annotations

import pytest
from flask import Flask

from saas.auth.models import User
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.openings.builders import days_ago, event, people


def _queue(app: Flask, tenant: TenantFixture, locale: str = "en") -> dict[str, dict[str, str]]:
    """The queue's reasons by candidate name, read by the admin in ``locale``."""
    with app.app_context(), tenant_context(tenant.id):
        admin = db.session.get(User, (tenant.id, tenant.users["tenant_admin"]))
        assert admin is not None
        admin.locale = locale
        db.session.commit()
    client = app.test_client()
    body = client.get("/api/v1/queue?owner=all", headers=tenant.headers("tenant_admin")).json
    return {e["candidate"]["name"]: {r["code"]: r["text"] for r in e["reasons"]}
            for e in body["items"]}


def test_value_news_since_the_last_talk(app: Flask, tenant_a: TenantFixture) -> None:
    people(app, tenant_a, {
        "Before": {"values": ("flexibility",), "last_contact_at": days_ago(90)},
        "After": {"values": ("flexibility",), "last_contact_at": days_ago(40)},
        "Other value": {"values": ("family",), "last_contact_at": days_ago(90)},
    })
    event(app, tenant_a, values=["flexibility", "training"], published=days_ago(60))
    queue = _queue(app, tenant_a)
    assert "value_news" in queue["Before"]
    assert "flexible work" in queue["Before"]["value_news"]
    assert "Remote work policy" in queue["Before"]["value_news"]
    assert "value_news" not in queue.get("After", {})
    assert "value_news" not in queue.get("Other value", {})


def test_value_news_in_chinese(app: Flask, tenant_a: TenantFixture) -> None:
    people(app, tenant_a, {"Lin": {"values": ("flexibility",), "last_contact_at": days_ago(90)}})
    event(app, tenant_a, values=["flexibility"], published=days_ago(30), title="远程办公政策")
    text = _queue(app, tenant_a, "zh-CN")["Lin"]["value_news"]
    assert "弹性工作" in text and "远程办公政策" in text


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_high_match_names_the_opening(app: Flask, tenant_a: TenantFixture, locale: str) -> None:
    people(app, tenant_a, {"Fit": {"skills": ("python", "go"), "last_contact_at": days_ago(90)}})
    client = app.test_client()
    client.post("/api/v1/openings", json={"title": "Backend lead", "skills": ["python", "go"],
                                          "status": "open"}, headers=tenant_a.headers())
    text = _queue(app, tenant_a, locale)["Fit"]["high_match"]
    assert "Backend lead" in text and "100/100" in text
