"""The recruiter's outreach journey, end to end, in both languages.

From the re-engagement queue a recruiter opens a candidate, writes to them, sees a
preview that remembers the last conversation and names a change at the company
that speaks to what they value, sends it, and the candidate receives it once, by
e-mail, on a real SMTP server (aiosmtpd). Sending again from the same page, or
reloading, sends nothing more; the message is on the candidate's timeline, and
the candidate has left the queue.

The workspace is set up through the demo-data loader (``load_seed_files``: the
candidate with the timeline, an overdue offer and e-mail consent; the change
event), the starter templates and the e-mail channel plugin, as ``make run``
does. Jobs run inline here (the live server has no Redis), so the send job has
finished when the send's redirect arrives.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect

from saas.candidates.models import Candidate
from saas.candidates.seed import load_seed_files
from saas.extensions import db
from saas.hooks.settings import configure_plugin
from saas.outreach.models import OutboundMessage
from saas.outreach.templates_service import install_starters
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from tests.browser.conftest import (
    LiveServer,
    assert_no_horizontal_scroll,
    open_nav,
    seed_tenant,
    shot,
    sign_in,
    switch_language,
)
from tests.factories import TenantFixture

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Journey:
    """One candidate's story and the words the pages use for it, in one language."""

    language_button: str
    queue_link: str
    write_link: str
    send_button: str
    back_link: str
    sent_flash: str
    email: str
    candidate: dict[str, Any]
    change: dict[str, Any]
    # What the preview and the e-mail must say: the last conversation, and the change.
    remembered: str
    change_text: str
    # The routing explanation in the reader's language.
    routing: str


JOURNEYS = {
    "zh-CN": Journey(
        language_button="中文", queue_link="待联系", write_link="写消息", send_button="发送",
        back_link="返回候选人档案", sent_flash="已发送。", email="li.xiao@mail.example.cn",
        candidate={
            "name": "李晓", "title": "高级后端工程师", "current_company": "某科技",
            "city": "上海", "skills": ["python", "go"], "locale": "zh-CN",
            "timezone": "Asia/Shanghai", "preferred_channel": "wechat",
            "values": ["flexibility", "career_growth"],
            "interactions": [{
                "days_ago": 150, "channel": "wechat", "direction": "inbound",
                "summary": "小李手上的项目在收尾，大概还要两个月；希望以后工作安排更弹性，"
                           "每周能远程几天",
                "quote": "等项目上线了再聊"}],
        },
        change={"kind": "policy", "title": "研发混合办公 / Hybrid work", "days_ago": 20,
                "texts": {"zh-CN": "研发团队现在每周可以远程办公两天",
                          "en": "Engineering teams can now work remotely two days a week"},
                "values": ["flexibility"]},
        remembered="小李手上的项目在收尾", change_text="研发团队现在每周可以远程办公两天",
        # WeChat is preferred but has no consent: the next channel of the order.
        routing="没有微信的联系同意",
    ),
    "en": Journey(
        language_button="English", queue_link="Queue", write_link="Write to them",
        send_button="Send", back_link="Back to the profile", sent_flash="Sent.",
        email="emma.hart@mail.example.com",
        candidate={
            "name": "Emma Hart", "title": "Senior Backend Engineer",
            "current_company": "Northwind", "city": "London", "skills": ["java", "kotlin"],
            "locale": "en", "timezone": "Europe/London", "preferred_channel": "email",
            "values": ["flexibility", "career_growth"],
            "interactions": [{
                "days_ago": 150, "channel": "email", "direction": "inbound",
                "summary": "Wrapping up the payments migration, needs about two months; wants "
                           "more flexibility, ideally a couple of remote days a week",
                "quote": "Let's talk again once the release is out"}],
        },
        change={"kind": "policy", "title": "Hybrid work for engineering", "days_ago": 20,
                "texts": {"zh-CN": "研发团队现在每周可以远程办公两天",
                          "en": "Engineering teams can now work remotely two days a week"},
                "values": ["flexibility"]},
        remembered="Let's talk again once the release is out",
        change_text="Engineering teams can now work remotely two days a week",
        routing="the candidate prefers it and agreed on",
    ),
}


class Inbox:
    """What the SMTP server received: (recipients, raw message) per message."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default)
                for rcpt, raw in self.received if address in rcpt]


@pytest.fixture()
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 and a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _workspace(live: LiveServer, journey: Journey, port: int,
               tmp_path: Path) -> tuple[TenantFixture, str]:
    """A workspace set up as ``make run`` sets up the demo; the candidate's id."""
    tenant = seed_tenant(live, "journey", locale="zh-CN")
    candidate = {
        **journey.candidate, "emails": [journey.email], "owner_email": tenant.emails["recruiter"],
        "offer": {"sent_days_ago": 160, "respond_within_days": 7},
        "consents": [{"channel": "email", "basis": "consent", "source": "offer call",
                      "days_ago": 160}],
    }
    seed = tmp_path / "journey.jsonl"
    seed.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in (
        candidate, {"type": "change_event", **journey.change})) + "\n", encoding="utf-8")
    with live.app.app_context(), tenant_context(tenant.id):
        row = db.session.get(Tenant, tenant.id)
        assert row is not None
        row.policy = {**row.policy, "quiet_hours": ""}  # the test may run at any hour
        configure_plugin("channel_email", enabled=True, settings={
            "host": "127.0.0.1", "port": port, "sender": "talent@journey.example",
            "security": "none"})
        install_starters()
        db.session.commit()
        loaded = load_seed_files([seed])
        assert (loaded.created, loaded.change_events) == (1, 1)
        candidate_id = db.session.scalars(sa.select(Candidate.id)).one()
    return tenant, str(candidate_id)


def _messages(live: LiveServer, tenant: TenantFixture) -> list[OutboundMessage]:
    with live.app.app_context(), tenant_context(tenant.id):
        return list(db.session.scalars(sa.select(OutboundMessage)))


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_from_the_queue_to_the_candidates_inbox_once(
        desktop: Page, live_server: LiveServer, smtp: tuple[Inbox, int], tmp_path: Path,
        locale: str) -> None:
    journey = JOURNEYS[locale]
    inbox, port = smtp
    tenant, candidate_id = _workspace(live_server, journey, port, tmp_path)
    page = desktop
    sign_in(page, tenant, "recruiter")
    switch_language(page, journey.language_button)

    # The queue: the candidate is there, with the reasons to write now.
    open_nav(page).get_by_role("link", name=journey.queue_link, exact=True).click()
    card = page.locator(f"#candidate-{candidate_id}")
    expect(card).to_be_visible()
    expect(card.locator(".queue-reasons li")).not_to_have_count(0)
    shot(page, f"journey-{locale}-1-queue")
    card.get_by_role("link", name=journey.candidate["name"], exact=True).click()

    # The profile, then "Write to them".
    expect(page).to_have_url(re.compile(rf"/candidates/{candidate_id}$"))
    page.get_by_role("link", name=journey.write_link, exact=True).click()
    expect(page).to_have_url(re.compile(r"/outreach/compose\?candidate_id="))

    # The template previewed is the first suggested one (written for the reason the
    # candidate stalled). The preview remembers the last conversation and names the
    # change; the channel is explained; above the message, what it can draw on.
    expect(page.locator("#template_id optgroup").first.locator("option:checked")).to_have_count(1)
    body = page.locator(".compose-preview .compose-body")
    expect(body).to_contain_text(journey.remembered)
    expect(body).to_contain_text(journey.change_text)
    expect(page.locator(".compose-preview .routing")).to_contain_text(journey.routing)
    expect(page.locator(".compose-preview .policy.allowed")).to_be_visible()
    context = page.locator(".compose-context")
    expect(context.locator(".context-conversation")).to_contain_text(
        journey.candidate["interactions"][0]["summary"][:12])
    expect(context.locator(".context-changes")).to_contain_text(journey.change_text)
    assert_no_horizontal_scroll(page)
    shot(page, f"journey-{locale}-2-compose")
    compose_url = page.url
    preview = body.inner_text()

    # Send: the message page says it went out; the candidate has exactly one e-mail.
    page.get_by_role("button", name=journey.send_button, exact=True).click()
    expect(page).to_have_url(re.compile(r"/outreach/messages/"))
    expect(page.locator(".flash.success")).to_have_text(journey.sent_flash)
    expect(page.locator(".badge.state-sent")).to_be_visible()
    message_url = page.url
    shot(page, f"journey-{locale}-3-sent")
    mails = inbox.to(journey.email)
    assert len(mails) == 1, [rcpt for rcpt, _raw in inbox.received]
    text = mails[0].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    text = text.replace("\r\n", "\n")
    assert journey.remembered in text and journey.change_text in text
    assert text.strip() == preview.strip()  # what was previewed is what went out

    # Reloading the message page, or sending again from the compose page, sends nothing.
    page.reload()
    expect(page.locator(".badge.state-sent")).to_be_visible()
    page.goto(compose_url)
    page.get_by_role("button", name=journey.send_button, exact=True).click()
    expect(page).to_have_url(message_url)
    expect(page.locator(".flash.info")).to_be_visible()
    assert len(inbox.to(journey.email)) == 1
    assert len(inbox.received) == 1
    assert [m.state for m in _messages(live_server, tenant)] == ["sent"]

    # The timeline: the message sent, newest first.
    page.get_by_role("link", name=journey.back_link, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/candidates/{candidate_id}#timeline$"))
    newest = page.locator("#timeline .timeline .entry").first
    expect(newest).to_have_class(re.compile(r"\boutbound\b"))
    expect(newest.locator(".entry-summary")).to_contain_text(journey.change_text)
    shot(page, f"journey-{locale}-4-timeline")

    # Written to today: off the queue until the tenant's re-contact window has passed.
    open_nav(page).get_by_role("link", name=journey.queue_link, exact=True).click()
    expect(page.locator(f"#candidate-{candidate_id}")).to_have_count(0)
