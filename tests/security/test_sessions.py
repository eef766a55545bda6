"""Sessions end when a person's access changes (OWASP ASVS V7.4).

Every web session carries the user's auth epoch; a role change, disablement
(or re-enablement) and a password change move the epoch, so every session
opened before stops working at its next request — whichever way the change
was made (the pages or the API). API tokens follow the user's current role
and state on every request.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, TenantFixture, csrf_from, login

NEW_PASSWORD = "an entirely new passphrase"


def signed_in(app: Flask, tenant: TenantFixture, role: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, tenant, role).status_code == 302
    assert client.get("/account").status_code == 200
    return client


def signed_out(client: FlaskClient) -> bool:
    response = client.get("/account")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def form_token(client: FlaskClient, path: str) -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def test_role_change_through_the_api_ends_web_sessions(app: Flask, tenant_a: TenantFixture) -> None:
    recruiter = signed_in(app, tenant_a, "recruiter")
    second_device = signed_in(app, tenant_a, "recruiter")
    api = app.test_client()
    assert api.get("/api/v1/candidates", headers=tenant_a.headers("recruiter")).status_code == 200
    changed = api.patch(f"/api/v1/users/{tenant_a.users['recruiter']}",
                        headers=tenant_a.headers(), json={"role": "analyst"})
    assert changed.status_code == 200 and changed.get_json()["role"] == "analyst"
    assert signed_out(recruiter) and signed_out(second_device)
    # The token now carries the analyst's permissions, at once.
    assert api.get("/api/v1/candidates", headers=tenant_a.headers("recruiter")).status_code == 403
    # Signing in again gives a session with the new role.
    again = signed_in(app, tenant_a, "recruiter")
    assert again.get("/candidates").status_code == 403


def test_role_change_through_the_page_ends_web_sessions(
    app: Flask, tenant_a: TenantFixture
) -> None:
    manager = signed_in(app, tenant_a, "hiring_manager")
    admin = signed_in(app, tenant_a, "tenant_admin")
    page = f"/settings/users/{tenant_a.users['hiring_manager']}"
    changed = admin.post(page, data={"csrf_token": form_token(admin, page),
                                     "name": "Hiring Manager", "role": "recruiter"})
    assert changed.status_code == 302
    assert signed_out(manager)
    assert not signed_out(admin)  # the admin's own session is untouched


def test_saving_a_user_without_a_role_change_keeps_their_sessions(
    app: Flask, tenant_a: TenantFixture
) -> None:
    analyst = signed_in(app, tenant_a, "analyst")
    renamed = app.test_client().patch(f"/api/v1/users/{tenant_a.users['analyst']}",
                                      headers=tenant_a.headers(), json={"name": "Data Person"})
    assert renamed.status_code == 200
    assert not signed_out(analyst)


def test_disabling_ends_sessions_and_tokens_and_enabling_does_not_revive_them(
    app: Flask, tenant_a: TenantFixture
) -> None:
    analyst = signed_in(app, tenant_a, "analyst")
    admin = signed_in(app, tenant_a, "tenant_admin")
    api = app.test_client()
    page = f"/settings/users/{tenant_a.users['analyst']}"
    assert admin.post(f"{page}/access",
                      data={"csrf_token": form_token(admin, page)}).status_code == 302
    assert signed_out(analyst)
    assert api.get("/api/v1/me", headers=tenant_a.headers("analyst")).status_code == 401
    refused = login(app.test_client(), tenant_a, "analyst")
    assert refused.status_code == 200
    assert "Wrong workspace, email or password." in refused.get_data(as_text=True)
    # Enabled again: the token works, the old session stays ended, a new sign-in works.
    assert admin.post(f"{page}/access",
                      data={"csrf_token": form_token(admin, page)}).status_code == 302
    assert api.get("/api/v1/me", headers=tenant_a.headers("analyst")).status_code == 200
    assert signed_out(analyst)
    signed_in(app, tenant_a, "analyst")


def test_disabling_through_the_api_ends_web_sessions(app: Flask, tenant_a: TenantFixture) -> None:
    manager = signed_in(app, tenant_a, "hiring_manager")
    disabled = app.test_client().post(
        f"/api/v1/users/{tenant_a.users['hiring_manager']}/disable", headers=tenant_a.headers())
    assert disabled.status_code == 200
    assert signed_out(manager)


def test_password_change_by_an_admin_ends_every_session(
    app: Flask, tenant_a: TenantFixture
) -> None:
    recruiter = signed_in(app, tenant_a, "recruiter")
    changed = app.test_client().patch(f"/api/v1/users/{tenant_a.users['recruiter']}",
                                      headers=tenant_a.headers(), json={"password": NEW_PASSWORD})
    assert changed.status_code == 200
    assert signed_out(recruiter)
    assert login(app.test_client(), tenant_a, "recruiter").status_code == 200  # old password
    assert login(app.test_client(), tenant_a, "recruiter",
                 password=NEW_PASSWORD).status_code == 302


def test_own_password_change_ends_the_other_sessions_only(
    app: Flask, tenant_a: TenantFixture
) -> None:
    here = signed_in(app, tenant_a, "recruiter")
    laptop = signed_in(app, tenant_a, "recruiter")
    changed = here.post("/account/password", data={
        "csrf_token": form_token(here, "/account"), "password-current": PASSWORD,
        "password-new": NEW_PASSWORD, "password-confirm": NEW_PASSWORD,
    })
    assert changed.status_code == 302
    assert not signed_out(here)
    assert signed_out(laptop)


def test_a_session_cookie_copied_before_a_change_is_dead_after_it(
    app: Flask, tenant_a: TenantFixture
) -> None:
    victim = signed_in(app, tenant_a, "recruiter")
    cookie = victim.get_cookie("rekindle_session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("rekindle_session", cookie.value)
    assert not signed_out(thief)  # the copy works while the epoch stands …
    assert app.test_client().patch(f"/api/v1/users/{tenant_a.users['recruiter']}",
                                   headers=tenant_a.headers(),
                                   json={"password": NEW_PASSWORD}).status_code == 200
    assert signed_out(thief)  # … and dies with the password change


def test_a_session_cookie_copied_before_sign_out_is_dead_after_it(
    app: Flask, tenant_a: TenantFixture
) -> None:
    victim = signed_in(app, tenant_a, "recruiter")
    cookie = victim.get_cookie("rekindle_session")
    assert cookie is not None
    assert victim.post("/logout", data={"csrf_token": form_token(victim, "/account")}
                       ).status_code == 302
    thief = app.test_client()
    thief.set_cookie("rekindle_session", cookie.value)
    assert signed_out(thief)
