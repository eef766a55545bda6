"""Talent memory in the pages, end to end, in both languages, at 375 px and on a desktop.

A recruiter records a conversation on a candidate's page; the reason inferred
from it (a tag) and the follow-up date appear on the page, the question asked
and never answered is highlighted, and "last talked N months ago" is said in
words. The recruiter finds the candidate with a segment query on the Segments
page (and not someone who does not match); the queue lists the candidate with
its reasons in words, quoting what was said and when. Then bad input on the same
pages: an empty note and a 100 KB note are refused next to the field and store
nothing (the 100 KB one comes back whole, not cut short by the browser); a query
that does not parse is marked where it breaks.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from playwright.sync_api import Page, expect

from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.insights import analyze_note
from saas.tags.models import CandidateTag
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.browser.conftest import (
    LiveServer,
    assert_no_horizontal_scroll,
    assert_nothing_sticks_out,
    expect_http_error,
    open_nav,
    seed_tenant,
    shot,
    sign_in,
    switch_language,
)
from tests.factories import TenantFixture

pytestmark = pytest.mark.browser

ZONE = "Asia/Shanghai"
NOTE_DAYS_AGO = 45  # the note says "1 month": its follow-up date has passed


@dataclass(frozen=True)
class Words:
    """What the recruiter types and what the pages say, in one language."""

    language_button: str
    babel_locale: str
    name: str
    other: str
    summary: str
    quote: str
    reason_label: str
    add_button: str
    summary_label: str
    quote_label: str
    questions_label: str
    question: str
    never_answered: str
    last_talked: str
    date_label: str
    time_label: str
    added_flash: str
    follow_up_prefix: str
    segments_link: str
    search_button: str
    queue_link: str
    follow_up_reason: str  # with {quote} and {date} where the words quote them


WORDS = {
    "zh-CN": Words(
        language_button="中文", babel_locale="zh_Hans_CN", name="王晓雯", other="赵磊",
        summary="她手上的项目在收尾，交接完大概需要1个月时间 🙂，再聊 offer 的事",
        quote="需要1个月", reason_label="未响应-项目收尾", add_button="添加到时间线",
        summary_label="沟通内容", quote_label="原话", questions_label="待回答的问题",
        question="奖金部分怎么算", never_answered="从未回答", last_talked="上次沟通",
        date_label="日期", time_label="时间",
        added_flash="已添加到时间线。", follow_up_prefix="跟进日期", segments_link="人才分组",
        search_button="搜索", queue_link="待联系",
        follow_up_reason="已到跟进日期",
    ),
    "en": Words(
        language_button="English", babel_locale="en", name="Olivia Bennett", other="Jack Moore",
        summary="Wrapping up the payments project and the handover; needs 1 month 🙂 before "
                "talking about the offer again",
        quote="needs 1 month", reason_label="No response – project wrap-up",
        add_button="Add to timeline", summary_label="What was said",
        quote_label="Their own words", questions_label="Open questions",
        question="How is the bonus calculated?", never_answered="Never answered",
        last_talked="Last talked", date_label="Date", time_label="Time",
        added_flash="Added to the timeline.", follow_up_prefix="Follow up on",
        segments_link="Segments", search_button="Search", queue_link="Queue",
        follow_up_reason='Follow-up date reached: said "{quote}" on {date}',
    ),
}


def _people(live: LiveServer, tenant: TenantFixture, words: Words) -> tuple[str, str]:
    """The candidate the recruiter talks to, and one who does not match the query."""
    with live.app.app_context(), tenant_context(tenant.id):
        ids = []
        for name in (words.name, words.other):
            candidate = Candidate(name=name, timezone=ZONE, title="Backend engineer",
                                  owner_id=tenant.users["recruiter"],
                                  locale="zh-CN" if words.babel_locale != "en" else "en")
            db.session.add(candidate)
            ids.append(candidate)
        db.session.commit()
        return str(ids[0].id), str(ids[1].id)


def _stored(live: LiveServer, tenant: TenantFixture, candidate_id: str) -> tuple[int, int]:
    """Interactions and tags stored for the candidate."""
    cid = uuid.UUID(candidate_id)
    with live.app.app_context(), tenant_context(tenant.id):
        notes = db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)
                                  .where(Interaction.candidate_id == cid))
        tags = db.session.scalar(sa.select(sa.func.count()).select_from(CandidateTag)
                                 .where(CandidateTag.candidate_id == cid))
        return int(notes or 0), int(tags or 0)


def _device(page: Page) -> str:
    return "phone" if (page.viewport_size or {}).get("width", 0) < 600 else "desktop"


def _signed_in_with_people(page: Page, live_server: LiveServer, slug: str,
                           locale: str) -> tuple[TenantFixture, str, str]:
    """A fresh ``locale`` workspace with the two candidates, the recruiter signed in
    and reading that language: the workspace and the candidates' ids."""
    words = WORDS[locale]
    tenant = seed_tenant(live_server, slug, locale=locale)
    candidate_id, other_id = _people(live_server, tenant, words)
    sign_in(page, tenant, "recruiter")
    switch_language(page, words.language_button)
    return tenant, candidate_id, other_id


def _fits(page: Page) -> None:
    assert_no_horizontal_scroll(page)
    assert_nothing_sticks_out(page)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_record_a_conversation_find_them_and_see_why_in_the_queue(
        any_page: Page, live_server: LiveServer, locale: str) -> None:
    words = WORDS[locale]
    page = any_page
    device = _device(page)
    _tenant, candidate_id, other_id = _signed_in_with_people(page, live_server, "memory", locale)

    # The candidate's page: record what was said 45 days ago.
    page.goto(f"/candidates/{candidate_id}")
    note_day = (utcnow().astimezone(dt.timezone(dt.timedelta(hours=8)))
                - dt.timedelta(days=NOTE_DAYS_AGO)).date()
    timeline = page.locator("#timeline")
    timeline.locator("details.add-entry > summary").click()
    timeline.get_by_label(words.date_label, exact=True).fill(note_day.isoformat())
    timeline.get_by_label(words.time_label, exact=True).fill("10:00")
    timeline.get_by_label(words.summary_label, exact=True).fill(words.summary)
    timeline.get_by_label(words.quote_label, exact=True).fill(words.quote)
    timeline.get_by_label(words.questions_label, exact=True).fill(words.question)
    _fits(page)
    timeline.get_by_role("button", name=words.add_button, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/candidates/{candidate_id}#timeline$"))
    expect(page.locator(".flash.success")).to_have_text(words.added_flash)

    # The inferred reason and the follow-up date appear on the page.
    said = analyze_note(f"{words.summary}\n{words.quote}", today=note_day)
    assert said.reason == "project_wrapup" and said.follow_up_on is not None
    expect(page.locator("#tags .tag-chip.inferred", has_text=words.reason_label)
           ).to_have_count(1)
    follow_up = page.locator(".last-talked .follow-up")
    expect(follow_up).to_contain_text(words.follow_up_prefix)
    expect(follow_up).to_contain_text(
        format_date(said.follow_up_on, "medium", locale=words.babel_locale))
    newest = page.locator("#timeline .timeline .entry").first
    expect(newest.locator(".entry-summary")).to_have_text(words.summary)  # emoji kept
    expect(newest.locator("blockquote")).to_have_text(words.quote)
    # The question never answered stands out; when they last talked, in words.
    open_question = newest.locator(".questions li.open", has_text=words.question)
    expect(open_question.locator(".badge.open-question")).to_have_text(words.never_answered)
    expect(page.locator(".last-talked")).to_contain_text(words.last_talked)
    _fits(page)
    shot(page, f"memory-{locale}-{device}-1-candidate")

    # The Segments page finds them (and not the other candidate).
    open_nav(page).get_by_role("link", name=words.segments_link, exact=True).click()
    page.locator("#q").fill("reason:project_wrapup follow_up:due -status:do_not_contact")
    page.get_by_role("button", name=words.search_button, exact=True).click()
    results = page.locator(".segment-results")
    expect(results.locator("h2")).to_contain_text("1")
    expect(results.get_by_role("link", name=words.name, exact=True)).to_have_count(1)
    expect(results.get_by_role("link", name=words.other, exact=True)).to_have_count(0)
    _fits(page)
    shot(page, f"memory-{locale}-{device}-2-segment")

    # The queue lists them and says why, quoting what was said and when.
    open_nav(page).get_by_role("link", name=words.queue_link, exact=True).click()
    card = page.locator(f"#candidate-{candidate_id}")
    expect(card).to_be_visible()
    expect(page.locator(f"#candidate-{other_id}")).to_have_count(0)
    first = card.locator(".queue-reasons li").first
    expect(first).to_contain_text(
        words.follow_up_reason.format(quote=words.quote, date=note_day.isoformat()))
    expect(first).to_contain_text(note_day.isoformat())
    expect(first).to_contain_text(words.quote)
    _fits(page)
    shot(page, f"memory-{locale}-{device}-3-queue")
    card.get_by_role("link", name=words.name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/candidates/{candidate_id}$"))


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_bad_notes_and_queries_are_refused_on_the_pages(
        any_page: Page, live_server: LiveServer, locale: str) -> None:
    words = WORDS[locale]
    page = any_page
    device = _device(page)
    tenant, candidate_id, _other = _signed_in_with_people(
        page, live_server, "memorybad", locale)
    page.goto(f"/candidates/{candidate_id}")
    timeline = page.locator("#timeline")

    # An empty note, then a 100 KB one: the form comes back open, the error next to the field.
    expect_http_error(page, 422)
    for text in ("   ", "长" * 34_000):
        if timeline.locator("details.add-entry").get_attribute("open") is None:
            timeline.locator("details.add-entry > summary").click()
        timeline.get_by_label(words.summary_label, exact=True).fill(text)
        timeline.get_by_role("button", name=words.add_button, exact=True).click()
        page.wait_for_load_state()
        summary_field = timeline.locator(".field.has-error", has=page.locator("#summary"))
        expect(summary_field.locator(".error")).to_be_visible()
        # Everything typed is still there to shorten (no maxlength cut the paste short).
        assert len(timeline.locator("#summary").input_value()) == len(text)
        expect(page.locator("#timeline .timeline .entry")).to_have_count(0)
        assert _stored(live_server, tenant, candidate_id) == (0, 0)
    _fits(page)
    shot(page, f"memory-{locale}-{device}-4-bad-note")

    # A query that does not parse: marked where it breaks, nothing listed.
    expect_http_error(page, 400)
    page.goto("/segments?q=" + "reason:project_wrapup%20(value:flexibility")
    problem = page.locator("#query-problem")
    expect(problem).to_be_visible()
    expect(problem.locator("mark")).to_be_visible()
    expect(page.locator(".segment-results")).to_have_count(0)
    expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
    _fits(page)
    shot(page, f"memory-{locale}-{device}-5-bad-query")
