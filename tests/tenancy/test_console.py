"""The staff console: sign-in, permissions, the tenant list and page, applying manifests."""

from __future__ import annotations

import html
import io
import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.audit.models import AuditEvent, PlatformAuditEvent
from saas.auth.models import StaffUser, User
from saas.extensions import db, limiter
from saas.hooks.models import PluginSetting
from saas.hooks.settings import configure_plugin
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow
from tests.factories import PASSWORD, TenantFixture, csrf_from, login, make_staff, staff_login

MANIFEST = """
slug = "{slug}"
name = "{name}"
locale = "en"
timezone = "Europe/Berlin"
plan = "{plan}"

[[users]]
email = "admin@{slug}.example"
name = "Ada Admin"
role = "tenant_admin"
password = "a-long-admin-password-9"

[plugins.channel_email]
host = "127.0.0.1"
port = 1025
sender = "talent@{slug}.example"
password = "smtp-secret-value"

[policy]
quiet_hours = "22:00-08:00"
"""


def staff_email() -> str:
    return f"cs-{uuid.uuid4().hex[:8]}@rekindle.example"


@pytest.fixture()
def staff(app: Flask) -> tuple[FlaskClient, uuid.UUID]:
    """A signed-in staff client and the staff member's id."""
    email = staff_email()
    staff_id = make_staff(app, email)
    client = app.test_client()
    assert staff_login(client, email).status_code == 302
    return client, staff_id


def manifest_text(slug: str, name: str = "Console Corp", plan: str = "standard") -> str:
    return MANIFEST.format(slug=slug, name=name, plan=plan)


def post_manifest(client: FlaskClient, text: str, **extra: Any) -> Any:
    page = client.get("/console/apply")
    return client.post("/console/apply", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "manifest": text, **extra,
    }, content_type="multipart/form-data")


def find(app: Flask, slug: str) -> Tenant | None:
    with app.app_context():
        return db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()


def tenant_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) or 0)


def tenant_events(app: Flask, tenant_id: uuid.UUID, action: str) -> list[AuditEvent]:
    with app.app_context(), tenant_context(tenant_id):
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def platform_events(app: Flask, action: str, actor_id: uuid.UUID) -> list[PlatformAuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(PlatformAuditEvent).where(
            PlatformAuditEvent.action == action, PlatformAuditEvent.actor_id == actor_id)))


def row_of(page: str, slug: str) -> str:
    """The list's table row for ``slug``."""
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        if f"/console/tenants/{slug}\"" in row:
            return str(row)
    raise AssertionError(f"no row for {slug}")


# Signing in and out


def test_staff_signs_in_and_out(app: Flask) -> None:
    email = staff_email()
    staff_id = make_staff(app, email)
    client = app.test_client()
    signed_in = staff_login(client, email.upper())
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/console"
    page = client.get("/console")
    assert page.status_code == 200
    assert "Apply a manifest" in page.get_data(as_text=True)  # the staff navigation
    events = platform_events(app, "auth.login", staff_id)
    assert [(e.actor_kind, e.outcome) for e in events] == [("staff", "success")]
    with app.app_context():
        assert db.session.get(StaffUser, staff_id).last_login_at is not None
    assert client.get("/console/login").headers["Location"] == "/console"
    token = csrf_from(page.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    after = client.get("/console")
    assert after.status_code == 302 and after.headers["Location"].startswith("/console/login")
    assert platform_events(app, "auth.logout", staff_id)


def test_tenant_sign_in_links_to_staff_sign_in(app: Flask) -> None:
    assert 'href="/console/login"' in app.test_client().get("/login").get_data(as_text=True)


def test_wrong_password_is_generic_and_throttled(app: Flask) -> None:
    email = staff_email()
    make_staff(app, email)
    limiter.reset()
    client = app.test_client()
    try:
        unknown = staff_login(client, staff_email(), "whatever-password")
        assert unknown.status_code == 200
        assert "Wrong email or password." in unknown.get_data(as_text=True)
        for _ in range(5):
            wrong = staff_login(client, email, "not-the-password")
            assert wrong.status_code == 200
            assert "Wrong email or password." in wrong.get_data(as_text=True)
        blocked = staff_login(client, email)  # even the right password now waits
        assert blocked.status_code == 429
        assert "Too many attempts" in blocked.get_data(as_text=True)
        other = staff_email()
        make_staff(app, other)
        assert staff_login(app.test_client(), other).status_code == 302
    finally:
        limiter.reset()


def test_disabled_staff_is_refused(app: Flask) -> None:
    email = staff_email()
    staff_id = make_staff(app, email)
    with app.app_context():
        db.session.get(StaffUser, staff_id).disabled_at = utcnow()
        db.session.commit()
    refused = staff_login(app.test_client(), email)
    assert refused.status_code == 200
    assert "Wrong email or password." in refused.get_data(as_text=True)
    reasons = [e.detail.get("reason") for e in platform_events(app, "auth.login", staff_id)]
    assert reasons == ["disabled"]


# Who may open the console


def test_tenant_admin_is_refused(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    assert login(client, tenant_a).status_code == 302
    assert client.get("/console").status_code == 403
    assert client.get("/console/apply").status_code == 403
    assert client.get(f"/console/tenants/{tenant_a.slug}").status_code == 403
    token = csrf_from(client.get("/").get_data(as_text=True))
    posted = client.post("/console/apply", data={"csrf_token": token,
                                                 "manifest": manifest_text("sneaky-one")})
    assert posted.status_code == 403
    assert find(app, "sneaky-one") is None
    assert client.get("/console/login").headers["Location"] == "/"
    denied = tenant_events(app, tenant_a.id, "permission.denied")
    assert {e.target_id for e in denied} >= {"console.tenants", "console.apply"}


@pytest.mark.parametrize("path", ["/console", "/console/apply", "/console/tenants/alpha"])
def test_anonymous_goes_to_the_staff_sign_in(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=")


def test_staff_sign_in_returns_to_the_page_asked_for(app: Flask, tenant_a: TenantFixture) -> None:
    email = staff_email()
    make_staff(app, email)
    client = app.test_client()
    target = f"/console/tenants/{tenant_a.slug}"
    page = client.get(f"/console/login?next={target}")
    response = client.post(f"/console/login?next={target}", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": email,
        "password": PASSWORD,
    })
    assert response.headers["Location"] == target


# The tenant list and a tenant's page


def test_list_shows_every_tenant_with_plan_status_and_modules(
    app: Flask, staff: tuple[FlaskClient, uuid.UUID], tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    client, _staff_id = staff
    with app.app_context():
        bravo = db.session.get(Tenant, tenant_b.id)
        bravo.plan, bravo.status = "custom", "suspended"
        with tenant_context(tenant_b.id):
            configure_plugin("channel_email", enabled=True, settings={
                "host": "127.0.0.1", "port": 1025, "sender": "talent@bravo.example"})
            db.session.commit()
    page = client.get("/console")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    alpha, bravo_row = row_of(text, tenant_a.slug), row_of(text, tenant_b.slug)
    assert "Alpha Corp" in alpha and "Standard" in alpha and "Active" in alpha
    assert "channel_email" not in alpha
    assert "Custom" in bravo_row and "Suspended" in bravo_row and "channel_email" in bravo_row
    assert 'data-label="Active users">4<' in alpha  # one user per role


def test_empty_list_says_what_to_do(
    app: Flask, staff: tuple[FlaskClient, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("saas.tenancy.console.tenant_rows", list)
    text = staff[0].get("/console").get_data(as_text=True)
    assert "Create the first tenant from a manifest" in text
    assert 'href="/console/apply"' in text


def test_viewing_a_tenant_is_audited(
    app: Flask, staff: tuple[FlaskClient, uuid.UUID], tenant_a: TenantFixture
) -> None:
    client, staff_id = staff
    page = client.get(f"/console/tenants/{tenant_a.slug}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Alpha Corp" in text and "Asia/Shanghai" in text and "Tenant admin" in text
    assert "Staff opened this tenant" in text  # the latest events, this view included
    viewed = tenant_events(app, tenant_a.id, "staff.tenant_viewed")
    assert [(e.actor_kind, e.actor_id) for e in viewed] == [("staff", staff_id)]
    platform = platform_events(app, "staff.tenant_viewed", staff_id)
    assert platform[0].detail["tenant_id"] == str(tenant_a.id)


def test_unknown_slug_is_not_found(app: Flask, staff: tuple[FlaskClient, uuid.UUID]) -> None:
    client, _staff_id = staff
    assert client.get("/console/tenants/no-such-tenant").status_code == 404
    assert client.get("/console/apply?slug=no-such-tenant").status_code == 404


# Applying manifests


def test_blank_apply_page_offers_an_example(
    app: Flask, staff: tuple[FlaskClient, uuid.UUID]
) -> None:
    page = staff[0].get("/console/apply")
    assert page.status_code == 200
    assert "slug = &#34;acme&#34;" in page.get_data(as_text=True)


def test_apply_creates_a_tenant_and_audits_the_staff_member(
    app: Flask, staff: tuple[FlaskClient, uuid.UUID]
) -> None:
    client, staff_id = staff
    slug = f"new-{uuid.uuid4().hex[:8]}"
    response = post_manifest(client, manifest_text(slug))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/console/tenants/{slug}"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Tenant {slug} is created." in shown
    created = find(app, slug)
    assert created is not None and created.timezone == "Europe/Berlin"
    with app.app_context(), tenant_context(created.id):
        admin = db.session.scalars(sa.select(User)).one()
        assert admin.email == f"admin@{slug}.example" and admin.password_hash
        assert db.session.scalars(sa.select(PluginSetting)).one().secrets == {
            "password": "smtp-secret-value"}
    applied = tenant_events(app, created.id, "tenant.applied")
    assert [(e.actor_kind, e.actor_id, e.detail["created"]) for e in applied] == [
        ("staff", staff_id, True)]
    users = tenant_events(app, created.id, "user.created")
    assert [(e.actor_kind, e.actor_id) for e in users] == [("staff", staff_id)]
    assert platform_events(app, "tenant.applied", staff_id)


def test_apply_updates_and_the_prefill_round_trips(
    app: Flask, staff: tuple[FlaskClient, uuid.UUID]
) -> None:
    client, staff_id = staff
    slug = f"upd-{uuid.uuid4().hex[:8]}"
    assert post_manifest(client, manifest_text(slug)).status_code == 302
    changed = post_manifest(client, manifest_text(slug, name="Renamed Corp", plan="custom"))
    assert changed.status_code == 302
    shown = client.get(changed.headers["Location"]).get_data(as_text=True)
    assert f"Tenant {slug} is updated: name, plan." in shown
    tenant = find(app, slug)
    assert tenant is not None and (tenant.name, tenant.plan) == ("Renamed Corp", "custom")

    prefill = client.get(f"/console/apply?slug={slug}")
    assert prefill.status_code == 200
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", prefill.get_data(as_text=True),
                         flags=re.S)
    assert textarea is not None
    starter = html.unescape(textarea.group(1))
    assert f'slug = "{slug}"' in starter and 'plan = "custom"' in starter
    assert "[plugins.channel_email]" in starter and "smtp-secret-value" not in starter
    again = post_manifest(client, starter)
    assert again.status_code == 302
    shown = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already matched the manifest; nothing changed" in shown
    with app.app_context(), tenant_context(tenant.id):
        row = db.session.scalars(sa.select(PluginSetting)).one()
        assert row.enabled and row.secrets == {"password": "smtp-secret-value"}
    applied = sorted(tenant_events(app, tenant.id, "tenant.applied"), key=lambda e: e.occurred_at)
    # Staff applies are audited even when they change nothing.
    assert [e.detail["changes"] for e in applied][1:] == [["name", "plan"], []]
    assert {(e.actor_kind, e.actor_id) for e in applied} == {("staff", staff_id)}


BAD = [
    ("bad slug", lambda t: t.replace('slug = "', 'slug = "Not A Slug '), "manifest: slug:"),
    ("unknown plugin", lambda t: t + "\n[plugins.channel_pigeon]\nspeed = 3\n",
     "manifest: plugins.channel_pigeon: unknown plugin"),
    ("bad quiet hours", lambda t: t.replace('"22:00-08:00"', '"late"'),
     "manifest: policy.quiet_hours: Use"),
    ("password_env", lambda t: t.replace('password = "a-long', 'password_env = "X"\n#'),
     "manifest: users[0].password_env: not accepted here"),
    ("broken toml", lambda t: t + "\nslug = \n", "manifest: not valid TOML"),
]


@pytest.mark.parametrize(("label", "spoil", "problem"), BAD, ids=[b[0] for b in BAD])
def test_bad_manifest_is_refused_next_to_the_field(
    app: Flask, staff: tuple[FlaskClient, uuid.UUID], label: str, spoil: Any, problem: str
) -> None:
    client, staff_id = staff
    slug = f"bad-{uuid.uuid4().hex[:8]}"
    text = spoil(manifest_text(slug))
    before = tenant_count(app)
    response = post_manifest(client, text)
    assert response.status_code == 422, label
    page = response.get_data(as_text=True)
    errors = re.search(r'<div class="error" id="manifest-error"[^>]*>(.*?)</div>', page, re.S)
    assert errors is not None and problem in html.unescape(errors.group(1))
    assert 'aria-describedby="manifest-hint manifest-error"' in page
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, flags=re.S)
    assert textarea is not None and html.unescape(textarea.group(1)).strip() == text.strip()
    assert tenant_count(app) == before and find(app, slug) is None
    assert platform_events(app, "tenant.apply_rejected", staff_id)


def test_upload_of_a_toml_file(app: Flask, staff: tuple[FlaskClient, uuid.UUID]) -> None:
    client, _staff_id = staff
    slug = f"upl-{uuid.uuid4().hex[:8]}"
    bad = post_manifest(client, "", upload=(io.BytesIO(b'slug = "X"\nname = "x"\n'), "acme.toml"))
    assert bad.status_code == 422
    assert "acme.toml: slug:" in html.unescape(bad.get_data(as_text=True))
    wrong_kind = post_manifest(client, "", upload=(io.BytesIO(b"x"), "acme.txt"))
    assert wrong_kind.status_code == 422
    assert "Upload a file ending in .toml." in wrong_kind.get_data(as_text=True)
    too_big = post_manifest(client, "", upload=(io.BytesIO(b"#" * 70_000), "big.toml"))
    assert too_big.status_code == 422
    empty = post_manifest(client, "  ")
    assert empty.status_code == 422
    good = post_manifest(client, "", upload=(io.BytesIO(manifest_text(slug).encode()),
                                             "acme.toml"))
    assert good.status_code == 302 and find(app, slug) is not None


def test_apply_without_csrf_token_is_refused(
    app: Flask, staff: tuple[FlaskClient, uuid.UUID]
) -> None:
    client, _staff_id = staff
    slug = f"csrf-{uuid.uuid4().hex[:8]}"
    response = client.post("/console/apply", data={"manifest": manifest_text(slug)})
    assert response.status_code == 400
    assert find(app, slug) is None
