"""Browser tests: the real app on a live server, driven by the system Chromium.

One Chromium (Debian's ``chromium``, never a downloaded one) per session, one
live server per session (werkzeug in a daemon thread on 127.0.0.1), a fresh
browser context per test. Chromium missing is a failure, never a skip. Any
console error, uncaught page error or CSP violation fails the test that caused
it, unless the test declared it expected (``expect_http_error``, ``expect_browser_error``).
Screenshots go to ``test-output/screenshots/`` (ignored by git).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from saas.app import create_app
from saas.extensions import db
from saas.tenancy.models import Tenant
from tests.conftest import app_config
from tests.factories import PASSWORD, TenantFixture, make_tenant

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing but the live server resolves: no test can reach the internet.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
DEFAULT_TIMEOUT_MS = 10_000
LOGOUT = "form[action='/logout'] button"

# Playwright must never fetch a browser of its own.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test (``-m "not browser"`` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


# --- console errors, page errors and CSP violations ------------------------------------

# Reported by the page itself too, in case a Chromium version stops logging violations.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


class BrowserErrors:
    """Console errors and uncaught exceptions of every page of one context."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.errors: list[str] = []
        self.expected: list[re.Pattern[str]] = []

    def attach(self, page: Page) -> None:
        self.pages.append(page)
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: page error: {exc}"))

    def _console(self, page: Page, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append(f"{page.url}: console error: {msg.text}")

    def expect(self, pattern: str) -> None:
        """Tolerate errors matching ``pattern`` until the end of the current test."""
        self.expected.append(re.compile(pattern))

    def drain(self) -> list[str]:
        """The unexpected errors so far; forgets them and the expectations."""
        for page in self.pages:
            if not page.is_closed():
                # A round trip delivers events still in flight (mid-navigation: nothing to do).
                with contextlib.suppress(Exception):
                    page.evaluate("0")
        unexpected = [e for e in self.errors if not any(p.search(e) for p in self.expected)]
        self.errors.clear()
        self.expected.clear()
        return unexpected


_WATCHED: dict[BrowserContext, BrowserErrors] = {}


def expect_browser_error(page: Page, pattern: str) -> None:
    """Declare an error the current test expects from ``page`` (a regex on its text)."""
    _WATCHED[page.context].expect(pattern)


def expect_http_error(page: Page, status: int) -> None:
    """The current test opens pages answered with ``status`` on purpose (Chromium logs those)."""
    expect_browser_error(page, rf"Failed to load resource: .*status of {status}\b")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    try:
        result = yield
    except BaseException:
        for problem in _drain_all():  # shown with the failure's captured output
            print(f"browser: {problem}", file=sys.stderr)
        raise
    problems = _drain_all()
    if problems:
        raise AssertionError("the browser reported errors:\n  " + "\n  ".join(problems))
    return result


def _drain_all() -> list[str]:
    return [e for watch in list(_WATCHED.values()) for e in watch.drain()]


# --- the live server --------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class LiveServer:
    url: str
    app: Flask

    def api_status(self, path: str, token: str) -> int:
        """Status of a GET to the real API with a bearer token (no cookies)."""
        request = urllib.request.Request(  # noqa: S310  (http://127.0.0.1 only)
            self.url + path, headers={"Authorization": f"Bearer {token}",
                                      "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)


@pytest.fixture(scope="session")
def live_server(app: Flask, database_urls: tuple[str, str]) -> Iterator[LiveServer]:
    """The real app served on 127.0.0.1 and a free port (the ``app`` fixture migrated the DB)."""
    live_app = create_app(app_config(database_urls, MASTER_KEYS=app.config["MASTER_KEYS"]))
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, live_app, threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", live_app)
    server.shutdown()
    thread.join(timeout=5)


def seed_tenant(live: LiveServer, prefix: str = "web", locale: str = "en") -> TenantFixture:
    """A tenant with one user per role (password ``PASSWORD``) and the given default language."""
    fixture = make_tenant(live.app, prefix)
    with live.app.app_context():
        tenant = db.session.get(Tenant, fixture.id)
        assert tenant is not None
        tenant.locale = locale
        db.session.commit()
    return fixture


@pytest.fixture()
def tenant(live_server: LiveServer) -> TenantFixture:
    """A fresh workspace whose default language is English."""
    return seed_tenant(live_server)


# --- Chromium and pages -----------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium "
            "(apt-get install chromium; .ci/run installs it)", pytrace=False,
        )
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def open_context(browser: Browser, live: LiveServer, device: dict[str, Any],
                 locale: str = "en-US") -> tuple[BrowserContext, BrowserErrors]:
    """A fresh context (own cookies) on the live server, watched for errors."""
    context = browser.new_context(base_url=live.url, locale=locale, **device)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_init_script(_CSP_LISTENER)
    watch = BrowserErrors()
    context.on("page", watch.attach)
    _WATCHED[context] = watch
    return context, watch


def close_context(context: BrowserContext) -> None:
    _WATCHED.pop(context, None)
    context.close()


def _page(browser: Browser, live: LiveServer, device: dict[str, Any]) -> Iterator[Page]:
    context, _watch = open_context(browser, live, device)
    yield context.new_page()
    close_context(context)


@pytest.fixture()
def desktop(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A 1280×800 desktop page, signed out."""
    yield from _page(chromium, live_server, DESKTOP)


@pytest.fixture()
def phone(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A 375×812 phone page (touch, 2× pixels), signed out."""
    yield from _page(chromium, live_server, PHONE)


@pytest.fixture(params=["desktop", "phone"])
def any_page(request: pytest.FixtureRequest, chromium: Browser,
             live_server: LiveServer) -> Iterator[Page]:
    """The test runs twice: on a desktop page and on a phone page."""
    yield from _page(chromium, live_server, DESKTOP if request.param == "desktop" else PHONE)


# --- helpers ----------------------------------------------------------------------------


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot at ``test-output/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, tenant: TenantFixture, role: str = "tenant_admin",
            password: str = PASSWORD) -> None:
    """Sign in through the real form on /login (English labels) and land on the start page."""
    page.goto("/login")
    fill_sign_in(page, tenant.slug, tenant.emails[role], password)
    expect(page).to_have_url(re.compile(r"/$"))
    page.wait_for_load_state()  # styles applied: what is visible is settled


def fill_sign_in(page: Page, workspace: str, email: str, password: str) -> None:
    page.get_by_label("Workspace", exact=True).fill(workspace)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def open_nav(page: Page) -> Locator:
    """The main navigation, visible: on phones opened with the "Menu" button (a
    ``<details class="menu">``), from 64rem a side bar that is always shown."""
    page.wait_for_load_state()
    summary = page.locator("details.menu > summary")
    if summary.is_visible():
        if page.locator("details.menu").get_attribute("open") is None:
            summary.click()
        expect(page.locator("details.menu")).to_have_attribute("open", "")
    nav = page.locator("nav").filter(visible=True).filter(has=page.locator(LOGOUT))
    expect(nav).to_have_count(1)
    return nav


def open_menu(page: Page) -> Locator:
    """Open the phone menu with its "Menu" summary button; the navigation inside."""
    menu = page.locator("details.menu")
    summary = menu.locator("summary")
    expect(summary).to_be_visible()
    expect(menu).not_to_have_attribute("open", "")
    summary.click()
    expect(menu).to_have_attribute("open", "")
    nav = menu.locator("nav")
    expect(nav).to_be_visible()
    return nav


def sign_out(page: Page) -> None:
    open_nav(page).locator(LOGOUT).click()
    expect(page).to_have_url(re.compile(r"/login$"))


def switch_language(page: Page, name: str) -> None:
    """Press a language button in the footer ("English" or "中文") and wait for the page."""
    button = page.locator("footer.footer").get_by_role("button", name=name, exact=True)
    with page.expect_navigation():
        button.click()
    expect(page.locator("footer.footer").get_by_role("button", name=name, exact=True)
           ).to_have_attribute("aria-pressed", "true")


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]}px > {widths[1]}px"


def assert_nothing_sticks_out(page: Page) -> None:
    """No visible element reaches past the right edge (even inside an overflow:hidden box)."""
    offenders = page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      const out = [];
      for (const el of document.body.querySelectorAll("*")) {
        const box = el.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1) continue;
        const style = getComputedStyle(el);
        if (style.visibility === "hidden" || style.display === "none") continue;
        if (box.right > width + 0.5) {
          const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
            (el.className && typeof el.className === "string" ? "." + el.className.trim()
              .replace(/\\s+/g, ".") : "");
          out.push(`${name} (right edge ${Math.round(box.right)}px): ` +
            (el.textContent || "").trim().slice(0, 60));
        }
      }
      return out;
    }""")
    assert not offenders, f"{page.url}: past the {page.viewport_size} viewport:\n  " + \
        "\n  ".join(offenders[:10])


def json_strings(value: Any) -> list[str]:
    """Every string inside a JSON-like value (keys included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*json_strings(k), *json_strings(v))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in json_strings(item)]
    return []


def english_phrases(page: Page) -> list[str]:
    """Runs of two or more English words in the page's text and in the attributes people
    read (placeholder, title, aria-label, alt, data-confirm), outside code, form values
    and elements marked as another language (the footer's "English" button). Single
    words pass: brand names, skills, codes and "API" read the same in Chinese."""
    found: list[str] = page.evaluate("""() => {
      // A word stands alone: not part of a code (project_wrapup), a query (status:stalled),
      // an address or a path. A comma-separated list counts item by item.
      const word = String.raw`(?<![\\w:_.@/=-])[A-Za-z][A-Za-z'’-]*(?![\\w:_@/=]|\\.\\w)`;
      const words = new RegExp(`${word}(?: +${word})+`, "g");
      const skip = "code, pre, script, style, textarea, .token-value, [translate='no'], " +
        "[lang]:not([lang^='zh'])";
      const out = new Set();
      const scan = (text) => { for (const m of (text || "").matchAll(words)) out.add(m[0]); };
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const el = walker.currentNode.parentElement;
        if (el && !el.closest(skip)) scan(walker.currentNode.textContent.replace(/\\s+/g, " "));
      }
      for (const el of document.querySelectorAll(
          "[placeholder], [title], [aria-label], [alt], [data-confirm]")) {
        if (el.closest(skip)) continue;
        for (const name of ["placeholder", "title", "aria-label", "alt", "data-confirm"]) {
          scan(el.getAttribute(name));
        }
      }
      scan(document.title);
      return [...out];
    }""")
    return found


def layout_problems(page: Page) -> list[str]:
    """Smaller layout faults: button labels wrapping onto a second line, table cells of
    one row that do not line up (their borders make a step), cards stacked with no gap."""
    problems: list[str] = page.evaluate("""() => {
      const out = [];
      const shown = (el) => el.checkVisibility({visibilityProperty: true}) &&
        el.getBoundingClientRect().width > 1;
      for (const el of document.querySelectorAll("button, a.button, summary")) {
        if (!shown(el)) continue;
        for (const node of el.childNodes) {
          if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
            .map((r) => Math.round(r.top)));
          if (tops.size > 1) {
            out.push(`the button "${node.textContent.trim()}" wraps onto ${tops.size} lines`);
          }
        }
      }
      let steps = 0;
      const odd = new Set();
      for (const row of document.querySelectorAll("tr")) {
        if (!shown(row) || getComputedStyle(row).display !== "table-row") continue;
        const cells = [...row.children].filter(shown);
        const spread = (side) => {
          const xs = cells.map((c) => c.getBoundingClientRect()[side]);
          return Math.max(...xs) - Math.min(...xs);
        };
        const notCells = cells.filter((c) => getComputedStyle(c).display !== "table-cell");
        notCells.forEach((c) => odd.add(`${c.tagName.toLowerCase()}:nth-child(` +
          `${[...row.children].indexOf(c) + 1}) has display: ${getComputedStyle(c).display}`));
        if (notCells.length || spread("top") > 0.25 || spread("bottom") > 0.25) steps += 1;
      }
      if (steps) {
        out.push(`the cells of ${steps} table row(s) do not line up` +
          (odd.size ? ` (${[...odd].join(", ")}, not table-cell)` : ""));
      }
      const cards = [...document.querySelectorAll(".card")].filter(shown)
        .map((c) => c.getBoundingClientRect());
      let touching = 0;
      for (const a of cards) {
        for (const b of cards) {
          const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const gap = b.top - a.bottom;
          if (a !== b && overlap > 0 && gap > -1 && gap < 4) touching += 1;
        }
      }
      if (touching) out.push(`${touching} pair(s) of cards touch, one above the other`);
      return [...new Set(out)];
    }""")
    return problems


def check_known_layout_problems(page: Page, key: str, known: dict[str, str]) -> None:
    """Fail on ``layout_problems``, except a problem already reported and listed in ``known``
    (reported as XFAIL after every other check of the test passed). A listed problem that
    is gone fails too, so the list is kept honest."""
    problems = layout_problems(page)
    if key in known:
        if problems:
            pytest.xfail(f"known layout problem: {known[key]} ({'; '.join(problems)})")
        pytest.fail(f"{key}: the known problem is fixed; remove it from the known list: "
                    f"{known[key]}")
    assert not problems, f"{page.url}: " + "; ".join(problems)
