"""Signing in and out, the generic wrong-password message, roles, keyboard use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    _WATCHED,
    expect_http_error,
    fill_sign_in,
    open_nav,
    shot,
    sign_in,
    sign_out,
)
from tests.factories import PASSWORD, TenantFixture

pytestmark = pytest.mark.browser

GENERIC_FAILURE = "Wrong workspace, email or password."


def _device(page: Page) -> str:
    size = page.viewport_size
    return "phone" if size and size["width"] < 600 else "desktop"


def test_sign_in_and_out(any_page: Page, tenant: TenantFixture) -> None:
    page = any_page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))  # signed out: sent to the sign-in page
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Rekindle")

    sign_in(page, tenant)
    expect(page.locator(".topbar .workspace")).to_have_text("Web Corp")
    nav = open_nav(page)
    expect(nav.get_by_role("link", name="Today", exact=True)).to_have_attribute(
        "aria-current", "page")
    shot(page, f"signed-in-{_device(page)}")

    sign_out(page)
    expect(page.locator(".flash")).to_have_text("You are signed out.")
    page.goto("/settings/tokens")
    expect(page).to_have_url(re.compile(r"/login"))  # the session is gone


@pytest.mark.parametrize(
    ("case", "workspace", "email", "password"),
    [
        pytest.param("wrong-password", None, None, "not-the-password-at-all",
                     id="wrong-password"),
        pytest.param("unknown-email", None, "nobody@nowhere.example", PASSWORD,
                     id="unknown-email"),
        pytest.param("unknown-workspace", "no-such-workspace", None, PASSWORD,
                     id="unknown-workspace"),
    ],
)
def test_failed_sign_in_says_one_generic_thing_and_keeps_what_was_typed(
    desktop: Page, tenant: TenantFixture, case: str, workspace: str | None,
    email: str | None, password: str,
) -> None:
    workspace = workspace or tenant.slug
    email = email or tenant.emails["recruiter"]
    desktop.goto("/login")
    fill_sign_in(desktop, workspace, email, password)

    expect(desktop).to_have_url(re.compile(r"/login$"))
    expect(desktop.locator(".flash")).to_have_count(1)
    expect(desktop.locator(".flash.error")).to_have_text(GENERIC_FAILURE)
    # Nothing says which part was wrong: no message next to any field.
    expect(desktop.locator("main .field .error")).to_have_count(0)
    expect(desktop.locator("main [aria-invalid='true']")).to_have_count(0)
    expect(desktop.get_by_label("Workspace", exact=True)).to_have_value(workspace)
    expect(desktop.get_by_label("Email", exact=True)).to_have_value(email)
    expect(desktop.get_by_label("Password", exact=True)).to_have_value("")
    if case == "wrong-password":
        shot(desktop, "login-failed-en-desktop")


def test_recruiter_does_not_get_tenant_settings(any_page: Page, tenant: TenantFixture) -> None:
    page = any_page
    sign_in(page, tenant, "recruiter")
    nav = open_nav(page)
    expect(nav.get_by_role("link", name="API tokens", exact=True)).to_be_visible()
    for label, href in (("Team", "/settings/users"), ("Plugins", "/settings/plugins")):
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
        expect(page.locator(f"a[href='{href}']")).to_have_count(0)

    for path in ("/settings/users", "/settings/plugins", "/settings/plugins/channel_email",
                 "/settings/users/new"):
        expect_http_error(page, 403)
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Not available to your role")
        expect(page.get_by_role("link", name="Back to the start page")).to_be_visible()
    shot(page, f"forbidden-en-{_device(page)}")


def test_keyboard_reaches_skip_link_then_the_form(desktop: Page) -> None:
    desktop.goto("/login")

    def focused() -> dict[str, object]:
        return desktop.evaluate("""() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {tag: el.tagName.toLowerCase(), id: el.id, text: el.textContent.trim(),
                  href: el.getAttribute("href"), visible: el.matches(":focus-visible"),
                  outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
                  left: el.getBoundingClientRect().left};
        }""")

    desktop.keyboard.press("Tab")
    skip = focused()
    assert skip["href"] == "#main" and skip["text"] == "Skip to content", skip
    assert skip["visible"] and skip["outline"], f"the skip link's focus is not visible: {skip}"
    assert float(str(skip["left"])) >= 0, "the focused skip link is still off screen"
    shot(desktop, "login-skip-link-en-desktop")

    # Then past the top bar's links (the brand) to the form's fields, in order.
    passed = []
    for _ in range(3):
        desktop.keyboard.press("Tab")
        field = focused()
        if field["id"] == "workspace":
            break
        assert field["tag"] == "a", f"Tab reached {field} before the form"
        passed.append(field["text"])
    assert field["id"] == "workspace", f"the form is not reached by Tab (passed {passed})"
    assert field["visible"] and field["outline"], f"no visible focus on {field}"
    for expected in ("email", "password"):
        desktop.keyboard.press("Tab")
        field = focused()
        assert field["id"] == expected, f"Tab reached {field} instead of #{expected}"
        assert field["visible"] and field["outline"], f"no visible focus on {field}"
    desktop.keyboard.press("Tab")
    button = focused()
    assert button["tag"] == "button" and button["text"] == "Sign in", button

    # The skip link itself moves focus to the content, past the top bar.
    desktop.goto("/login")
    desktop.keyboard.press("Tab")
    desktop.keyboard.press("Enter")
    expect(desktop).to_have_url(re.compile(r"#main$"))
    desktop.keyboard.press("Tab")
    assert focused()["id"] == "workspace"


def test_error_watch_catches_csp_violations(desktop: Page) -> None:
    """The harness itself: an inline script refused by the CSP is reported as an error."""
    desktop.goto("/login")
    desktop.evaluate("""() => {
      const s = document.createElement("script");
      s.textContent = "window.__ran = true";
      document.body.appendChild(s);
    }""")
    assert desktop.evaluate("window.__ran === true") is False  # the CSP held
    errors = _WATCHED[desktop.context].drain()
    assert any("Content Security Policy" in e or "CSP violation" in e for e in errors), errors
