"""The tag page and the candidate's tag chips at 375 px and on a desktop, in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import (
    LiveServer,
    assert_no_horizontal_scroll,
    assert_nothing_sticks_out,
    seed_tenant,
    shot,
    sign_in,
)
from tests.tags.helpers import make_candidate, record_note

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_tag_pages_fit_and_work(
    any_page: Page, live_server: LiveServer, locale: str
) -> None:
    tenant = seed_tenant(live_server, "tagsweb", locale=locale)
    cid = make_candidate(live_server.app, tenant, name="Maximiliane Wolkenstein-Rodenegg")
    record_note(live_server.app, tenant, cid)
    page = any_page
    sign_in(page, tenant, "recruiter")
    device = "phone" if (page.viewport_size or {}).get("width", 0) < 600 else "desktop"

    page.goto("/tags")
    assert_no_horizontal_scroll(page)
    assert_nothing_sticks_out(page)
    shot(page, f"tags-{locale}-{device}")

    page.goto(f"/candidates/{cid}")
    chips = page.locator("#tags .tag-item")
    assert chips.count() == 4
    assert_no_horizontal_scroll(page)
    assert_nothing_sticks_out(page)
    shot(page, f"candidate-tags-{locale}-{device}")
    page.locator("#tags .tag-item.inferred form[action$='/accept'] button").first.click()
    page.wait_for_url(f"**/candidates/{cid}#tags")
    assert page.locator("#tags .tag-item.inferred").count() == 3
