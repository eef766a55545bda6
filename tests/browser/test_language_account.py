"""Switching language from the footer, and the account page (language, time zone, password).

Chinese text is asserted only for strings translated in the zh-CN catalog; the
language itself is checked through ``html[lang]`` and the footer's ``aria-pressed``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LiveServer,
    expect_http_error,
    fill_sign_in,
    open_nav,
    seed_tenant,
    shot,
    sign_in,
    sign_out,
    switch_language,
)
from tests.factories import PASSWORD, TenantFixture

pytestmark = pytest.mark.browser


def assert_language(page: Page, tag: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", tag)
    footer = page.locator("footer.footer")
    pressed = footer.locator("button[aria-pressed='true']")
    expect(pressed).to_have_count(1)
    expect(pressed).to_have_attribute("value", tag)


def test_language_chosen_on_the_sign_in_page_and_kept_on_the_account(
    any_page: Page, live_server: LiveServer
) -> None:
    page = any_page
    tenant = seed_tenant(live_server, locale="zh-CN")  # the product's default workspace language
    page.goto("/login")
    assert_language(page, "en")  # the browser asks for en-US
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Rekindle")

    switch_language(page, "中文")
    assert_language(page, "zh-CN")
    expect(page).to_have_url(re.compile(r"/login\??$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录 Rekindle")
    page.get_by_label("工作区", exact=True).fill(tenant.slug)
    page.get_by_label("邮箱", exact=True).fill(tenant.emails["tenant_admin"])
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert_language(page, "zh-CN")
    expect(open_nav(page).get_by_role("link", name="团队", exact=True)).to_be_visible()

    switch_language(page, "English")
    assert_language(page, "en")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(open_nav(page).get_by_role("link", name="Team", exact=True)).to_be_visible()

    # The choice is saved on the account: it beats the workspace's Chinese next time.
    sign_out(page)
    assert_language(page, "en")
    sign_in(page, tenant)
    assert_language(page, "en")
    page.goto("/settings/tokens")
    assert_language(page, "en")


def test_account_language_and_time_zone(desktop: Page, tenant: TenantFixture) -> None:
    page = desktop
    sign_in(page, tenant)
    page.goto("/account")
    assert_language(page, "en")
    expect(page.locator("#profile-locale")).to_have_value("")  # the workspace's default
    page.locator("#profile-locale").select_option("zh-CN")
    page.locator("#profile-timezone").fill("Europe/Berlin")
    page.locator("form:has(#profile-locale)").get_by_role("button").click()

    expect(page).to_have_url(re.compile(r"/account$"))
    assert_language(page, "zh-CN")
    expect(page.locator(".flash.success")).to_have_text("账号设置已保存。")
    expect(page.locator("#profile-locale")).to_have_value("zh-CN")
    expect(page.locator("#profile-timezone")).to_have_value("Europe/Berlin")
    shot(page, "account-saved-zh-CN-desktop")

    page.locator("#profile-locale").select_option("")
    page.locator("form:has(#profile-locale)").get_by_role("button").click()
    assert_language(page, "en")  # back to the workspace's language
    expect(page.locator(".flash.success")).to_have_text("Your account settings are saved.")
    expect(page.locator("#profile-timezone")).to_have_value("Europe/Berlin")


def test_account_unknown_time_zone_is_refused_next_to_the_field(
    desktop: Page, tenant: TenantFixture
) -> None:
    page = desktop
    sign_in(page, tenant)
    page.goto("/account")
    page.locator("#profile-timezone").fill("Mars/Olympus_Mons")
    expect_http_error(page, 422)
    page.locator("form:has(#profile-locale)").get_by_role("button").click()
    expect(page.locator("#profile-timezone-error")).to_be_visible()
    expect(page.locator("#profile-timezone")).to_have_value("Mars/Olympus_Mons")
    expect(page.locator("#profile-timezone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".flash.success")).to_have_count(0)


def test_password_change_with_a_wrong_current_password_is_refused(
    desktop: Page, tenant: TenantFixture
) -> None:
    page = desktop
    sign_in(page, tenant)
    page.goto("/account")
    page.locator("#password-current").fill("this-is-not-my-password")
    page.locator("#password-new").fill("a brand new passphrase 42")
    page.locator("#password-confirm").fill("a brand new passphrase 42")
    expect_http_error(page, 422)
    page.get_by_role("button", name="Change password").click()

    error = page.locator("#password-current-error")
    expect(error).to_have_text("This is not your current password.")
    expect(page.locator("#password-current")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-current")).to_have_attribute(
        "aria-describedby", re.compile("password-current-error"))
    expect(page.locator("#password-current")).to_have_value("")  # passwords are not echoed
    expect(page.locator(".flash.success")).to_have_count(0)
    shot(page, "account-wrong-password-en-desktop")

    sign_out(page)  # the old password still works
    page.goto("/login")
    fill_sign_in(page, tenant.slug, tenant.emails["tenant_admin"], PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
