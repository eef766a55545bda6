"""The web app's pages through the test client: roles, forms, languages, errors."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.audit.models import AuditEvent
from saas.auth.models import User
from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.tenancy.context import tenant_context
from tests.factories import PASSWORD, TenantFixture, csrf_from, login, signed_in_staff

ADMIN_PAGES = ("/", "/settings/users", "/settings/users/new", "/settings/tokens",
               "/settings/plugins", "/settings/plugins/channel_email", "/account")


def signed_in(app: Flask, tenant: TenantFixture, role: str = "tenant_admin") -> FlaskClient:
    client = app.test_client()
    assert login(client, tenant, role).status_code == 302
    return client


def token_of(client: FlaskClient, path: str = "/account") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def switch_language(client: FlaskClient, tag: str) -> None:
    response = client.post("/language", data={
        "csrf_token": token_of(client, "/login" if tag else "/"), "locale": tag, "next": "/",
    })
    assert response.status_code == 302


def in_english(client: FlaskClient) -> None:
    """The signed-in user's language becomes English."""
    client.post("/language", data={"csrf_token": token_of(client), "locale": "en", "next": "/"})


@pytest.mark.parametrize("locale,lang,marker", [("en", "en", "Sign out"),
                                                ("zh-CN", "zh-CN", "退出登录")])
def test_every_admin_page_renders_in_both_languages(
    app: Flask, tenant_a: TenantFixture, locale: str, lang: str, marker: str
) -> None:
    client = signed_in(app, tenant_a)
    client.post("/language", data={"csrf_token": token_of(client), "locale": locale, "next": "/"})
    for path in ADMIN_PAGES:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in html, path
        assert marker in html, path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "<script>" not in html and " style=" not in html, path


def test_tenant_locale_is_the_default_and_the_users_choice_wins(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a)  # test tenants default to zh-CN
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"csrf_token": token_of(client), "locale": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    with app.app_context(), tenant_context(tenant_a.id):
        user = db.session.get(User, (tenant_a.id, tenant_a.users["tenant_admin"]))
        assert user is not None and user.locale == "en"


def test_visitor_language_follows_the_browser_then_the_switch(app: Flask) -> None:
    client = app.test_client()
    zh = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-CN">' in zh.get_data(as_text=True)
    assert "登录 Rekindle" in zh.get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"csrf_token": token_of(client, "/login"), "locale": "zh-CN",
                                   "next": "/login"})
    assert '<html lang="zh-CN">' in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_unknown_locales_and_foreign_redirects(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/language", data={
        "csrf_token": token_of(client, "/login"), "locale": "fr", "next": "https://evil.example/",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_a_recruiter_sees_no_settings_and_is_refused_them(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a, "recruiter")
    client.post("/language", data={"csrf_token": token_of(client), "locale": "en", "next": "/"})
    home = client.get("/").get_data(as_text=True)
    assert 'href="/settings/users"' not in home and 'href="/settings/plugins"' not in home
    assert 'href="/settings/tokens"' in home  # everyone manages their own tokens
    for path in ("/settings/users", "/settings/users/new", "/settings/plugins",
                 "/settings/plugins/channel_email"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Not available to your role" in response.get_data(as_text=True)
    with app.app_context(), tenant_context(tenant_a.id):
        denied = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "permission.denied")).all()
    assert len(denied) >= 4


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/settings/users", "/account"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_form_without_csrf_is_refused_and_changes_nothing(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a)
    in_english(client)
    response = client.post("/settings/tokens", data={"name": "no csrf"},
                           headers={"Referer": "http://localhost/settings/tokens"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert "This form has expired" in html and "Nothing was saved." in html
    assert 'class="button" href="/settings/tokens"' in html and "Back to the form" in html
    assert "no csrf" not in client.get("/settings/tokens").get_data(as_text=True)
    after_refusal = client.post("/account/password", data={"password-current": "x"},
                                headers={"Referer": "http://localhost/account/password"})
    assert after_refusal.status_code == 400  # its address only takes POST: back to the start
    assert 'class="button" href="/"' in after_refusal.get_data(as_text=True)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_an_expired_csrf_token_is_a_page_in_words_and_changes_nothing(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a)  # the test tenants' language is zh-CN
    token = token_of(client, "/settings/tokens")
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    assert limit == app.config["SESSION_ABSOLUTE_HOURS"] * 3600  # as long as a session
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    try:
        time.sleep(2.1)  # the token's timestamp has whole seconds
        response = client.post("/settings/tokens",
                               data={"csrf_token": token, "name": "sent too late"},
                               headers={"Referer": "https://evil.example/settings/tokens"})
    finally:
        app.config["WTF_CSRF_TIME_LIMIT"] = limit
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<html lang="zh-CN">' in html and 'class="card narrow error-page"' in html
    assert 'class="button" href="/"' in html  # a foreign referrer is never linked
    assert "sent too late" not in client.get("/settings/tokens").get_data(as_text=True)
    fresh = client.post("/settings/tokens", data={
        "csrf_token": token_of(client, "/settings/tokens"), "name": "on time"})
    assert fresh.status_code == 302  # the reloaded form works


def test_an_invalid_token_name_is_explained_by_the_field_and_kept(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a, "recruiter")
    in_english(client)
    too_long = "nightly sync " * 10
    response = client.post("/settings/tokens", data={
        "csrf_token": token_of(client, "/settings/tokens"), "name": too_long})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in html and 'aria-invalid="true"' in html
    assert f'value="{too_long}"' in html
    assert 'id="new-token"' not in html
    empty = client.post("/settings/tokens", data={
        "csrf_token": token_of(client, "/settings/tokens"), "name": ""})
    assert empty.status_code == 422 and 'id="name-error"' in empty.get_data(as_text=True)


NAV = re.compile(r'<nav id="side-nav".*?</nav>', re.S)


def _nav_links(client: FlaskClient, path: str = "/") -> list[str]:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    nav = NAV.search(page)
    assert nav, "the side navigation is on the page"
    return re.findall(r'<a href="(/[^"]*)"', nav.group(0))


@pytest.mark.parametrize("role", ["tenant_admin", "recruiter", "hiring_manager", "analyst"])
def test_the_navigation_offers_only_what_the_role_may_open(
    app: Flask, tenant_a: TenantFixture, role: str
) -> None:
    client = signed_in(app, tenant_a, role)
    links = _nav_links(client)
    home = client.get("/").get_data(as_text=True)
    tiles = re.findall(r'<a class="tile" href="(/[^"]*)"', home)
    assert "/" in links and "/account" in links
    for href in {*links, *tiles}:
        assert client.get(href).status_code == 200, f"{role} is offered {href}"
    assert not any(h.startswith("/console") for h in links)
    admin_only = {"/settings/users", "/settings/plugins"}
    if role == "tenant_admin":
        assert admin_only <= set(links)
    elif role == "recruiter":
        assert not admin_only & set(links)
        assert {"/queue", "/candidates"} <= set(links)


def test_staff_see_only_the_platform_console(app: Flask) -> None:
    client = signed_in_staff(app)
    links = _nav_links(client, "/console")
    assert {"/console", "/console/apply", "/account"} <= set(links)
    assert "/" not in links and not any(h.startswith("/settings") for h in links)
    for href in links:
        assert client.get(href).status_code == 200, href


def test_invalid_new_user_shows_errors_by_the_field_and_keeps_the_input(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a)
    client.post("/language", data={"csrf_token": token_of(client), "locale": "en", "next": "/"})
    response = client.post("/settings/users/new", data={
        "csrf_token": token_of(client, "/settings/users/new"), "name": "Zhang Wei",
        "email": "zhang.wei@example.com", "role": "recruiter", "password": "short",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in html and "at least 12 characters" in html
    assert 'value="zhang.wei@example.com"' in html and 'value="Zhang Wei"' in html
    assert 'aria-invalid="true"' in html
    duplicate = client.post("/settings/users/new", data={
        "csrf_token": token_of(client, "/settings/users/new"), "name": "Again",
        "email": tenant_a.emails["recruiter"], "role": "recruiter", "password": PASSWORD,
    })
    assert duplicate.status_code == 422
    assert "already uses this email" in duplicate.get_data(as_text=True)


def test_admin_adds_changes_and_disables_a_team_member(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a)
    created = client.post("/settings/users/new", data={
        "csrf_token": token_of(client, "/settings/users/new"), "name": "Wang Fang",
        "email": "wang.fang@example.com", "role": "recruiter", "password": PASSWORD,
    })
    assert created.status_code == 302
    with app.app_context(), tenant_context(tenant_a.id):
        user = db.session.scalars(
            sa.select(User).where(User.email == "wang.fang@example.com")).one()
        user_id = user.id
    newcomer = app.test_client()
    page = newcomer.get("/login")
    assert newcomer.post("/login", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "workspace": tenant_a.slug,
        "email": "wang.fang@example.com", "password": PASSWORD,
    }).status_code == 302
    assert newcomer.get("/").status_code == 200
    page_url = f"/settings/users/{user_id}"
    changed = client.post(page_url, data={
        "csrf_token": token_of(client, page_url), "name": "Wang Fang", "role": "hiring_manager",
    })
    assert changed.status_code == 302
    assert newcomer.get("/").status_code == 302  # a role change ends their sessions
    disabled = client.post(f"{page_url}/access", data={"csrf_token": token_of(client, page_url)})
    assert disabled.status_code == 302
    with app.app_context(), tenant_context(tenant_a.id):
        user = db.session.get(User, (tenant_a.id, user_id))
        assert user is not None and user.role == "hiring_manager" and user.disabled_at


def test_admin_cannot_demote_or_disable_themselves(app: Flask, tenant_a: TenantFixture) -> None:
    client = signed_in(app, tenant_a)
    me = f"/settings/users/{tenant_a.users['tenant_admin']}"
    response = client.post(me, data={"csrf_token": token_of(client, me), "name": "Me",
                                     "role": "analyst"})
    assert response.status_code == 422
    client.post(f"{me}/access", data={"csrf_token": token_of(client, me)})
    assert client.get("/").status_code == 200


def test_a_token_is_shown_once_works_and_stops_when_revoked(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a, "recruiter")
    created = client.post("/settings/tokens", data={
        "csrf_token": token_of(client, "/settings/tokens"), "name": "ERP sync"})
    assert created.status_code == 302  # post/redirect/get: a reload cannot make a second one
    cookie = client.get_cookie("rekindle_session")
    assert cookie is not None
    response = client.get(created.headers["Location"])
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"

    token = re.search(r'id="new-token"[^>]*value="(rk_[^"]+)"', html)
    assert token, "the new token is shown"
    secret = token.group(1)[len("rk_") + 32 + 1:]  # rk_<tenant hex>_<secret>; "_" may be in it
    assert secret not in cookie.value  # carried to the next page sealed, never in clear
    assert token.group(1) not in client.get("/settings/tokens").get_data(as_text=True)
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    listing = client.get("/settings/tokens").get_data(as_text=True)
    revoke = re.findall(r'action="(/settings/tokens/[0-9a-f-]+/revoke)"', listing)
    assert revoke
    for url in revoke:
        client.post(url, data={"csrf_token": token_of(client, "/settings/tokens")})
    assert api.get("/api/v1/me", headers=bearer).status_code == 401


def test_a_recruiter_sees_only_their_own_tokens(app: Flask, tenant_a: TenantFixture) -> None:
    admin = signed_in(app, tenant_a)
    admin.post("/settings/tokens", data={"csrf_token": token_of(admin, "/settings/tokens"),
                                         "name": "Admin only"})
    recruiter = signed_in(app, tenant_a, "recruiter")
    assert "Admin only" not in recruiter.get("/settings/tokens").get_data(as_text=True)
    assert "Admin only" in admin.get("/settings/tokens").get_data(as_text=True)


def test_plugin_settings_form_saves_validates_and_never_shows_secrets(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a)
    url = "/settings/plugins/channel_email"
    page = client.get(url).get_data(as_text=True)
    for name in ("host", "port", "sender", "security", "username", "password"):
        assert f'id="f-{name}"' in page
    bad = client.post(url, data={
        "csrf_token": token_of(client, url), "enabled": "on", "host": "smtp.acme.example",
        "port": "70000", "sender": "not-an-email", "security": "starttls",
        "password": "s3cret-smtp-pass",
    })
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="port-error"' in html and 'id="sender-error"' in html
    assert 'value="smtp.acme.example"' in html and 's3cret-smtp-pass' not in html
    good = client.post(url, data={
        "csrf_token": token_of(client, url), "enabled": "on", "host": "smtp.acme.example",
        "port": "2525", "sender": "talent@acme.example", "security": "none",
        "password": "s3cret-smtp-pass",
    })
    assert good.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "s3cret-smtp-pass" not in page and 'value="2525"' in page
    # Saving again without a password keeps the stored one.
    client.post(url, data={"csrf_token": token_of(client, url), "enabled": "on",
                           "host": "smtp2.acme.example", "port": "2525",
                           "sender": "talent@acme.example", "security": "none"})
    with app.app_context(), tenant_context(tenant_a.id):
        row = db.session.scalars(sa.select(PluginSetting)).one()
        assert row.enabled and row.settings["host"] == "smtp2.acme.example"
        assert row.secrets == {"password": "s3cret-smtp-pass"}
    assert client.get("/settings/plugins/not_a_plugin").status_code == 404


def test_a_recruiter_cannot_post_plugin_settings(app: Flask, tenant_a: TenantFixture) -> None:
    admin = signed_in(app, tenant_a)
    token = token_of(admin, "/settings/plugins/channel_email")
    recruiter = signed_in(app, tenant_a, "recruiter")
    response = recruiter.post("/settings/plugins/channel_email", data={
        "csrf_token": token_of(recruiter), "enabled": "on", "host": "x", "sender": "a@b.example"})
    assert response.status_code == 403
    assert token


def test_password_change_checks_the_current_one_and_ends_other_sessions(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a, "analyst")
    other_device = signed_in(app, tenant_a, "analyst")
    wrong = client.post("/account/password", data={
        "csrf_token": token_of(client), "password-current": "not-my-password",
        "password-new": "a brand new passphrase", "password-confirm": "a brand new passphrase",
    })
    assert wrong.status_code == 422
    assert 'id="password-current-error"' in wrong.get_data(as_text=True)
    mismatch = client.post("/account/password", data={
        "csrf_token": token_of(client), "password-current": PASSWORD,
        "password-new": "a brand new passphrase", "password-confirm": "something else",
    })
    assert mismatch.status_code == 422
    assert 'id="password-confirm-error"' in mismatch.get_data(as_text=True)
    changed = client.post("/account/password", data={
        "csrf_token": token_of(client), "password-current": PASSWORD,
        "password-new": "a brand new passphrase", "password-confirm": "a brand new passphrase",
    })
    assert changed.status_code == 302
    assert client.get("/account").status_code == 200  # this session continues
    assert other_device.get("/account").status_code == 302  # the other one is signed out
    assert login(app.test_client(), tenant_a, "analyst",
                 password="a brand new passphrase").status_code == 302


def test_account_profile_validates_the_time_zone_and_keeps_input(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a, "recruiter")
    bad = client.post("/account/profile", data={
        "csrf_token": token_of(client), "profile-name": "Xiao Li", "profile-locale": "en",
        "profile-timezone": "Mars/Olympus"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="profile-timezone-error"' in html and 'value="Mars/Olympus"' in html
    good = client.post("/account/profile", data={
        "csrf_token": token_of(client), "profile-name": "Xiao Li", "profile-locale": "en",
        "profile-timezone": "Europe/Berlin"})
    assert good.status_code == 302
    with app.app_context(), tenant_context(tenant_a.id):
        user = db.session.get(User, (tenant_a.id, tenant_a.users["recruiter"]))
        assert user is not None
        assert (user.name, user.locale, user.timezone) == ("Xiao Li", "en", "Europe/Berlin")


def test_times_are_shown_in_the_users_time_zone(app: Flask, tenant_a: TenantFixture) -> None:
    client = signed_in(app, tenant_a)
    shanghai = _last_sign_in_title(client, "Asia/Shanghai")
    new_york = _last_sign_in_title(client, "America/New_York")
    assert shanghai != new_york  # the same instant, shown in each zone


def _last_sign_in_title(client: FlaskClient, zone: str) -> str:
    client.post("/account/profile", data={
        "csrf_token": token_of(client), "profile-name": "Admin", "profile-locale": "en",
        "profile-timezone": zone})
    html = client.get("/settings/users").get_data(as_text=True)
    match = re.search(r'<time datetime="[^"]+" title="([^"]+)"', html)
    assert match
    return match.group(1)


def test_wrong_password_is_one_generic_message_and_keeps_the_input(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    response = login(client, tenant_a, password="wrong password here")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wrong workspace, email or password." in html
    assert f'value="{tenant_a.slug}"' in html
    assert f'value="{tenant_a.emails["tenant_admin"]}"' in html
    assert "wrong password here" not in html


def test_language_picked_before_sign_in_becomes_the_accounts(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()  # the test tenants' language is zh-CN
    client.post("/language", data={"csrf_token": token_of(client, "/login"), "locale": "en",
                                   "next": "/login"})
    assert login(client, tenant_a, "hiring_manager").status_code == 302
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    with app.app_context(), tenant_context(tenant_a.id):
        user = db.session.get(User, (tenant_a.id, tenant_a.users["hiring_manager"]))
        assert user is not None and user.locale == "en"


def test_plugin_pages_say_what_kind_of_plugin_each_is(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in(app, tenant_a)
    in_english(client)
    for path in ("/settings/plugins", "/settings/plugins/channel_email"):
        html = client.get(path).get_data(as_text=True)
        assert "Messaging channel" in html, path
        assert "· channel ·" not in html, path


def test_console_names_the_channel_order_in_the_readers_language(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = signed_in_staff(app)
    url = f"/console/tenants/{tenant_a.slug}"
    assert "WeChat, email, SMS, LinkedIn" in client.get(url).get_data(as_text=True)
    client.post("/language", data={"csrf_token": token_of(client, url), "locale": "zh-CN",
                                   "next": url})
    assert "微信、邮件、短信、领英" in client.get(url).get_data(as_text=True)
