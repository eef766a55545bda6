"""Web forms for a candidate and for one entry of the timeline (CSRF by Flask-WTF).

Contact points are checked by the same functions as the API
(:mod:`saas.candidates.contacts`), so a value refused in one is refused in the other.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from saas.candidates import contacts
from saas.candidates.models import CHANNELS, Candidate
from saas.candidates.schemas import (
    CURRENCIES,
    MAX_QUESTION,
    MAX_QUESTIONS,
    MAX_QUOTE,
    MAX_SUMMARY,
    WRITABLE_STATUSES,
)
from saas.candidates.timeline import DIRECTIONS
from saas.segments.codes import VALUE_CODES
from saas.tags.labels import code_label, codes_of
from saas.timeutil import utcnow
from saas.web.i18n import LANGUAGE_NAMES, valid_timezone

STATUS_LABELS = {
    "active": _l("Active"), "offered": _l("Offered"), "stalled": _l("Stalled"),
    "nurturing": _l("Nurturing"), "re_engaged": _l("Re-engaged"),
    "interviewing": _l("Interviewing"), "hired": _l("Hired"), "declined": _l("Declined"),
    "do_not_contact": _l("Do not contact"), "erased": _l("Erased"),
}
DIRECTION_LABELS = {"inbound": _l("From the candidate"), "outbound": _l("To the candidate"),
                    "note": _l("Internal note")}
PERIOD_LABELS = {"month": _l("per month"), "year": _l("per year")}


def user_zone() -> zoneinfo.ZoneInfo:
    """The signed-in user's time zone (else the tenant's) as a ``ZoneInfo``."""
    return zoneinfo.ZoneInfo(str(get_timezone()))


def _choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def lines(text: str | None) -> list[str]:
    """Non-empty lines of a text area, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _each_line(clean: Callable[[str], str]) -> Callable[[Any, Any], None]:
    def check(_form: Any, field: Any) -> None:
        problems = []
        for line in lines(field.data):
            try:
                clean(line)
            except contacts.ContactError as exc:
                problems.append(str(exc))
        if problems:
            raise ValidationError(" ".join(problems))
    return check


def _one(clean: Callable[[str], str]) -> Callable[[Any, Any], None]:
    def check(_form: Any, field: Any) -> None:
        if field.data and field.data.strip():
            try:
                clean(field.data)
            except contacts.ContactError as exc:
                raise ValidationError(str(exc)) from exc
    return check


def _timezone(_form: Any, field: Any) -> None:
    if field.data and not valid_timezone(field.data.strip()):
        raise ValidationError(str(_l("Not a time zone Rekindle knows, e.g. Asia/Shanghai.")))


def _currency(_form: Any, field: Any) -> None:
    if field.data and field.data.strip().upper() not in CURRENCIES:
        raise ValidationError(str(_l("Use a three-letter currency code such as CNY or USD.")))


def _not_in_future(_form: Any, field: Any) -> None:
    if field.data and field.data > dt.date.today():
        raise ValidationError(str(_l("A birthday cannot be in the future.")))


def _positive(_form: Any, field: Any) -> None:
    if field.data is not None and field.data <= 0:
        raise ValidationError(str(_l("Must be more than 0.")))


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CandidateForm(FlaskForm):  # type: ignore[misc]
    duplicate_of: Candidate | None = None  # set when the service found the same person

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    current_company = StringField(_l("Company"), validators=[Length(max=200)])
    city = StringField(_l("City"), validators=[Length(max=100)])
    status = SelectField(_l("Status"), default="active",
                         choices=_choices((s, STATUS_LABELS[s]) for s in WRITABLE_STATUSES))
    owner_id = SelectField(_l("Owner"), description=_l("The recruiter who keeps in touch."))
    emails = TextAreaField(_l("Emails"), description=_l("One per line."),
                           validators=[_each_line(contacts.clean_email)])
    phones = TextAreaField(_l("Phones"), description=_l("One per line, e.g. +86 138 0013 8000."),
                           validators=[_each_line(contacts.clean_phone)])
    wechat_id = StringField(_l("WeChat id"), validators=[_one(contacts.clean_wechat_id)])
    linkedin_url = StringField(_l("LinkedIn profile"),
                               validators=[_one(contacts.clean_linkedin_url)])
    preferred_channel = SelectField(_l("Preferred channel"))
    skills = StringField(_l("Skills"), description=_l("Separated by commas, e.g. python, pmp."))
    values = CheckboxesField(_l("Values"), choices=[])
    career_goal = TextAreaField(_l("Career goal"), validators=[Length(max=500)])
    contract_end_date = DateField(_l("Contract ends on"), validators=[Optional()])
    birthday = DateField(_l("Birthday"), validators=[Optional(), _not_in_future])
    locale = SelectField(_l("Language"))
    timezone = StringField(_l("Time zone"), validators=[Length(max=64), _timezone],
                           description=_l("e.g. Asia/Shanghai"))
    expected_amount = DecimalField(_l("Expected salary"), places=None,
                                   validators=[Optional(), _positive])
    expected_currency = StringField(_l("Currency"), default="CNY",
                                    validators=[Optional(), _currency])
    expected_period = SelectField(_l("Period"), choices=_choices(PERIOD_LABELS.items()))
    current_amount = DecimalField(_l("Current salary"), places=None,
                                  validators=[Optional(), _positive])
    current_currency = StringField(_l("Currency"), default="CNY",
                                   validators=[Optional(), _currency])
    current_period = SelectField(_l("Period"), choices=_choices(PERIOD_LABELS.items()))

    def __init__(self, *args: Any, owners: list[tuple[str, str]], with_compensation: bool,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner_id.choices = _choices([("", _l("Nobody")), *owners])
        self.preferred_channel.choices = _choices(
            [("", _l("Not known")), *((c, code_label("channel", c)) for c in CHANNELS)])
        self.values.choices = _choices((c, code_label("value", c)) for c in codes_of("value")
                                       if c in VALUE_CODES)
        self.locale.choices = _choices([("", _l("Not known")), *LANGUAGE_NAMES.items()])
        self.with_compensation = with_compensation
        if not with_compensation:
            for prefix in ("expected", "current"):
                for part in ("amount", "currency", "period"):
                    del self[f"{prefix}_{part}"]

    def changes(self) -> dict[str, Any]:
        """The typed, normalised values for the candidate service."""
        data: dict[str, Any] = {
            name: (getattr(self, name).data or "").strip() or None
            for name in ("name", "title", "current_company", "city", "career_goal", "timezone",
                         "locale", "preferred_channel")
        }
        data["status"] = self.status.data
        data["owner_id"] = self.owner_id.data or None
        data["emails"] = contacts.unique(contacts.clean_email(e) for e in lines(self.emails.data))
        data["phones"] = contacts.unique(contacts.clean_phone(p) for p in lines(self.phones.data))
        data["wechat_id"] = contacts.clean_wechat_id(self.wechat_id.data) \
            if (self.wechat_id.data or "").strip() else None
        data["linkedin_url"] = contacts.clean_linkedin_url(self.linkedin_url.data) \
            if (self.linkedin_url.data or "").strip() else None
        data["skills"] = contacts.unique(
            s.strip().lower() for s in (self.skills.data or "").replace("，", ",").split(",")
            if s.strip())
        data["values"] = list(self.values.data or [])
        data["contract_end_date"] = self.contract_end_date.data
        data["birthday"] = self.birthday.data
        if self.with_compensation:
            for prefix in ("expected", "current"):
                amount = self[f"{prefix}_amount"].data
                data[f"{prefix}_salary"] = None if amount is None else {
                    "amount": int(amount) if amount == amount.to_integral_value() else
                    float(amount),
                    "currency": (self[f"{prefix}_currency"].data or "").strip().upper(),
                    "period": self[f"{prefix}_period"].data,
                }
        return data

    def fill_from(self, document: dict[str, Any]) -> None:
        """Show a candidate document in the form (on GET of the edit page)."""
        for name in ("name", "title", "current_company", "city", "career_goal", "timezone",
                     "wechat_id", "linkedin_url", "contract_end_date", "birthday", "status"):
            self[name].data = document.get(name)
        self.locale.data = document.get("locale") or ""
        self.preferred_channel.data = document.get("preferred_channel") or ""
        self.owner_id.data = str(document["owner"]["id"]) if document.get("owner") else ""
        self.emails.data = "\n".join(document.get("emails") or [])
        self.phones.data = "\n".join(document.get("phones") or [])
        self.skills.data = ", ".join(document.get("skills") or [])
        self.values.data = list(document.get("values") or [])
        if self.with_compensation:
            for prefix in ("expected", "current"):
                salary = document.get(f"{prefix}_salary") or {}
                self[f"{prefix}_amount"].data = salary.get("amount")
                self[f"{prefix}_currency"].data = salary.get("currency", "CNY")
                self[f"{prefix}_period"].data = salary.get("period", "month")


def _question_lines(_form: Any, field: Any) -> None:
    questions = lines(field.data)
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(str(_l("At most %(n)d open questions.", n=MAX_QUESTIONS)))
    if any(len(q) > MAX_QUESTION for q in questions):
        raise ValidationError(str(_l("Each question can be at most %(n)d characters.",
                                     n=MAX_QUESTION)))


class NoteLength(Length):  # type: ignore[misc]
    """``Length`` checked on the server only: no ``maxlength`` attribute, because a
    browser cuts a longer paste short without a word, and the note would be saved
    truncated; the recruiter is told instead, with everything they typed kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(max=limit, message=_l(
            "This is %(length)d characters long; at most %(max)d fit. Shorten it or "
            "split it into two entries."))
        self.field_flags: dict[str, Any] = {}


class InteractionForm(FlaskForm):  # type: ignore[misc]
    occurred_on = DateField(_l("Date"), validators=[DataRequired()])
    occurred_time = TimeField(_l("Time"), validators=[DataRequired()])
    channel = SelectField(_l("Channel"))
    direction = SelectField(_l("Direction"), choices=_choices(DIRECTION_LABELS.items()),
                            default="inbound")
    summary = TextAreaField(_l("What was said"), validators=[
        DataRequired(message=_l("Write down what was said.")), NoteLength(MAX_SUMMARY)])
    quote = TextAreaField(_l("Their own words"), validators=[NoteLength(MAX_QUOTE)],
                          description=_l("A sentence worth quoting back later."))
    open_questions = TextAreaField(_l("Open questions"), validators=[_question_lines],
                                   description=_l("One per line: what they asked and wait for."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel.choices = _choices(
            [("", _l("None")), *((c, code_label("channel", c)) for c in CHANNELS)])
        if not self.is_submitted() and self.occurred_on.data is None:
            now = utcnow().astimezone(user_zone())
            self.occurred_on.data = now.date()
            self.occurred_time.data = now.time().replace(second=0, microsecond=0)

    def occurred_at(self) -> dt.datetime:
        """The date and time typed, in the user's time zone."""
        return dt.datetime.combine(self.occurred_on.data, self.occurred_time.data,
                                   tzinfo=user_zone())

    def validate_occurred_time(self, field: Any) -> None:
        if self.occurred_on.data and field.data and \
                (self.occurred_at() - utcnow()).total_seconds() > 600:
            raise ValidationError(str(_l("This is in the future.")))

    def changes(self) -> dict[str, Any]:
        return {
            "occurred_at": self.occurred_at(), "channel": self.channel.data or None,
            "direction": self.direction.data if self.direction.data in DIRECTIONS else "note",
            "summary": self.summary.data.strip(), "quote": (self.quote.data or "").strip() or None,
            "open_questions": lines(self.open_questions.data),
        }

    def fill_from(self, document: dict[str, Any]) -> None:
        moment = document["occurred_at"].astimezone(user_zone())
        self.occurred_on.data, self.occurred_time.data = moment.date(), moment.time()
        self.channel.data = document["channel"] or ""
        self.direction.data = document["direction"]
        self.summary.data = document["summary"]
        self.quote.data = document["quote"] or ""
        self.open_questions.data = "\n".join(q["text"] for q in document["open_questions"])
