"""Checking a template at save, and a rendered message against its channel's limits.

At save (``validate_template``), each of subject and body must parse (a syntax
error names its line), stay inside the sandbox (see
:mod:`saas.outreach.template_sandbox`), name only known variables (an unknown
one is named with its line) and render with the example data within the
channel's limits. A template that passes can still overflow for a particular
candidate (a long name, a long quote): ``channel_problems`` runs on every
rendering too, the preview shows it and the outbox refuses to send.

Channel limits:

- **SMS**: GSM-7 text is 160 characters in one segment, 153 per segment when
  split (``^{}[]~|€\\`` and form feed count twice); anything outside GSM-7
  (Chinese, emoji) makes the whole text UCS-2: 70 UTF-16 units, 67 per segment.
  At most :data:`MAX_SMS_SEGMENTS` segments.
- **WeChat** (WeCom text message): at most 2,048 bytes of UTF-8.
- **LinkedIn**: at most 1,900 characters.
- **Email**: a subject is required, one line of at most 200 characters.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask_babel import gettext as _
from jinja2 import TemplateSyntaxError, meta, nodes

from saas.outreach.template_context import TEMPLATE_CHANNELS, VARIABLES, sample_context
from saas.outreach.template_sandbox import MAX_SOURCE, RenderError, parse, render_source
from saas.outreach.template_syntax import Problem, refusals, syntax_problem
from saas.tenancy.models import LOCALES

MAX_SMS_SEGMENTS = 6
WECHAT_MAX_BYTES = 2048
LINKEDIN_MAX_CHARS = 1900
SUBJECT_MAX_CHARS = 200
SUBJECT_SOURCE_MAX = 300
KNOWN_NAMES = frozenset(VARIABLES) | {"range"}

_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class FieldProblem:
    """A problem of one field of a template (``subject``, ``body``, ``channel``…)."""

    field: str
    problem: Problem

    @property
    def message(self) -> str:
        return self.problem.message


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # gsm7 | ucs2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int


def sms_size(text: str) -> SmsSize:
    """How an SMS provider splits ``text`` (see the module docstring)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "gsm7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "ucs2"
    if units <= single:
        return SmsSize(encoding, units, 1 if units else 0, single)
    return SmsSize(encoding, units, math.ceil(units / multi), multi)


def channel_problems(channel: str, subject: str | None, body: str) -> list[Problem]:
    """A rendered message against its channel's limits (empty when it can be sent)."""
    found: list[Problem] = []
    if not body.strip():
        found.append(Problem("empty_body", _("The message is empty.")))
    if channel == "sms":
        size = sms_size(body)
        if size.segments > MAX_SMS_SEGMENTS:
            found.append(Problem("sms_too_long", _(
                "The text message needs %(segments)d segments; at most %(max)d are allowed.",
                segments=size.segments, max=MAX_SMS_SEGMENTS)))
    elif channel == "wechat":
        size_bytes = len(body.encode("utf-8"))
        if size_bytes > WECHAT_MAX_BYTES:
            found.append(Problem("wechat_too_long", _(
                "The WeChat message is %(size)d bytes; WeCom allows at most %(max)d.",
                size=size_bytes, max=WECHAT_MAX_BYTES)))
    elif channel == "linkedin":
        if len(body) > LINKEDIN_MAX_CHARS:
            found.append(Problem("linkedin_too_long", _(
                "The LinkedIn message is %(size)d characters; at most %(max)d are allowed.",
                size=len(body), max=LINKEDIN_MAX_CHARS)))
    elif channel == "email":
        if not (subject or "").strip():
            found.append(Problem("subject_missing", _("An email needs a subject.")))
        elif len(subject or "") > SUBJECT_MAX_CHARS:
            found.append(Problem("subject_too_long", _(
                "The subject is %(size)d characters; at most %(max)d are allowed.",
                size=len(subject or ""), max=SUBJECT_MAX_CHARS)))
    return found


def _first_line_of(ast: nodes.Template, name: str) -> int:
    lines = [n.lineno for n in ast.find_all(nodes.Name) if n.name == name and n.ctx == "load"]
    return min(lines) if lines else 1


def source_problems(source: str) -> list[Problem]:
    """Syntax, sandbox and unknown-variable problems of one template text."""
    try:
        ast = parse(source)
    except TemplateSyntaxError as exc:
        return [syntax_problem(exc)]
    found = refusals(ast)
    try:
        unknown = meta.find_undeclared_variables(ast) - KNOWN_NAMES
    except TemplateSyntaxError as exc:  # an unknown filter or test
        return [*found, syntax_problem(exc)]
    for name in sorted(unknown, key=lambda n: (_first_line_of(ast, n), n)):
        line = _first_line_of(ast, name)
        found.append(Problem("unknown_variable", _(
            "Line %(line)d: unknown variable “%(name)s”. Available: %(known)s.",
            line=line, name=name, known=", ".join(VARIABLES)), line))
    return sorted(found, key=lambda p: p.line or 0)


def _field_problems(field: str, source: str | None, limit: int) -> list[FieldProblem]:
    if source is None:
        return []
    if len(source) > limit:
        return [FieldProblem(field, Problem("too_long_source", _(
            "At most %(max)d characters.", max=limit)))]
    return [FieldProblem(field, p) for p in source_problems(source)]


def validate_template(channel: str, locale: str, subject: str | None,
                      body: str) -> list[FieldProblem]:
    """Every problem of a template about to be saved (empty: it can be saved)."""
    found: list[FieldProblem] = []
    if channel not in TEMPLATE_CHANNELS:
        found.append(FieldProblem("channel", Problem("channel", _(
            "Choose one of: %(channels)s.", channels=", ".join(TEMPLATE_CHANNELS)))))
    if locale not in LOCALES:
        found.append(FieldProblem("locale", Problem("locale", _(
            "Choose one of: %(locales)s.", locales=", ".join(LOCALES)))))
    subject = subject if subject and subject.strip() else None
    if channel == "email" and subject is None:
        found.append(FieldProblem("subject", Problem("subject_missing", _(
            "An email needs a subject."))))
    if channel != "email" and subject is not None:
        found.append(FieldProblem("subject", Problem("subject_not_used", _(
            "Only email templates have a subject; leave it empty."))))
    if not body.strip():
        found.append(FieldProblem("body", Problem("empty_body", _("Write the message."))))
    found += _field_problems("subject", subject, SUBJECT_SOURCE_MAX)
    found += _field_problems("body", body, MAX_SOURCE)
    if found:
        return found
    return _example_problems(channel, locale, subject, body)


def _example_problems(channel: str, locale: str, subject: str | None,
                      body: str) -> list[FieldProblem]:
    """Render with the example data: run-time errors and the channel's limits."""
    now = dt.datetime.now(dt.UTC)
    context = sample_context(locale, now)
    rendered: dict[str, str] = {}
    found: list[FieldProblem] = []
    for field, source in (("subject", subject), ("body", body)):
        if source is None:
            continue
        try:
            rendered[field] = render_source(source, context, locale=locale, now=now, tz=dt.UTC)
        except RenderError as exc:
            found.append(FieldProblem(field, exc.problem))
    if found:
        return found
    for problem in channel_problems(channel, tidy_subject(rendered.get("subject")),
                                    tidy_body(rendered["body"])):
        field = "subject" if problem.code.startswith("subject") else "body"
        found.append(FieldProblem(field, Problem(problem.code, _(
            "With the example data: %(problem)s", problem=problem.message))))
    return found


def tidy_subject(text: str | None) -> str | None:
    """One line: a subject never carries a line break (no header injection)."""
    return " ".join(text.split()) if text is not None else None


def tidy_body(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, no blank start or end."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()
