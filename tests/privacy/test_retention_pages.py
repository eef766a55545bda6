"""The retention settings page, the banner, the dashboard tile and the due list."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.privacy.retention import run_retention
from saas.tenancy.context import tenant_context
from saas.tenancy.manifest_schema import PolicySchema
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow
from tests.factories import TenantFixture
from tests.privacy.test_consent_pages import form_token, signed_in


def _policy(app: Flask, tenant: TenantFixture) -> dict[str, object]:
    with app.app_context():
        row = db.session.get(Tenant, tenant.id)
        assert row is not None
        return dict(row.policy or {})


@pytest.mark.parametrize("locale,marker", [("en", "Retention"), ("zh-CN", "退出登录")])
def test_admin_sets_and_turns_off_retention(
    app: Flask, tenant_a: TenantFixture, locale: str, marker: str
) -> None:
    client = signed_in(app, tenant_a, "tenant_admin", locale=locale)
    page = client.get("/settings/privacy")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and marker in html
    assert 'href="/settings/privacy"' in html  # in the settings navigation
    saved = client.post("/settings/privacy", data={
        "csrf_token": form_token(html, "/settings/privacy"), "retention_months": "24"})
    assert saved.status_code == 302
    assert _policy(app, tenant_a)["retention_months"] == 24
    html = client.get("/settings/privacy").get_data(as_text=True)
    assert 'value="24"' in html
    off = client.post("/settings/privacy", data={
        "csrf_token": form_token(html, "/settings/privacy"), "retention_months": ""})
    assert off.status_code == 302
    assert _policy(app, tenant_a)["retention_months"] is None
    with app.app_context(), tenant_context(tenant_a.id):
        changes = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "settings.changed").order_by(AuditEvent.seq)).all()
    assert [(e.detail["from"], e.detail["to"]) for e in changes] == [(None, 24), (24, None)]


@pytest.mark.parametrize("value", ["0", "241", "abc", "1.5", "-3"])
def test_bad_retention_value_is_422_and_changes_nothing(
    app: Flask, tenant_a: TenantFixture, value: str
) -> None:
    client = signed_in(app, tenant_a, "tenant_admin")
    html = client.get("/settings/privacy").get_data(as_text=True)
    response = client.post("/settings/privacy", data={
        "csrf_token": form_token(html, "/settings/privacy"), "retention_months": value})
    assert response.status_code == 422
    assert 'id="retention_months-error"' in response.get_data(as_text=True)
    assert _policy(app, tenant_a).get("retention_months") is None


def test_only_settings_roles(app: Flask, tenant_a: TenantFixture) -> None:
    recruiter = signed_in(app, tenant_a, "recruiter")
    assert recruiter.get("/settings/privacy").status_code == 403


def test_manifest_policy_validates_retention_months() -> None:
    assert PolicySchema().load({})["retention_months"] is None
    assert PolicySchema().load({"retention_months": 24})["retention_months"] == 24
    for bad in (0, 241, "x", 2.5):
        with pytest.raises(Exception, match="retention_months"):
            PolicySchema().load({"retention_months": bad})


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_banner_tile_and_due_list(app: Flask, tenant_a: TenantFixture, locale: str) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        old = utcnow() - dt.timedelta(days=900)
        row = Candidate(name="Quiet Qian", created_at=old, last_contact_at=old,
                        owner_id=tenant_a.users["recruiter"])
        db.session.add(row)
        tenant = db.session.get(Tenant, tenant_a.id)
        assert tenant is not None
        tenant.policy = {**(tenant.policy or {}), "retention_months": 24}
        db.session.commit()
        cid = row.id
        run_retention(tenant)
    client = signed_in(app, tenant_a, "recruiter", locale=locale)
    html = client.get(f"/candidates/{cid}").get_data(as_text=True)
    assert 'id="retention-banner"' in html
    home = client.get("/").get_data(as_text=True)
    assert 'href="/retention"' in home
    due = client.get("/retention")
    assert due.status_code == 200 and "Quiet Qian" in due.get_data(as_text=True)


def test_due_list_is_empty_without_policy(app: Flask, tenant_a: TenantFixture) -> None:
    client = signed_in(app, tenant_a, "recruiter")
    due = client.get("/retention")
    assert due.status_code == 200 and "Nobody is due for erasure" in due.get_data(as_text=True)
    analyst = signed_in(app, tenant_a, "analyst")
    assert analyst.get("/retention").status_code == 403
