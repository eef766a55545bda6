"""Settings → Security: last backup, rotation progress, the rotate button (settings:write)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.audit.models import AuditEvent
from saas.crypto.keys import KeyRotation
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.backups.helpers import seed_tenant_data
from tests.factories import TenantFixture, csrf_from, login

PAGE = "/settings/security/"


def _client(app: Flask, tenant: TenantFixture, role: str = "tenant_admin") -> FlaskClient:
    """Signed in, reading the pages in English."""
    client = app.test_client()
    assert login(client, tenant, role).status_code == 302
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    return client


def test_admin_sees_backups_and_key(app: Flask, tenant_a: TenantFixture) -> None:
    client = _client(app, tenant_a)
    html = client.get(PAGE).get_data(as_text=True)
    for text in ("Security", "No backups yet", "The key has not been rotated yet.",
                 "Rotate tenant key"):
        assert text in html
    assert 'href="/settings/security/"' in client.get("/").get_data(as_text=True)


def test_rotate_button_runs_the_rotation_and_shows_progress(
    app: Flask, tenant_a: TenantFixture, tmp_path: Path
) -> None:
    with app.app_context():
        seed_tenant_data(tenant_a.id, candidates=2)
    result = app.test_cli_runner().invoke(
        args=["tenants", "backup", tenant_a.slug, "--out", str(tmp_path / "a.rkbackup")])
    assert result.exit_code == 0
    client = _client(app, tenant_a)
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    response = client.post(f"{PAGE}rotate-key", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Key rotation started" in html
    assert "7 of 7 items (100%)" in html and 'value="100"' in html and "Done" in html
    assert "Manual" in html and "Last backup" in html
    with app.app_context():
        run = db.session.scalars(sa.select(KeyRotation).where(
            KeyRotation.for_tenant_id == tenant_a.id)).one()
        assert run.status == "done"
        with tenant_context(tenant_a.id):
            started = db.session.scalars(sa.select(AuditEvent).where(
                AuditEvent.action == "keys.tenant_rotation_started")).one()
            assert (started.actor_kind, started.actor_id) == (
                "user", tenant_a.users["tenant_admin"])


def test_the_page_and_the_button_need_their_permissions(
    app: Flask, tenant_a: TenantFixture
) -> None:
    recruiter = _client(app, tenant_a, "recruiter")
    assert recruiter.get(PAGE).status_code == 403
    token = csrf_from(recruiter.get("/").get_data(as_text=True))
    assert recruiter.post(f"{PAGE}rotate-key", data={"csrf_token": token}).status_code == 403
    assert 'href="/settings/security/"' not in recruiter.get("/").get_data(as_text=True)
    admin = _client(app, tenant_a)
    assert admin.post(f"{PAGE}rotate-key", data={}).status_code == 400  # no CSRF token
    assert app.test_client().get(PAGE).status_code == 302  # signed out: to the login page
    with app.app_context():
        assert db.session.scalars(sa.select(KeyRotation).where(
            KeyRotation.for_tenant_id == tenant_a.id)).first() is None
