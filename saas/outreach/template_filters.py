"""Dates in messages, read the way a person writes them, in the message's language.

``ago`` is relative to the moment the message is rendered and counts calendar
days and months in the candidate's time zone: 昨天 / yesterday, 上周 / last
week, 上个月 / last month, 3个月前 / 3 months ago (this year), 去年10月 / last
October (last year), 前年10月 / in October 2024, 5年前 / 5 years ago. The words
belong to the message (its template's locale), not to the reader of the page,
so they are not in the interface catalog. Month names and full dates come from
Babel's CLDR data.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

ZH = "zh-CN"
EN = "en"
BABEL_LOCALES = {ZH: "zh_Hans_CN", EN: "en"}
DATE_STYLES = ("short", "medium", "long", "full")

# key -> (zh-CN, en); "{n}", "{month}" and "{year}" are filled in.
_WORDS: dict[str, tuple[str, str]] = {
    "today": ("今天", "today"),
    "yesterday": ("昨天", "yesterday"),
    "days_ago": ("{n}天前", "{n} days ago"),
    "last_week": ("上周", "last week"),
    "weeks_ago": ("{n}周前", "{n} weeks ago"),
    "last_month": ("上个月", "last month"),
    "months_ago": ("{n}个月前", "{n} months ago"),
    "last_year_month": ("去年{month}", "last {month}"),
    "two_years_month": ("前年{month}", "in {month} {year}"),
    "years_ago": ("{n}年前", "{n} years ago"),
    "tomorrow": ("明天", "tomorrow"),
    "in_days": ("{n}天后", "in {n} days"),
    "in_weeks": ("{n}周后", "in {n} weeks"),
    "in_months": ("{n}个月后", "in {n} months"),
}


def message_locale(locale: str | None) -> str:
    """``zh-CN`` for any Chinese tag, else ``en``."""
    return ZH if (locale or "").lower().startswith("zh") else EN


def _say(key: str, locale: str, **values: object) -> str:
    zh, en = _WORDS[key]
    return (zh if locale == ZH else en).format(**values)


def _month_name(day: dt.date, locale: str) -> str:
    # zh-CN: 10月; en: October.
    return format_date(day, "MMM" if locale == ZH else "MMMM", locale=BABEL_LOCALES[locale])


def as_local_date(value: dt.date | dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The calendar day of ``value`` in ``tz`` (a date is taken as it is)."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(tz).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError("ago and date need a date or a time")


def humanize_since(day: dt.date, today: dt.date, locale: str) -> str:
    """How long ago ``day`` was, seen from ``today`` (see the module docstring)."""
    locale = message_locale(locale)
    days = (today - day).days
    if days < 0:
        return _humanize_until(day, today, locale)
    months = (today.year - day.year) * 12 + today.month - day.month
    if days == 0:
        return _say("today", locale)
    if days == 1:
        return _say("yesterday", locale)
    if days < 7:
        return _say("days_ago", locale, n=days)
    if days < 14:
        return _say("last_week", locale)
    if months == 0:
        return _say("weeks_ago", locale, n=days // 7)
    if months == 1:
        return _say("last_month", locale)
    if day.year == today.year:
        return _say("months_ago", locale, n=months)
    if day.year == today.year - 1:
        return _say("last_year_month", locale, month=_month_name(day, locale))
    if day.year == today.year - 2:
        return _say("two_years_month", locale, month=_month_name(day, locale), year=day.year)
    return _say("years_ago", locale, n=today.year - day.year)


def _humanize_until(day: dt.date, today: dt.date, locale: str) -> str:
    days = (day - today).days
    if days == 1:
        return _say("tomorrow", locale)
    if days < 14:
        return _say("in_days", locale, n=days)
    months = (day.year - today.year) * 12 + day.month - today.month
    if days < 60 or months < 2:
        return _say("in_weeks", locale, n=days // 7)
    return _say("in_months", locale, n=months)


def format_message_date(day: dt.date, locale: str, style: str = "long") -> str:
    """``2025年10月12日`` / ``October 12, 2025`` (Babel's styles: short, medium, long, full)."""
    if style not in DATE_STYLES:
        raise ValueError(f"the date style must be one of {', '.join(DATE_STYLES)}")
    return format_date(day, style, locale=BABEL_LOCALES[message_locale(locale)])
