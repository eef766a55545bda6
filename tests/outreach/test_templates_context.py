"""The variables built from the database, and render_message for the outbox."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from saas.auth.models import User
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.outreach.models import Template
from saas.outreach.rendering import render_message
from saas.outreach.template_checks import validate_template
from saas.outreach.template_context import build_context
from saas.outreach.template_filters import humanize_since
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture
from tests.outreach.template_support import create_candidate, tell_story


@contextmanager
def as_tenant(app: Flask, tenant: TenantFixture) -> Iterator[None]:
    with app.app_context(), tenant_context(tenant.id):
        yield


def load(candidate_id: str) -> Candidate:
    candidate = db.session.scalars(sa.select(Candidate).where(
        Candidate.id == uuid.UUID(candidate_id))).one()
    return candidate


def sender(tenant: TenantFixture) -> User:
    user = db.session.get(User, (tenant.id, tenant.users["recruiter"]))
    assert user is not None
    return user


def test_context_remembers_the_last_conversation_and_what_changed(
        app: Flask, tenant_a: TenantFixture) -> None:
    story = tell_story(app, tenant_a)
    with as_tenant(app, tenant_a), app.test_request_context():
        ctx = build_context(load(story.candidate_id), locale="zh-CN", channel="wechat",
                            sender=sender(tenant_a), now=utcnow())
        candidate = ctx["candidate"]
        assert (candidate.name, candidate.first_name, candidate.title, candidate.company) == (
            "李明", "李明", "后端工程师", "某科技")
        assert candidate.value_codes == ["career_growth", "flexibility"]
        assert [str(v) for v in candidate.values] == ["晋升发展", "弹性工作"]

        last = ctx["last_conversation"]  # the outbound 100 days ago, not the later note
        assert (last.channel, last.direction) == ("wechat", "outbound")
        assert last.quote == "等项目上线了再聊"
        assert last.summary == "手上的项目要收尾，需要两个月"
        assert last.channel_label == "微信"
        assert (story.today - last.date).days in (99, 100, 101)

        # never answered, oldest first; the answered one is gone
        assert [str(q) for q in ctx["open_questions"]] == ["期权怎么算", "年终奖怎么算"]

        # since the last conversation, published, up to today, speaking to their values
        assert [c.title for c in ctx["changes"]] == ["event funding", "event remote"]
        funding = ctx["changes"][0]
        assert funding.text == "完成B轮融资"  # the closing full stop is left to the template
        assert (funding.kind, funding.kind_label) == ("funding", "融资")

        # values count double, skills once; no overlap, closed: left out; top three
        assert [o.title for o in ctx["openings"]] == [
            "opening remote_manager", "opening lead", "opening backend"]

        assert ctx["sender"].name == "Recruiter"
        assert ctx["company"] == "Alpha Corp"
        assert ctx["unsubscribe_url"].startswith("http://localhost/u/")

    with as_tenant(app, tenant_a):  # a background job: no request, a path still works
        english = build_context(load(story.candidate_id), locale="en", channel="email",
                                sender=None, now=utcnow())
        assert english["unsubscribe_url"].startswith("/u/")
        assert [str(v) for v in english["candidate"].values] == [
            "career growth", "flexible work"]
        assert [c.text for c in english["changes"]] == [
            "We closed our Series B", "Two remote days a week"]
        assert english["sender"].name == ""


def test_a_candidate_never_contacted(app: Flask, tenant_a: TenantFixture) -> None:
    story = tell_story(app, tenant_a)
    quiet = create_candidate(app, tenant_a, name="Alice Smith", values=["flexibility"],
                             skills=[], locale="en")
    with as_tenant(app, tenant_a):
        ctx = build_context(load(quiet), locale="en", channel="email", sender=None,
                            now=utcnow())
        assert ctx["candidate"].first_name == "Alice"
        assert ctx["last_conversation"] is None
        assert ctx["open_questions"] == []
        # no contact yet: the last year's published events matching their values
        assert [c.title for c in ctx["changes"]] == ["event remote"]
        assert [o.title for o in ctx["openings"]] == ["opening remote_manager"]
        assert story.candidate_id != quiet


def test_render_message_for_the_outbox(app: Flask, tenant_a: TenantFixture) -> None:
    story = tell_story(app, tenant_a)
    with as_tenant(app, tenant_a):
        template = Template(
            name="t", channel="wechat", locale="zh-CN", subject=None,
            body="{{ candidate.name }}您好，{{ last_conversation.date|ago }}您说："
                 "“{{ last_conversation.quote }}”。\n\n\n{% for c in changes %}\n"
                 "- {{ c.text }}\n{% endfor %}\n{{ sender.name }}")
        rendered = render_message(template, load(story.candidate_id),
                                  sender=sender(tenant_a), now=utcnow())
        assert rendered.problems == ()
        assert rendered.sendable
        assert rendered.channel == "wechat"
        assert rendered.subject is None and rendered.segments is None
        talked = humanize_since(story.today - dt.timedelta(days=100), story.today, "zh-CN")
        assert rendered.body.startswith(
            f"李明您好，{talked}您说：“等项目上线了再聊”。\n\n- 完成B轮融资\n")
        assert rendered.body.endswith("- 研发团队每周可以远程两天\nRecruiter")


def test_a_long_name_overflows_the_sms_for_that_candidate_only(
        app: Flask, tenant_a: TenantFixture) -> None:
    long_name = "欧阳" * 60
    candidate_id = create_candidate(app, tenant_a, name=long_name)
    with as_tenant(app, tenant_a):
        body = "{{ candidate.name }}您好！" + "近况如何？" * 60
        assert validate_template("sms", "zh-CN", None, body) == []  # fits with 李明
        template = Template(name="sms", channel="sms", locale="zh-CN", body=body)
        rendered = render_message(template, load(candidate_id), sender=None, now=utcnow())
        assert rendered.problem_codes == ("sms_too_long",)
        assert rendered.segments is not None and rendered.segments > 6
        assert not rendered.sendable


def test_a_rendering_error_is_a_problem_not_an_exception(
        app: Flask, tenant_a: TenantFixture) -> None:
    candidate_id = create_candidate(app, tenant_a)
    with as_tenant(app, tenant_a):
        # saved before validation existed, or changed behind the app's back
        template = Template(name="x", channel="email", locale="en", subject="{{ nope }}",
                            body="{{ last_conversation.date|ago }}")
        rendered = render_message(template, load(candidate_id), sender=None,
                                  now=dt.datetime.now(dt.UTC))
        assert rendered.problem_codes == ("undefined", "undefined")
        assert rendered.body == ""
