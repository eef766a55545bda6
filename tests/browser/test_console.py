"""The staff console (/console): staff sign-in, the tenants list, applying a manifest.

Staff are platform accounts (``StaffUser``), not tenant users; they sign in at
/console/login with email and password. Every console page is also checked at
375 px and on a desktop, in both languages, with a screenshot
``console-<page>-<lang>-<phone|desktop>.png``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect

from saas.auth.models import StaffUser
from saas.auth.passwords import hash_password
from saas.extensions import db
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    LiveServer,
    assert_no_horizontal_scroll,
    assert_nothing_sticks_out,
    check_known_layout_problems,
    close_context,
    english_phrases,
    expect_http_error,
    fill_sign_in,
    open_context,
    open_menu,
    open_nav,
    seed_tenant,
    shot,
    sign_in,
    sign_out,
    switch_language,
)
from tests.factories import PASSWORD, TenantFixture

pytestmark = pytest.mark.browser

STAFF_PASSWORD = "staff-console-passphrase-9"


def make_staff_user(live: LiveServer, prefix: str = "cs") -> str:
    """A customer-success staff account; returns its email."""
    email = f"{prefix}-{uuid.uuid4().hex[:8]}@rekindle.example"
    with live.app.app_context():
        db.session.add(StaffUser(email=email, name="Casey Success",
                                 password_hash=hash_password(STAFF_PASSWORD)))
        db.session.commit()
    return email


def staff_sign_in(page: Page, email: str, password: str = STAFF_PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/console$"))
    page.wait_for_load_state()


def manifest_for(slug: str, admin_email: str) -> str:
    return f"""\
slug = "{slug}"
name = "Browser Test Robotics 浏览器测试"
locale = "en"
timezone = "Europe/Berlin"
plan = "standard"

[[users]]
email = "{admin_email}"
name = "Ada Admin"
role = "tenant_admin"
password = "{PASSWORD}"

[policy]
max_messages_per_30_days = 2
quiet_hours = "21:00-09:00"
channel_order = ["email", "wechat", "sms", "linkedin"]
"""


def test_staff_sign_in_tenants_and_manifest_that_creates_a_tenant(
    any_page: Page, live_server: LiveServer, tenant: TenantFixture
) -> None:
    page = any_page
    device = "phone" if (page.viewport_size or {}).get("width", 0) < 600 else "desktop"
    email = make_staff_user(live_server)

    page.goto("/console")  # not signed in: the staff sign-in, not the workspace one
    expect(page).to_have_url(re.compile(r"/console/login"))
    expect(page.get_by_label("Workspace", exact=True)).to_have_count(0)
    staff_sign_in(page, email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tenants")
    row = page.locator("tr").filter(has=page.locator(f"a[href='/console/tenants/{tenant.slug}']"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Web Corp")
    nav = open_nav(page)
    expect(nav.get_by_role("link", name="Tenants", exact=True)).to_have_attribute(
        "aria-current", "page")
    expect(nav.locator("a[href='/settings/users']")).to_have_count(0)  # no tenant settings
    page.keyboard.press("Escape")

    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/console/tenants/{tenant.slug}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Web Corp")

    slug = f"browser-{uuid.uuid4().hex[:8]}"
    admin_email = f"ada@{slug}.example"
    page.goto("/console/apply")
    textarea = page.locator("#manifest")
    expect(textarea).not_to_have_value("")  # an example to start from
    textarea.fill(manifest_for(slug, admin_email))
    page.get_by_role("button", name="Apply", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/console/tenants/{slug}$"))
    expect(page.locator(".flash.success")).to_contain_text(slug)
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser Test Robotics 浏览器测试")
    shot(page, f"console-tenant-created-en-{device}")
    page.goto("/console")
    expect(page.locator(f"a[href='/console/tenants/{slug}']")).to_have_count(1)

    # The new tenant's admin can sign in to the workspace the manifest made.
    sign_out(page)
    page.goto("/login")
    fill_sign_in(page, slug, admin_email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".topbar .workspace")).to_have_text("Browser Test Robotics 浏览器测试")


def test_invalid_manifest_changes_nothing_and_says_why(
    desktop: Page, live_server: LiveServer
) -> None:
    page = desktop
    staff_sign_in(page, make_staff_user(live_server))
    page.goto("/console/apply")
    slug = f"broken-{uuid.uuid4().hex[:8]}"
    page.locator("#manifest").fill(f'slug = "{slug}"\nname = "Broken"\nplan = "platinum"\n')
    expect_http_error(page, 422)
    page.get_by_role("button", name="Apply", exact=True).click()

    expect(page).to_have_url(re.compile(r"/console/apply$"))
    problems = page.locator("#manifest-error")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("plan")
    expect(page.locator("#manifest")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#manifest")).to_have_value(re.compile("platinum"))  # kept as typed
    shot(page, "console-apply-invalid-en-desktop")
    page.goto("/console")
    expect(page.locator(f"a[href='/console/tenants/{slug}']")).to_have_count(0)


def test_wrong_staff_password_and_tenant_users_refused(
    desktop: Page, live_server: LiveServer, tenant: TenantFixture
) -> None:
    page = desktop
    email = make_staff_user(live_server)
    page.goto("/console/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("not-the-staff-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".flash.error")).to_have_count(1)
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")

    # A tenant admin is not platform staff.
    page.goto("/login")
    sign_in(page, tenant)
    for path in ("/console", "/console/apply", f"/console/tenants/{tenant.slug}"):
        expect_http_error(page, 403)
        response = page.goto(path)
        assert response is not None and response.status == 403, path


# --- layout of the console pages -----------------------------------------------------

LANGUAGES = {"en": "English", "zh-CN": "中文"}
CONSOLE_PAGES = ("login", "tenants", "tenant", "apply")
# Found by these tests and reported; each is XFAIL until fixed (then the test says so).
CARDS_TOUCH = ("on a tenant's page the Subscription/People cards (.columns) sit on the "
               "'Modules turned on' card with no gap: .columns > .card drops its margin and "
               ".columns has none")
KNOWN_LAYOUT_PROBLEMS: dict[str, str] = {}
# zh-CN console pages that still show English interface text (reported; XFAIL until fixed).
COMMANDS = ["tenants apply"]  # named in the help text; typed as they are, in any language
CASES = [(device, lang, name) for device in ("phone", "desktop") for lang in LANGUAGES
         for name in CONSOLE_PAGES]


class StaffDevices:
    def __init__(self, browser: Browser, live: LiveServer) -> None:
        self.browser, self.live = browser, live
        self.tenant = seed_tenant(live, prefix="console")
        self.email = make_staff_user(live)
        self.pages: dict[tuple[str, bool], Page] = {}
        self.contexts: list[BrowserContext] = []

    def page(self, device: str, signed_in: bool) -> Page:
        if (device, signed_in) not in self.pages:
            context, _watch = open_context(
                self.browser, self.live, PHONE if device == "phone" else DESKTOP)
            self.contexts.append(context)
            page = context.new_page()
            if signed_in:
                staff_sign_in(page, self.email)
            self.pages[(device, signed_in)] = page
        return self.pages[(device, signed_in)]


@pytest.fixture(scope="module")
def staff_devices(chromium: Browser, live_server: LiveServer) -> Iterator[StaffDevices]:
    opened = StaffDevices(chromium, live_server)
    yield opened
    for context in opened.contexts:
        close_context(context)


@pytest.mark.parametrize(("device", "lang", "name"), CASES,
                         ids=[f"{n}-{lang}-{d}" for d, lang, n in CASES])
def test_console_layout(staff_devices: StaffDevices, device: str, lang: str, name: str) -> None:
    path = {"login": "/console/login", "tenants": "/console", "apply": "/console/apply",
            "tenant": f"/console/tenants/{staff_devices.tenant.slug}"}[name]
    page = staff_devices.page(device, signed_in=name != "login")
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    if page.locator("html").get_attribute("lang") != lang:
        switch_language(page, LANGUAGES[lang])
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page).to_have_url(staff_devices.live.url + path)
    assert_no_horizontal_scroll(page)
    assert_nothing_sticks_out(page)
    shot(page, f"console-{name}-{lang}-{device}")
    if name != "login" and device == "phone":
        open_menu(page)
        assert_no_horizontal_scroll(page)
        page.keyboard.press("Escape")
    check_known_layout_problems(page, f"{name}-{lang}-{device}", KNOWN_LAYOUT_PROBLEMS)
    if lang == "zh-CN" and device == "desktop":
        _check_translated(staff_devices.live, page, name)


def _names(live: LiveServer) -> list[str]:
    """What the console shows as data: every tenant's, person's and staff member's name."""
    with live.app.app_context(), db.engine.connect() as connection:
        return [str(name) for table in ("tenants", "users", "staff_users")
                for name in connection.execute(sa.text(f"SELECT name FROM {table}")).scalars()]


def _check_translated(live: LiveServer, page: Page, name: str) -> None:
    names = [*_names(live), *COMMANDS]
    english = [p for p in english_phrases(page) if not any(p in n for n in names)]
    assert not english, f"{page.url}: English on a zh-CN page: {english}"
