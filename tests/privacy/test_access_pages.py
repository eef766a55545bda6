"""The candidate page's privacy actions: export all data, and the audited compensation reveal."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.extensions import db, limiter
from tests.candidates.test_api import in_tenant
from tests.candidates.test_pages import signed_in, token
from tests.factories import TenantFixture
from tests.privacy.test_access import unpack, well_formed
from tests.privacy.test_erasure import make_person


def _events(app: Flask, tenant: TenantFixture, action: str) -> list[AuditEvent]:
    with in_tenant(app, tenant):
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
@pytest.mark.parametrize("role,reveal,export,erase", [
    ("tenant_admin", True, True, True),
    ("hiring_manager", True, False, False),
    ("recruiter", False, False, False),
])
def test_the_candidate_page_offers_what_the_role_may(
    app: Flask, tenant_a: TenantFixture, locale: str, role: str, reveal: bool, export: bool,
    erase: bool,
) -> None:
    person = make_person(app, tenant_a)
    client = signed_in(app, tenant_a, role, locale)
    page = client.get(f"/candidates/{person.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "40,000" not in html  # compensation is never on the page itself
    assert (f"/candidates/{person.id}/compensation" in html) is reveal
    assert (f"/candidates/{person.id}/access-export" in html) is export
    assert (f"/candidates/{person.id}/erase" in html) is erase
    assert "<script>" not in html and " style=" not in html


def test_reveal_shows_compensation_once_and_is_audited(
    app: Flask, tenant_a: TenantFixture
) -> None:
    person = make_person(app, tenant_a)
    url = f"/candidates/{person.id}"
    for role in ("tenant_admin", "hiring_manager"):
        client = signed_in(app, tenant_a, role)
        shown = client.post(f"{url}/compensation", data={"csrf_token": token(client, url)})
        html = shown.get_data(as_text=True)
        assert shown.status_code == 200
        assert html.count("40,000 CNY per month") == 2
        assert shown.headers["Cache-Control"] == "no-store"
        assert "40,000" not in client.get(url).get_data(as_text=True)
    events = _events(app, tenant_a, "candidate.compensation_revealed")
    assert {e.actor_id for e in events} == {tenant_a.users["tenant_admin"],
                                            tenant_a.users["hiring_manager"]}
    assert all(e.target_id == person.id and "40000" not in str(e.detail) for e in events)


def test_reveal_needs_the_permission_and_a_csrf_token(
    app: Flask, tenant_a: TenantFixture
) -> None:
    person = make_person(app, tenant_a)
    url = f"/candidates/{person.id}"
    recruiter = signed_in(app, tenant_a, "recruiter")
    refused = recruiter.post(f"{url}/compensation", data={"csrf_token": token(recruiter, url)})
    assert refused.status_code == 403 and "40,000" not in refused.get_data(as_text=True)
    admin = signed_in(app, tenant_a, "tenant_admin")
    assert admin.post(f"{url}/compensation").status_code == 400
    assert admin.get(f"{url}/compensation").status_code == 405
    assert _events(app, tenant_a, "candidate.compensation_revealed") == []


def test_export_from_the_page_downloads_the_archive(app: Flask, tenant_a: TenantFixture) -> None:
    person = make_person(app, tenant_a)
    url = f"/candidates/{person.id}"
    client = signed_in(app, tenant_a, "tenant_admin", "zh-CN")
    assert client.post(f"{url}/access-export").status_code == 400  # no CSRF token
    response = client.post(f"{url}/access-export", data={"csrf_token": token(client, url)})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert re.match(r'attachment; filename="rekindle-access-[0-9a-f-]{36}\.zip"',
                    response.headers["Content-Disposition"])
    document, html = unpack(response.data)
    assert document["sections"]["profile"]["name"] == person.name
    assert '<html lang="zh-CN">' in html and "档案" in html
    well_formed(html)
    [event] = _events(app, tenant_a, "candidate.exported")
    assert event.detail["via"] == "page"
    recruiter = signed_in(app, tenant_a, "recruiter")
    assert recruiter.post(f"{url}/access-export",
                          data={"csrf_token": token(recruiter, url)}).status_code == 403


def test_page_and_api_share_one_export_budget(app: Flask, tenant_a: TenantFixture) -> None:
    person = make_person(app, tenant_a)
    url = f"/candidates/{person.id}"
    client = signed_in(app, tenant_a, "tenant_admin")
    app.config["ACCESS_EXPORT_LIMIT"] = "1 per hour"
    try:
        first = client.post(f"{url}/access-export", data={"csrf_token": token(client, url)})
        assert first.status_code == 200
        api = app.test_client().get(f"/api/v1/candidates/{person.id}/access-export",
                                    headers=tenant_a.headers())
        assert api.status_code == 429
        again = client.post(f"{url}/access-export", data={"csrf_token": token(client, url)})
        assert again.status_code == 429 and "text/html" in again.content_type
    finally:
        app.config.pop("ACCESS_EXPORT_LIMIT")
        limiter.reset()
