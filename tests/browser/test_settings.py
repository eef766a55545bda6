"""Tenant settings as a tenant admin: API tokens and plugin settings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, expect_http_error, shot, sign_in
from tests.factories import TenantFixture

pytestmark = pytest.mark.browser


def test_token_is_shown_once_works_and_stops_working_when_revoked(
    desktop: Page, tenant: TenantFixture, live_server: LiveServer
) -> None:
    page = desktop
    sign_in(page, tenant)
    page.goto("/settings/tokens")
    page.get_by_label("What is it for?").fill("ERP sync")
    page.get_by_role("button", name="Create token").click()

    reveal = page.locator("#new-token")
    expect(reveal).to_have_attribute("readonly", "")
    expect(reveal).to_have_value(re.compile(r"^rk_\S{20,}$"))
    token = reveal.input_value()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    row = page.locator(".rows li").filter(has_text="ERP sync")
    expect(row).to_have_count(1)
    expect(row.locator("code")).to_have_text(f"…{token[-4:]}")  # only a hint in the list
    shot(page, "tokens-created-en-desktop")

    page.goto("/settings/tokens")  # opened again: the token is not shown a second time
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator(".rows li").filter(has_text="ERP sync")).to_have_count(1)
    assert token not in page.content(), "the token is shown again"

    assert live_server.api_status("/api/v1/me", token) == 200

    page.once("dialog", lambda dialog: dialog.accept())
    row = page.locator(".rows li").filter(has_text="ERP sync")
    row.get_by_role("button", name="Revoke").click()
    expect(row.locator(".badge")).to_have_text("Revoked")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)

    assert live_server.api_status("/api/v1/me", token) == 401


def test_dismissing_the_revoke_confirmation_keeps_the_token(
    desktop: Page, tenant: TenantFixture, live_server: LiveServer
) -> None:
    page = desktop
    sign_in(page, tenant)
    page.goto("/settings/tokens")
    page.get_by_label("What is it for?").fill("Nightly export")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").input_value()
    page.wait_for_load_state()  # app.js (deferred) asks for the confirmation: wait for it

    messages: list[str] = []

    def dismiss(dialog: object) -> None:
        messages.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.once("dialog", dismiss)
    row = page.locator(".rows li").filter(has_text="Nightly export")
    row.get_by_role("button", name="Revoke").click()
    expect(page).to_have_url(re.compile(r"/settings/tokens$"))
    assert messages and "Nightly export" in messages[0], messages
    expect(row.get_by_role("button", name="Revoke")).to_be_visible()
    assert live_server.api_status("/api/v1/me", token) == 200


def test_email_plugin_settings_are_saved_and_the_secret_is_not_shown(
    desktop: Page, tenant: TenantFixture
) -> None:
    page = desktop
    sign_in(page, tenant)
    page.goto("/settings/plugins")
    page.locator("a[href='/settings/plugins/channel_email']").click()
    expect(page).to_have_url(re.compile(r"/settings/plugins/channel_email$"))

    expect(page.locator("#enabled")).not_to_be_checked()
    page.get_by_label("Turned on for this workspace").check()
    page.locator("#f-host").fill("smtp.example.com")
    page.locator("#f-port").fill("465")
    page.locator("#f-sender").fill("talent@example.com")
    page.locator("#f-security").select_option("tls")
    page.locator("#f-username").fill("mailer")
    page.locator("#f-password").fill("smtp-secret-value")
    page.locator("form:has(#enabled)").get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/settings/plugins/channel_email$"))
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("#enabled")).to_be_checked()
    expect(page.locator("#f-host")).to_have_value("smtp.example.com")
    expect(page.locator("#f-port")).to_have_value("465")
    expect(page.locator("#f-sender")).to_have_value("talent@example.com")
    expect(page.locator("#f-security")).to_have_value("tls")
    expect(page.locator("#f-username")).to_have_value("mailer")
    expect(page.locator("#f-password")).to_have_value("")  # never sent back
    assert "smtp-secret-value" not in page.content()
    # show.html: the hint says the secret is set, the placeholder marks it "(set)".
    expect(page.locator("#password-hint")).to_contain_text("It is set")
    expect(page.locator("#f-password")).to_have_attribute("placeholder", re.compile(r"\(set\)"))
    shot(page, "plugin-email-saved-en-desktop")

    page.goto("/settings/plugins")
    card = page.locator(".plugin").filter(has=page.locator("a[href$='/channel_email']"))
    expect(card.locator(".badge.on")).to_be_visible()


def test_email_plugin_invalid_port_is_explained_next_to_the_field(
    desktop: Page, tenant: TenantFixture
) -> None:
    page = desktop
    sign_in(page, tenant)
    page.goto("/settings/plugins/channel_email")
    page.locator("#enabled").check()
    page.locator("#f-host").fill("mail.example.org")
    page.locator("#f-port").fill("70000")
    page.locator("#f-sender").fill("talent@example.org")
    expect_http_error(page, 422)
    page.locator("form:has(#enabled)").get_by_role("button", name="Save").click()

    error = page.locator("#port-error")
    expect(error).to_be_visible()
    expect(page.locator("#f-port")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-port")).to_have_attribute("aria-describedby", re.compile("port-error"))
    expect(page.locator("#f-host")).to_have_value("mail.example.org")
    expect(page.locator("#f-sender")).to_have_value("talent@example.org")
    expect(page.locator("#f-port")).to_have_value("70000")
    expect(page.locator(".flash.success")).to_have_count(0)
    expect(page.locator("#host-error")).to_have_count(0)
    shot(page, "plugin-email-invalid-port-en-desktop")

    page.goto("/settings/plugins/channel_email")  # nothing was saved
    expect(page.locator("#enabled")).not_to_be_checked()
    expect(page.locator("#f-host")).to_have_value("")
