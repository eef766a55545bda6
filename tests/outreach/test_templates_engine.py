"""The template engine: sandbox escapes refused, work bounded, ``ago`` and ``date`` in both
languages, channel limits (SMS segments, WeChat bytes, LinkedIn, email subject), checks at
save with their lines."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from saas.outreach.template_checks import (
    channel_problems,
    sms_size,
    source_problems,
    validate_template,
)
from saas.outreach.template_context import first_name_of, sample_context
from saas.outreach.template_sandbox import RenderError, compile_source, render_source
from saas.outreach.template_syntax import keep_line_ends

NOW = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _context(app_ctx: Flask) -> Iterator[None]:
    yield


def render(source: str, context: dict[str, Any] | None = None, *, locale: str = "en",
           now: dt.datetime = NOW, tz: dt.tzinfo = dt.UTC) -> str:
    return render_source(source, context if context is not None else {}, locale=locale,
                         now=now, tz=tz)


class Spy:
    """Records any call made on it: an escape that ran would leave a trace."""

    calls: list[str] = []  # noqa: RUF012 (a shared record is the point)

    def __getattr__(self, name: str) -> Any:
        Spy.calls.append(name)
        return lambda *a, **k: Spy.calls.append(f"{name}()")

    def __str__(self) -> str:
        return "spy"


# (template, problem code, line): each one refused at save, before anything runs.
ESCAPES = [
    ("{{ ''.__class__ }}", "private_name", 1),
    ("Hi\n{{ ''.__class__.__mro__[1].__subclasses__() }}", "private_name", 2),
    ("{{ cycler.__init__.__globals__ }}", "private_name", 1),
    ("{{ self._TemplateReference__context }}", "private_name", 1),
    ("{{ candidate['__class__'] }}", "private_name", 1),
    ('{{ "{0.__class__}".format(candidate) }}', "call", 1),
    ('{{ "{0.name}".format(candidate) }}', "call", 1),
    ("{{ candidate.name.ljust(1000000000) }}", "call", 1),
    ("{{ lipsum(1000) }}", "call", 1),
    ("{% import 'os' as os %}", "forbidden_tag", 1),
    ("{% from 'x' import y %}", "forbidden_tag", 1),
    ("{% include 'base.html' %}", "forbidden_tag", 1),
    ("{% extends 'base.html' %}", "forbidden_tag", 1),
    ("\n\n{% macro m() %}x{% endmacro %}", "forbidden_tag", 3),
    ("{% block b %}x{% endblock %}", "forbidden_tag", 1),
    ("{% set x %}{{ candidate.name }}{% endset %}", "forbidden_tag", 1),
    ("{% for x in open_questions recursive %}{{ loop(x) }}{% endfor %}", "call", 1),
    ("{% for a in changes %}{% for b in changes %}{% for c in changes %}{% endfor %}"
     "{% endfor %}{% endfor %}", "deep_loops", 1),
]


@pytest.mark.parametrize(("source", "code", "line"), ESCAPES)
def test_escapes_are_refused_with_their_line_and_never_run(source: str, code: str,
                                                          line: int) -> None:
    problems = source_problems(source)
    assert problems, source
    assert code in {p.code for p in problems}
    assert min(p.line or 0 for p in problems) == line
    Spy.calls.clear()
    with pytest.raises(RenderError):
        render(source, {"candidate": Spy(), "changes": [1], "open_questions": [1]})
    assert Spy.calls == []


def test_escapes_through_computed_names_are_stopped_at_run_time() -> None:
    # Not visible in the syntax tree: the sandbox refuses it when it runs.
    with pytest.raises(RenderError) as caught:
        render("{{ candidate['_' ~ '_class__'] }}", {"candidate": "x"})
    assert caught.value.problem.code == "sandbox"


def test_unknown_filters_and_printf_formatting_are_refused() -> None:
    assert source_problems("{{ candidate|attr('__class__') }}")[0].code == "syntax"
    with pytest.raises(RenderError) as caught:
        render("{{ '%999999999s' % 1 }}")
    assert caught.value.problem.code == "sandbox"


@pytest.mark.parametrize("source", [
    "{% for i in range(10**9) %}{% endfor %}",
    "{{ 'a' * 10**9 }}",
    "{{ [1] * 10**8 }}",
    "{{ 10 ** 60 ** 60 }}",
    "{% set a = 10 ** 40 %}" + "{% set a = a * a %}" * 30 + "{{ a }}",
    "{% set a = 'xxxxxxxxxx' %}" + "{% set a = a ~ a %}" * 20 + "{{ a }}",
    "{% set a = 'xxxxxxxxxx' %}" + "{% set a = a + a %}" * 20 + "{{ a }}",
    "{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}",
    "{{ range(1000)|join('x' * 20000) }}",
    "{{ 'aaaa'|replace('', 'y' * 10000) }}",
])
def test_work_and_output_are_bounded(source: str) -> None:
    with pytest.raises(RenderError) as caught:
        render(source)
    assert caught.value.problem.code == "too_much_work"


def test_output_is_capped() -> None:
    with pytest.raises(RenderError) as caught:
        render("{% for i in range(900) %}" + "x" * 30 + "{% endfor %}")
    assert caught.value.problem.code == "too_long_output"


def test_plain_text_none_is_empty_and_loops_work() -> None:
    source = ("{{ name }} <b>&</b>{{ nothing }}\n"
              "{% for q in questions %}\n- {{ q }}{% if loop.last %}.{% endif %}\n{% endfor %}")
    out = render(source, {"name": "<Ann>", "nothing": None, "questions": ["a", "b"]})
    assert out == "<Ann> <b>&</b>\n- a\n- b.\n"


def test_a_line_ending_in_a_tag_keeps_its_break() -> None:
    assert keep_line_ends("a{% if x %}b{% endif %}\nc\n{% if y %}\nd") == \
        "a{% if x %}b{% endif +%}\nc\n{% if y %}\nd"
    assert render("- {{ a }}{% if b %}, {{ b }}{% endif %}\nnext", {"a": 1, "b": 2}) == \
        "- 1, 2\nnext"


def test_undefined_names_and_attributes_fail_with_the_line() -> None:
    with pytest.raises(RenderError) as caught:
        render("ok\n{{ candidate.nickname }}", {"candidate": sample_context("en", NOW)[
            "candidate"]})
    assert caught.value.problem.code == "undefined"
    assert caught.value.problem.line == 2
    assert "nickname" in caught.value.problem.message


def test_compiled_templates_are_reused() -> None:
    assert compile_source("{{ company }}") is compile_source("{{ company }}")


# --- ago and date -------------------------------------------------------------------------

JAN_15 = dt.datetime(2026, 1, 15, 10, tzinfo=dt.UTC)
JUN_15 = dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC)
AGO_CASES = [
    (JAN_15, dt.date(2026, 1, 15), "今天", "today"),
    (JAN_15, dt.date(2026, 1, 14), "昨天", "yesterday"),
    (JAN_15, dt.date(2026, 1, 12), "3天前", "3 days ago"),
    (JAN_15, dt.date(2026, 1, 6), "上周", "last week"),
    (JAN_15, dt.date(2026, 1, 1), "2周前", "2 weeks ago"),
    (JAN_15, dt.date(2025, 12, 20), "上个月", "last month"),
    (JAN_15, dt.date(2025, 12, 1), "上个月", "last month"),
    (JAN_15, dt.date(2025, 11, 10), "去年11月", "last November"),
    (JAN_15, dt.date(2025, 10, 12), "去年10月", "last October"),
    (JAN_15, dt.date(2025, 1, 20), "去年1月", "last January"),
    (JAN_15, dt.date(2024, 10, 1), "前年10月", "in October 2024"),
    (JAN_15, dt.date(2021, 6, 1), "5年前", "5 years ago"),
    (JUN_15, dt.date(2026, 6, 1), "2周前", "2 weeks ago"),
    (JUN_15, dt.date(2026, 5, 20), "上个月", "last month"),
    (JUN_15, dt.date(2026, 3, 10), "3个月前", "3 months ago"),
    (JUN_15, dt.date(2026, 1, 1), "5个月前", "5 months ago"),
    (JUN_15, dt.date(2025, 12, 1), "去年12月", "last December"),
    (JUN_15, dt.date(2026, 6, 16), "明天", "tomorrow"),
    (JUN_15, dt.date(2026, 6, 25), "10天后", "in 10 days"),
    (JUN_15, dt.date(2026, 7, 20), "5周后", "in 5 weeks"),
    (JUN_15, dt.date(2026, 9, 20), "3个月后", "in 3 months"),
]


@pytest.mark.parametrize(("now", "day", "zh", "en"), AGO_CASES)
def test_ago_reads_like_a_person(now: dt.datetime, day: dt.date, zh: str, en: str) -> None:
    assert render("{{ d|ago }}", {"d": day}, locale="zh-CN", now=now) == zh
    assert render("{{ d|ago }}", {"d": day}, locale="en", now=now) == en


def test_ago_counts_days_in_the_candidates_time_zone() -> None:
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    now = dt.datetime(2026, 6, 15, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    late_evening = dt.datetime(2026, 6, 14, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 15th there
    assert render("{{ t|ago }}", {"t": late_evening}, now=now, tz=shanghai) == "today"
    assert render("{{ t|ago }}", {"t": late_evening}, now=now, tz=dt.UTC) == "yesterday"
    assert render("{{ t|ago }}", {"t": late_evening - dt.timedelta(hours=2)}, now=now,
                  tz=shanghai) == "yesterday"


def test_date_is_localized_and_ago_needs_a_date() -> None:
    day = {"d": dt.date(2025, 10, 12)}
    assert render("{{ d|date }}", day, locale="zh-CN") == "2025年10月12日"
    assert render("{{ d|date }}", day, locale="en") == "October 12, 2025"
    assert render("{{ d|date('short') }}", day, locale="en") == "10/12/25"
    with pytest.raises(RenderError):
        render("{{ 'last year'|ago }}")
    with pytest.raises(RenderError):
        render("{{ d|date('yyyy') }}", day)


def test_first_name() -> None:
    assert first_name_of("Alice  Smith") == "Alice"
    assert first_name_of("李明") == "李明"
    assert first_name_of("欧阳 娜娜") == "欧阳 娜娜"
    assert first_name_of("") == ""


# --- channel limits -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "encoding", "segments"), [
    ("", "gsm7", 0),
    ("Hello", "gsm7", 1),
    ("a" * 160, "gsm7", 1),
    ("a" * 161, "gsm7", 2),
    ("a" * 153 * 6, "gsm7", 6),
    ("a" * (153 * 6 + 1), "gsm7", 7),
    ("€" * 80, "gsm7", 1),  # an extension character counts twice
    ("€" * 81, "gsm7", 2),
    ("中" * 70, "ucs2", 1),
    ("中" * 71, "ucs2", 2),
    ("a" * 69 + "中", "ucs2", 1),  # one non-GSM character makes the whole text UCS-2
    ("中" * 67 * 6, "ucs2", 6),
    ("中" * (67 * 6 + 1), "ucs2", 7),
    ("😀" * 35, "ucs2", 1),  # an emoji is two UTF-16 units
    ("😀" * 36, "ucs2", 2),
])
def test_sms_segments(text: str, encoding: str, segments: int) -> None:
    size = sms_size(text)
    assert (size.encoding, size.segments) == (encoding, segments)


def codes(channel: str, subject: str | None, body: str) -> set[str]:
    return {p.code for p in channel_problems(channel, subject, body)}


def test_channel_limits() -> None:
    assert codes("sms", None, "中" * 402) == set()
    assert codes("sms", None, "中" * 403) == {"sms_too_long"}
    assert codes("wechat", None, "中" * 682) == set()  # 2,046 bytes
    assert codes("wechat", None, "中" * 683) == {"wechat_too_long"}
    assert codes("linkedin", None, "x" * 1900) == set()
    assert codes("linkedin", None, "x" * 1901) == {"linkedin_too_long"}
    assert codes("email", "Hi", "x" * 5000) == set()
    assert codes("email", None, "body") == {"subject_missing"}
    assert codes("email", "s" * 201, "body") == {"subject_too_long"}
    assert codes("wechat", None, "  \n") == {"empty_body"}


# --- checks at save -----------------------------------------------------------------------


def messages(problems: list[Any], field: str) -> list[str]:
    return [p.message for p in problems if p.field == field]


def test_syntax_error_names_its_line() -> None:
    problems = validate_template("wechat", "zh-CN", None, "您好\n\n{{ candidate.name }\n")
    assert problems[0].field == "body"
    assert problems[0].problem.code == "syntax"
    assert problems[0].problem.line == 3
    assert messages(problems, "body")[0].startswith("Line 3:")


def test_unknown_variable_is_named_with_its_line() -> None:
    problems = validate_template(
        "email", "en", "Hi {{ candidate.first_name }}",
        "Hello,\n{% if last_conversation %}\nWe spoke {{ last_conversation.date|ago }}.\n"
        "{% endif %}\n{{ salary.amount }} and {{ manager }}")
    assert [(p.problem.code, p.problem.line) for p in problems] == [
        ("unknown_variable", 5), ("unknown_variable", 5)]
    assert "“manager”" in messages(problems, "body")[0]
    assert "“salary”" in messages(problems, "body")[1]


def test_loop_variables_and_set_names_are_known() -> None:
    body = ("{% set first = openings|first|default(none) %}{% for q in open_questions %}"
            "{{ loop.index }}. {{ q }} {{ first.title if first else '' }}{% endfor %}")
    assert validate_template("wechat", "zh-CN", None, body) == []


def test_unknown_attribute_is_caught_with_the_example_data() -> None:
    problems = validate_template("wechat", "en", None, "Hi\n{{ candidate.nickname }}")
    assert [(p.field, p.problem.code, p.problem.line) for p in problems] == [
        ("body", "undefined", 2)]


def test_subject_rules_and_fields() -> None:
    missing = validate_template("email", "en", None, "Hi")
    assert [(p.field, p.problem.code) for p in missing] == [("subject", "subject_missing")]
    unused = validate_template("sms", "en", "Hello", "Hi")
    assert [(p.field, p.problem.code) for p in unused] == [("subject", "subject_not_used")]
    bad = validate_template("fax", "fr", None, " ")
    assert {p.field for p in bad} == {"channel", "locale", "body"}
    subject_error = validate_template("email", "en", "{{ candidate.__dict__ }}", "Hi")
    assert [(p.field, p.problem.code) for p in subject_error] == [("subject", "private_name")]


def test_limits_are_checked_on_the_example_rendering() -> None:
    problems = validate_template("sms", "zh-CN", None,
                                 "{% for i in range(500) %}中{% endfor %}")
    assert [(p.field, p.problem.code) for p in problems] == [("body", "sms_too_long")]
    assert "example data" in problems[0].message
    long_subject = validate_template("email", "en", "{{ candidate.name * 20 }}", "Hi")
    assert [(p.field, p.problem.code) for p in long_subject] == [
        ("subject", "subject_too_long")]
