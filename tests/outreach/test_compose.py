"""The compose page: suggested templates, preview with routing and policy, send, both languages."""

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import re

from flask import Flask

from saas.auth.models import User
from saas.candidates.interactions import add_interaction
from saas.extensions import db
from saas.openings.service import create_event
from saas.outreach.outbox import queue_message
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture, csrf_from, login
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    StandInProvider,
    make_candidate,
    make_template,
    outreach_app,
    provider,
    set_policy,
    web_tenant,
)


def _speak(fixture: TenantFixture, role: str, locale: str | None) -> None:
    user = db.session.get(User, (fixture.id, fixture.users[role]))
    assert user is not None
    user.locale = locale
    db.session.commit()


def _groups(html: str) -> dict[str, list[str]]:
    """The template select's option groups: label → option texts, in order."""
    return {label: re.findall(r"<option[^>]*>([^<]+)</option>", options)
            for label, options in re.findall(
                r'<optgroup label="([^"]+)">(.*?)</optgroup>', html, flags=re.S)}


def test_compose_preview_and_send_in_english(outreach_app: Flask,
                                             web_tenant: TenantFixture) -> None:
    ctx = web_tenant
    with outreach_app.app_context(), tenant_context(ctx.id):
        _speak(ctx, "recruiter", "en")
        candidate = make_candidate(preferred_channel="phone")
        candidate.reason = "project_wrapup"
        make_template(name="company news", body="Some company news for you.")
        make_template(name="wrap-up follow-up", body="Is the project wrapped up now?",
                      purpose="project_wrapup")
        db.session.commit()
        candidate_id = candidate.id
    client = outreach_app.test_client()
    login(client, ctx, "recruiter")
    profile = client.get(f"/candidates/{candidate_id}").get_data(as_text=True)
    assert f"/outreach/compose?candidate_id={candidate_id}" in profile
    page = client.get(f"/outreach/compose?candidate_id={candidate_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="en"' in html
    assert _groups(html) == {"Suggested": ["wrap-up follow-up"],
                             "Other templates": ["company news"]}
    assert "Is the project wrapped up now?" in html  # the suggested one is previewed
    assert "Will go by phone because…" in html and "agreed on 2025-10-12" in html
    assert "Allowed: no rule stands in the way." in html
    sent = client.post("/outreach/compose", data={
        "csrf_token": csrf_from(html), "candidate_id": str(candidate_id),
        "template_id": re.search(r'name="template_id" value="([^"]+)"', html).group(1),  # type: ignore[union-attr]
        "channel": ""})
    assert sent.status_code == 302, sent.get_data(as_text=True)
    assert "/outreach/messages/" in sent.headers["Location"]
    status = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Sent" in status and "Is the project wrapped up now?" in status
    timeline = client.get(f"/candidates/{candidate_id}").get_data(as_text=True)
    assert "Is the project wrapped up now?" in timeline


def test_compose_shows_the_blocking_rule_in_chinese(
        outreach_app: Flask, web_tenant: TenantFixture) -> None:
    ctx = web_tenant
    with outreach_app.app_context(), tenant_context(ctx.id):
        _speak(ctx, "recruiter", "zh-CN")
        set_policy(ctx, max_messages_per_30_days=1)
        candidate = make_candidate()
        first = make_template(body="第一条消息")
        db.session.commit()
        queue_message(candidate, first, sender=None)
        second = make_template(body="第二条消息")
        db.session.commit()
        candidate_id, second_id = candidate.id, second.id
    client = outreach_app.test_client()
    login(client, ctx, "recruiter")
    html = client.get(f"/outreach/compose?candidate_id={candidate_id}"
                      f"&template_id={second_id}").get_data(as_text=True)
    assert 'lang="zh-CN"' in html or "lang=\"zh\"" in html
    assert "电话" in html  # the channel's label in the reader's language
    assert "1" in html and 'class="policy blocked"' in html
    assert '<button type="submit" class="primary">' not in html  # nothing to send


def test_compose_bad_input(outreach_app: Flask, web_tenant: TenantFixture) -> None:
    ctx = web_tenant
    with outreach_app.app_context(), tenant_context(ctx.id):
        candidate_id, template_id = make_candidate().id, make_template().id
        db.session.commit()
    client = outreach_app.test_client()
    login(client, ctx, "recruiter")
    client.post("/language", data={  # the messages below are read in English
        "csrf_token": csrf_from(client.get("/account").get_data(as_text=True)),
        "locale": "en", "next": "/"})
    assert client.get("/outreach/compose?candidate_id=nonsense").status_code == 404
    assert client.get("/outreach/compose").status_code == 404
    wrong = client.get(f"/outreach/compose?candidate_id={candidate_id}&template_id=nope")
    assert wrong.status_code == 400
    assert "Choose one of the templates in the list." in wrong.get_data(as_text=True)
    page = client.get(f"/outreach/compose?candidate_id={candidate_id}").get_data(as_text=True)
    token = csrf_from(page)
    invalid = client.post("/outreach/compose", data={
        "csrf_token": token, "candidate_id": str(candidate_id), "template_id": "nope",
        "channel": "pigeon"})
    assert invalid.status_code == 422
    no_csrf = client.post("/outreach/compose", data={
        "candidate_id": str(candidate_id), "template_id": str(template_id), "channel": ""})
    assert no_csrf.status_code == 400
    manager = outreach_app.test_client()
    login(manager, ctx, "hiring_manager")
    assert manager.get(f"/outreach/compose?candidate_id={candidate_id}").status_code == 403


def test_unmatched_replies_page_is_for_admins(outreach_app: Flask,
                                              web_tenant: TenantFixture) -> None:
    ctx = web_tenant
    admin = outreach_app.test_client()
    login(admin, ctx, "tenant_admin")
    assert admin.get("/outreach/unmatched").status_code == 200
    recruiter = outreach_app.test_client()
    login(recruiter, ctx, "recruiter")
    assert recruiter.get("/outreach/unmatched").status_code == 403


def test_queue_cards_link_to_compose(outreach_app: Flask, web_tenant: TenantFixture) -> None:
    ctx = web_tenant
    with outreach_app.app_context(), tenant_context(ctx.id):
        candidate_id = make_candidate(status="stalled").id
        db.session.commit()
    client = outreach_app.test_client()
    login(client, ctx, "recruiter")
    html = client.get("/queue?owner=all").get_data(as_text=True)
    if f"candidate-{candidate_id}" in html:
        assert f"/outreach/compose?candidate_id={candidate_id}" in html


def test_compose_suggests_the_template_about_news_they_care_about(
        outreach_app: Flask, web_tenant: TenantFixture) -> None:
    """A value with company news since the last conversation beats one without; the page
    shows what the message draws on: the last conversation and that news."""
    ctx = web_tenant
    with outreach_app.app_context(), tenant_context(ctx.id):
        _speak(ctx, "recruiter", "en")
        candidate = make_candidate(values=["flexibility", "family"])
        add_interaction(candidate, {
            "occurred_at": utcnow() - dt.timedelta(days=90), "channel": "phone",
            "direction": "inbound", "summary": "Busy with a release until spring",
            "quote": "Call me after the launch"})
        create_event({"kind": "policy", "title": "Hybrid work", "values": ["flexibility"],
                      "texts": {"en": "Engineers can now work remotely two days a week"},
                      "occurred_on": (utcnow() - dt.timedelta(days=10)).date()})
        for name, purpose in (("a family", "family_friendly"), ("b news", "company_news"),
                              ("c flexible", "flexible_work"), ("d other", None)):
            make_template(name=name, purpose=purpose, body=f"{name}: {{{{ changes|join }}}}")
        db.session.commit()
        candidate_id = candidate.id
    client = outreach_app.test_client()
    login(client, ctx, "recruiter")
    html = client.get(f"/outreach/compose?candidate_id={candidate_id}").get_data(as_text=True)
    assert _groups(html) == {"Suggested": ["c flexible", "b news"],
                             "Other templates": ["a family", "d other"]}
    assert "c flexible: Engineers can now work remotely two days a week" in html
    context = html[html.index('class="facts compose-context"'):]
    assert "Busy with a release until spring" in context and "Call me after the launch" in context
    assert "Engineers can now work remotely two days a week" in context


def test_sending_the_same_message_again_sends_nothing_and_says_so(
        outreach_app: Flask, web_tenant: TenantFixture, provider: StandInProvider) -> None:
    ctx = web_tenant
    with outreach_app.app_context(), tenant_context(ctx.id):
        _speak(ctx, "recruiter", "en")
        candidate_id = make_candidate(preferred_channel="phone").id
        template_id = make_template(body="Once only, please.").id
        db.session.commit()
    client = outreach_app.test_client()
    login(client, ctx, "recruiter")
    form = {"candidate_id": str(candidate_id), "template_id": str(template_id), "channel": ""}
    locations = []
    for _attempt in range(2):
        page = client.get(f"/outreach/compose?candidate_id={candidate_id}")
        sent = client.post("/outreach/compose",
                           data={**form, "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert sent.status_code == 302
        locations.append(sent.headers["Location"])
        shown = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert locations[0] == locations[1]
    assert "was not sent again" in shown and 'class="flash info"' in shown
    assert len(provider.deliveries) == 1
