"""What a message template can say about a candidate: its variables, from the database.

``build_context`` reads the candidate's profile, timeline, values, the company's
change events and openings (scoped to the current tenant, decrypting what it
needs) into plain read-only objects; ``sample_context`` gives the same shapes
with example data, for validation at save and the variable help.

Names: ``candidate.first_name`` is the given name for Latin-script names
(``Alice`` of ``Alice Smith``); for a Chinese name it is the full name, since
Chinese messages address people by full name (李明您好), never by 明 alone.

The variables (CONTRACTS "Templates and outreach"):

- ``last_conversation``: the newest inbound or outbound interaction (a note is
  the recruiter's own remark and does not count), ``None`` when there is none.
- ``open_questions``: questions the candidate asked that were never answered,
  oldest first.
- ``changes``: published change events since the last conversation (the last
  year when there was none), up to today, whose values meet the candidate's
  values; newest first, at most :data:`MAX_CHANGES`.
- ``openings``: open openings sharing skills or values with the candidate,
  ranked by how many (values count double), at most :data:`MAX_OPENINGS`.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.openings.models import ChangeEvent, Opening
from saas.outreach.facts import OutreachFacts
from saas.outreach.template_filters import ZH, message_locale
from saas.tags.labels import code_label
from saas.tenancy.models import Tenant

TEMPLATE_CHANNELS = ("email", "sms", "wechat", "linkedin")
VARIABLES = ("candidate", "last_conversation", "open_questions", "changes", "openings",
             "sender", "company", "unsubscribe_url")
MAX_CHANGES = 5
MAX_OPENINGS = 3
CHANGES_WITHOUT_CONTACT = dt.timedelta(days=365)

# Company event kinds (TAXONOMY) as a message names them: (zh-CN, en).
EVENT_KIND_LABELS: dict[str, tuple[str, str]] = {
    "benefit": ("新福利", "new benefit"),
    "policy": ("新政策", "new policy"),
    "training_program": ("培训项目", "training programme"),
    "funding": ("融资", "funding"),
    "business_line": ("新业务", "new business line"),
    "award": ("荣誉", "award"),
    "opening": ("新职位", "new opening"),
    "role_change": ("职位调整", "role change"),
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class ValueView:
    code: str
    label: str

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class CandidateView:
    name: str
    first_name: str
    title: str | None
    company: str | None
    city: str | None
    values: list[ValueView]
    value_codes: list[str]
    preferred_channel: str | None

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Conversation:
    date: dt.date
    channel: str | None
    channel_label: str
    direction: str
    summary: str
    quote: str | None


@dataclass(frozen=True)
class Question:
    text: str
    asked_on: dt.date

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Change:
    kind: str
    kind_label: str
    title: str
    text: str
    values: list[str]
    occurred_on: dt.date

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class OpeningView:
    title: str
    team: str | None
    location: str | None
    level: str | None

    def __str__(self) -> str:
        return self.title


@dataclass(frozen=True)
class Sender:
    name: str
    email: str | None

    def __str__(self) -> str:
        return self.name


def first_name_of(name: str) -> str:
    """The given name of a Latin-script name; a Chinese name whole (see the docstring)."""
    name = " ".join(name.split())
    if not name or _CJK.search(name):
        return name
    return name.split(" ")[0]


def _pick(locale: str, pair: tuple[str, str]) -> str:
    return pair[0] if message_locale(locale) == ZH else pair[1]


def message_timezone(candidate: Candidate | None, tenant: Tenant | None = None) -> dt.tzinfo:
    """The candidate's time zone, else the tenant's, else UTC."""
    names = [candidate.timezone if candidate is not None else None]
    if candidate is not None:
        tenant = tenant or db.session.get(Tenant, candidate.tenant_id)
        names.append(tenant.timezone if tenant is not None else None)
    for name in names:
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return dt.UTC


def candidate_view(candidate: Candidate, values: Sequence[str], locale: str) -> CandidateView:
    return CandidateView(
        name=candidate.name, first_name=first_name_of(candidate.name), title=candidate.title,
        company=candidate.current_company, city=candidate.city,
        values=[ValueView(code, code_label("value", code, locale)) for code in values],
        value_codes=list(values), preferred_channel=candidate.preferred_channel,
    )


def _conversation(timeline: Sequence[Interaction], locale: str,
                  tz: dt.tzinfo) -> Conversation | None:
    talks = [i for i in timeline if i.direction in ("inbound", "outbound")]
    if not talks:
        return None
    last = talks[-1]
    return Conversation(
        date=_local_day(last.occurred_at, tz), channel=last.channel,
        channel_label=code_label("channel", last.channel, locale) if last.channel else "",
        direction=last.direction, summary=last.summary or "", quote=last.quote or None,
    )


def _local_day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(tz).date()


def _open_questions(timeline: Sequence[Interaction], tz: dt.tzinfo) -> list[Question]:
    return [Question(str(q["text"]), _local_day(i.occurred_at, tz))
            for i in timeline for q in (i.open_questions or [])
            if q.get("text") and not q.get("answered_at")]


def _changes(events: Sequence[ChangeEvent], values: Sequence[str], since: dt.date | None,
             today: dt.date, locale: str) -> list[Change]:
    """``events`` are the published ones, newest first."""
    if not values:
        return []
    start = since if since is not None else today - CHANGES_WITHOUT_CONTACT
    wanted = set(values)
    found: list[Change] = []
    for event in events:
        if event.occurred_on > today or event.occurred_on < start or (
                since is not None and event.occurred_on == since):
            continue
        if not wanted & set(event.values or []):
            continue
        texts = event.texts or {}
        # Without its closing full stop, so a template can place it in a sentence.
        text = str(texts.get(message_locale(locale)) or event.summary or event.title)
        text = text.strip().rstrip("。.！!；;")
        found.append(Change(
            kind=event.kind, kind_label=_pick(locale, EVENT_KIND_LABELS.get(
                event.kind, (event.kind, event.kind))),
            title=event.title, text=text, values=list(event.values or []),
            occurred_on=event.occurred_on))
        if len(found) == MAX_CHANGES:
            break
    return found


def _openings(openings: Sequence[Opening], skills: Sequence[str],
              values: Sequence[str]) -> list[OpeningView]:
    """``openings`` are the open ones."""
    own_skills = {s.lower() for s in skills}
    own_values = set(values)
    scored: list[tuple[int, dt.datetime, Opening]] = []
    for opening in openings:
        score = 2 * len(own_values & set(opening.values or [])) + len(
            own_skills & {s.lower() for s in opening.skills or []})
        if score:
            scored.append((score, opening.published_at or opening.created_at, opening))
    scored.sort(key=lambda row: (row[0], row[1]), reverse=True)
    return [OpeningView(o.title, o.team, o.location, o.level)
            for _score, _when, o in scored[:MAX_OPENINGS]]


def unsubscribe_link(candidate: Candidate, channel: str) -> str:
    """The candidate's unsubscribe link; a path when no absolute URL can be built here."""
    try:
        from flask import current_app

        from saas.privacy.unsubscribe import unsubscribe_token, unsubscribe_url
    except ImportError:  # the privacy part is not installed
        return ""
    try:
        return unsubscribe_url(candidate, channel)
    except RuntimeError:  # no request and no SERVER_NAME (a background job)
        adapter = current_app.url_map.bind("")
        return adapter.build("privacy.unsubscribe",
                             {"token": unsubscribe_token(candidate.id, channel)})


def _sender(sender: Any) -> Sender:
    if sender is None:
        return Sender(name="", email=None)
    return Sender(name=str(getattr(sender, "name", "") or ""),
                  email=getattr(sender, "email", None))


def build_context(candidate: Candidate, *, locale: str, channel: str, sender: Any,
                  now: dt.datetime, facts: OutreachFacts | None = None,
                  wanted: Collection[str] | None = None) -> dict[str, Any]:
    """The template variables for this candidate, in the message's locale: every one, or
    only those ``wanted`` (the ones a template reads — a campaign renders thousands);
    ``facts`` when the caller read them for a batch (see :mod:`saas.outreach.facts`)."""
    facts = facts or OutreachFacts.load([candidate], now)
    tz = message_timezone(candidate, facts.tenant)
    values = facts.values.get(candidate.id, [])
    timeline = facts.timelines.get(candidate.id, [])

    def conversation() -> Conversation | None:
        return _conversation(timeline, locale, tz)

    def changes() -> list[Change]:
        talked = conversation()
        return _changes(facts.changes, values, talked.date if talked else None,
                        now.astimezone(tz).date(), locale)

    makers: dict[str, Callable[[], Any]] = {
        "candidate": lambda: candidate_view(candidate, values, locale),
        "last_conversation": conversation,
        "open_questions": lambda: _open_questions(timeline, tz),
        "changes": changes,
        "openings": lambda: _openings(facts.openings, facts.skills.get(candidate.id, []),
                                      values),
        "sender": lambda: _sender(sender),
        "company": lambda: facts.tenant.name,
        "unsubscribe_url": lambda: unsubscribe_link(candidate, channel),
    }
    return {name: make() for name, make in makers.items() if wanted is None or name in wanted}


def sample_context(locale: str, now: dt.datetime) -> dict[str, Any]:
    """The same shapes with example data: for validation at save and the variable help."""
    zh = message_locale(locale) == ZH
    today = now.date()
    talked = today - dt.timedelta(days=95)
    values = ["flexibility", "career_growth"]
    return {
        "candidate": CandidateView(
            name="李明" if zh else "Alice Smith", first_name="李明" if zh else "Alice",
            title="高级后端工程师" if zh else "Senior Backend Engineer",
            company="某科技" if zh else "Acme Robotics", city="上海" if zh else "London",
            values=[ValueView(c, code_label("value", c, locale)) for c in values],
            value_codes=values, preferred_channel="wechat" if zh else "email"),
        "last_conversation": Conversation(
            date=talked, channel="wechat" if zh else "email",
            channel_label=code_label("channel", "wechat" if zh else "email", locale),
            direction="inbound",
            summary="手上的项目要收尾，大概需要两个月" if zh else
            "Wrapping up the current project; needs about two months",
            quote="等项目上线了再聊" if zh else "Let's talk again once the release is out"),
        "open_questions": [Question("年终奖怎么算？" if zh else "How is the bonus calculated?",
                                    talked)],
        "changes": [Change(
            kind="policy", kind_label=_pick(locale, EVENT_KIND_LABELS["policy"]),
            title="研发团队每周两天远程" if zh else "Two remote days a week",
            text="从3月起，研发团队每周可以远程办公两天" if zh else
            "From March, engineering teams can work remotely two days a week",
            values=["flexibility"], occurred_on=today - dt.timedelta(days=30))],
        "openings": [OpeningView(
            title="后端技术经理" if zh else "Backend Engineering Manager",
            team="支付平台组" if zh else "Payments Platform",
            location="上海" if zh else "London", level="M1")],
        "sender": Sender(name="王芳" if zh else "Emma Brown",
                         email="wang.fang@example.com" if zh else "emma.brown@example.com"),
        "company": "星河科技" if zh else "Northwind",
        "unsubscribe_url": "https://rekindle.example/u/example-link",
    }
