"""Sign-in, sessions, throttling, passwords, roles, tokens — through real requests."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.auth.models import ApiToken
from saas.auth.passwords import PasswordPolicyError, check_policy, hash_password
from saas.auth.permissions import ROLE_PERMISSIONS, permissions_for
from saas.extensions import db, limiter
from saas.tenancy.context import tenant_context
from tests.factories import PASSWORD, TenantFixture, csrf_from, login


def _events(app: Flask, tenant: TenantFixture, action: str) -> list[AuditEvent]:
    with app.app_context(), tenant_context(tenant.id):
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_login_sets_a_strict_session_cookie_and_logout_ends_it(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    response = login(client, tenant_a, "recruiter")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # 12-hour permanent session, no remember cookie
    assert "remember_token" not in "".join(response.headers.getlist("Set-Cookie"))
    home = client.get("/")
    assert home.status_code == 200 and "Recruiter" in home.get_data(as_text=True)
    token = csrf_from(home.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302
    outcomes = {e.outcome for e in _events(app, tenant_a, "auth.login")}
    assert "success" in outcomes


def test_production_config_marks_cookies_secure(database_urls: tuple[str, str]) -> None:
    from saas.app import create_app
    from tests.conftest import app_config

    prod = create_app(app_config(database_urls, ENV="production"))
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=12)


def test_wrong_password_gets_one_generic_message(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    wrong = login(client, tenant_a, "recruiter", password="not-the-password")
    unknown_page = client.get("/login")
    unknown = client.post("/login", data={
        "csrf_token": csrf_from(unknown_page.get_data(as_text=True)),
        "workspace": tenant_a.slug, "email": "nobody@x.example", "password": "whatever-pw",
    })
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Wrong workspace, email or password." in response.get_data(as_text=True)
    failures = [e for e in _events(app, tenant_a, "auth.login") if e.outcome == "failure"]
    assert len(failures) == 2
    assert all("nobody@x.example" not in str(e.detail) for e in failures)


def test_login_without_csrf_token_is_refused(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    response = client.post("/login", data={
        "workspace": tenant_a.slug, "email": tenant_a.emails["recruiter"], "password": PASSWORD,
    })
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_is_throttled_per_account(app: Flask, tenant_a: TenantFixture) -> None:
    limiter.reset()
    client = app.test_client()
    try:
        for _ in range(5):
            failed = login(client, tenant_a, "analyst", password="wrong-password-x")
            assert failed.status_code == 200
        blocked = login(client, tenant_a, "analyst")  # even the right password now waits
        assert blocked.status_code == 429
        assert "Too many attempts" in blocked.get_data(as_text=True)
        other = login(app.test_client(), tenant_a, "recruiter")
        assert other.status_code == 302  # another account from the same address still works
    finally:
        limiter.reset()


def test_session_expires_after_absolute_lifetime(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    assert login(client, tenant_a).status_code == 302
    with client.session_transaction() as session:
        session["auth_at"] = session["auth_at"] - 13 * 3600
    assert client.get("/").status_code == 302


def test_login_starts_a_fresh_session(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    assert login(client, tenant_a).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session


def test_password_change_ends_other_sessions(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    assert login(client, tenant_a, "recruiter").status_code == 302
    changed = app.test_client().patch(
        f"/api/v1/users/{tenant_a.users['recruiter']}", headers=tenant_a.headers(),
        json={"password": "a-brand-new-password"},
    )
    assert changed.status_code == 200
    assert client.get("/").status_code == 302


def test_password_policy_and_hash_parameters(app_ctx: Flask) -> None:
    for bad in ("short", "x" * 129, "password1234", "aaaaaaaaaaaaaaa"):
        with pytest.raises(PasswordPolicyError):
            check_policy(bad)
    check_policy("a perfectly fine passphrase")
    hashed = hash_password("a perfectly fine passphrase")
    assert hashed.startswith("$argon2id$")
    params = dict(p.split("=") for p in hashed.split("$")[3].split(","))
    assert int(params["m"]) >= 47104 and int(params["t"]) >= 1 and params["p"] == "1"


def test_role_table() -> None:
    assert "candidate:read_compensation" not in ROLE_PERMISSIONS["recruiter"]
    assert "candidate:read_compensation" in ROLE_PERMISSIONS["tenant_admin"]
    assert "user:write" not in ROLE_PERMISSIONS["analyst"]
    assert permissions_for("customer_success") == frozenset(
        {"platform:tenants:read", "platform:tenants:write", "platform:staff:read"}
    )
    assert permissions_for("no-such-role") == frozenset()
    for permission in set().union(*ROLE_PERMISSIONS.values()):
        resource, _, action = permission.partition(":")
        assert resource and action


@pytest.mark.parametrize(("role", "status"), [
    ("tenant_admin", 200), ("recruiter", 403), ("hiring_manager", 403), ("analyst", 403),
])
def test_user_admin_needs_the_permission(
    app: Flask, tenant_a: TenantFixture, role: str, status: int
) -> None:
    response = app.test_client().get("/api/v1/users", headers=tenant_a.headers(role))
    assert response.status_code == status
    if status == 403:
        denials = _events(app, tenant_a, "permission.denied")
        assert any(e.actor_id == tenant_a.users[role] for e in denials)


def test_token_lifecycle(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    created = client.post("/api/v1/tokens", headers=tenant_a.headers("recruiter"),
                          json={"name": "laptop"})
    assert created.status_code == 201
    body = created.get_json()
    text = body["token"]
    assert len(text.split("_", 2)[2]) >= 22  # >= 128 bits of randomness
    with app.app_context(), tenant_context(tenant_a.id):
        stored = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "laptop")).one()
        assert text not in stored.token_hash and stored.last_used_at is None
    auth = {"Authorization": f"Bearer {text}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    with app.app_context(), tenant_context(tenant_a.id):
        used = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "laptop")).one()
        assert used.last_used_at is not None
    listed = client.get("/api/v1/tokens", headers=auth).get_json()
    assert all("token" not in t and "token_hash" not in t for t in listed["items"])
    other = client.get("/api/v1/tokens", headers=tenant_a.headers("analyst")).get_json()
    assert body["id"] not in {t["id"] for t in other["items"]}
    assert client.delete(f"/api/v1/tokens/{body['id']}",
                         headers=tenant_a.headers("analyst")).status_code == 404
    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=auth).status_code == 401
    assert {"token.created", "token.revoked"} <= {
        e.action for e in _events(app, tenant_a, "token.created")
        + _events(app, tenant_a, "token.revoked")
    }


def test_disabled_user_loses_api_access(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    analyst = tenant_a.headers("analyst")
    assert client.get("/api/v1/me", headers=analyst).status_code == 200
    disabled = client.post(f"/api/v1/users/{tenant_a.users['analyst']}/disable",
                           headers=tenant_a.headers())
    assert disabled.status_code == 200 and disabled.get_json()["disabled"] is True
    assert client.get("/api/v1/me", headers=analyst).status_code == 401
    self_disable = client.post(f"/api/v1/users/{tenant_a.users['tenant_admin']}/disable",
                               headers=tenant_a.headers())
    assert self_disable.status_code == 409


def test_security_headers_on_pages(app: Flask) -> None:
    response = app.test_client().get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert app.test_client().get("/logout").status_code == 405  # no state change over GET
