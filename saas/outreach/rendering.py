"""Rendering a template for one candidate: what the outbox sends and the preview shows.

``render_message`` never raises for a template's or a candidate's fault: a
rendering that fails (a variable this candidate lacks, too much work) or a
result over the channel's limits comes back with ``problems``, each with a
stable ``code`` (``render_failed``, ``undefined``, ``sms_too_long``,
``wechat_too_long``, ``linkedin_too_long``, ``subject_missing``,
``subject_too_long``, ``empty_body``…) and a message; the outbox refuses to
send a message with problems. The engine is :mod:`saas.outreach.template_sandbox`,
the variables :mod:`saas.outreach.template_context`, the limits
:mod:`saas.outreach.template_checks`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from saas.candidates.models import Candidate
from saas.outreach.facts import OutreachFacts
from saas.outreach.models import Template
from saas.outreach.template_checks import (
    channel_problems,
    sms_size,
    tidy_body,
    tidy_subject,
)
from saas.outreach.template_context import build_context, message_timezone
from saas.outreach.template_sandbox import RenderError, render_source, variables_used
from saas.outreach.template_syntax import Problem


@dataclass(frozen=True)
class RenderedMessage:
    channel: str
    subject: str | None
    body: str
    segments: int | None  # SMS only
    problems: tuple[Problem, ...] = ()

    @property
    def sendable(self) -> bool:
        return not self.problems

    @property
    def problem_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.problems)


def render_with(template: Template, context: dict[str, Any], *, now: dt.datetime,
                tz: dt.tzinfo) -> RenderedMessage:
    """Render ``template`` with a ready context (the candidate's or the example's)."""
    problems: list[Problem] = []
    subject: str | None = None
    body = ""
    if template.channel == "email":
        try:
            subject = tidy_subject(render_source(template.subject or "", context,
                                                 locale=template.locale, now=now, tz=tz))
        except RenderError as exc:
            problems.append(exc.problem)
    try:
        body = tidy_body(render_source(template.body, context, locale=template.locale,
                                       now=now, tz=tz))
    except RenderError as exc:
        problems.append(exc.problem)
    if not problems:
        problems = channel_problems(template.channel, subject, body)
    segments = sms_size(body).segments if template.channel == "sms" else None
    return RenderedMessage(template.channel, subject, body, segments, tuple(problems))


def render_message(template: Template, candidate: Candidate, *, sender: Any,
                   now: dt.datetime, facts: OutreachFacts | None = None) -> RenderedMessage:
    """The message ``template`` makes for ``candidate``, sent by ``sender`` (a user) at
    ``now`` (an aware time: ``ago`` counts from it, in the candidate's time zone);
    ``facts`` when the caller read them for a batch."""
    context = build_context(candidate, locale=template.locale, channel=template.channel,
                            sender=sender, now=now, facts=facts,
                            wanted=variables_used(template.body)
                            | variables_used(template.subject or ""))
    return render_with(template, context, now=now,
                       tz=message_timezone(candidate, facts.tenant if facts else None))
