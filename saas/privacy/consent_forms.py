"""Forms of the privacy pages: consent, withdrawal, legal hold, the retention policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from saas.candidates.forms import user_zone
from saas.privacy.models import BASES, CONSENT_CHANNELS
from saas.privacy.retention import MAX_MONTHS, MIN_MONTHS
from saas.tags.labels import code_label
from saas.timeutil import utcnow

BASIS_LABELS: dict[str, LazyString] = {
    "consent": _l("Consent (the candidate agreed)"),
    "legitimate_interest": _l("Legitimate interest"),
}
STATE_LABELS: dict[str, LazyString] = {
    "allowed": _l("Allowed"), "withdrawn": _l("Withdrawn"), "expired": _l("Expired"),
    "none": _l("No consent"),
}
VIA_LABELS: dict[str, LazyString] = {
    "api": _l("through the API"), "page": _l("by a recruiter"),
    "unsubscribe_link": _l("with the unsubscribe link"), "reply_keyword": _l("by replying"),
}


def channel_name(code: str, locale: str | None = None) -> str:
    """A channel's label (``all``: every channel), in ``locale`` or the request's."""
    return str(_l("All channels")) if code == "all" else code_label("channel", code, locale)


def channel_heading(code: str) -> str:
    """A channel's label standing alone (a table cell, a choice): "Email", not "email"."""
    name = channel_name(code)
    return name[:1].upper() + name[1:]


def _channel_choices() -> list[SelectChoice]:
    return [SelectChoice(c, channel_heading(c)) for c in CONSENT_CHANNELS]


class ConsentForm(FlaskForm):  # type: ignore[misc]
    channel = SelectField(_l("Channel"), validators=[DataRequired()])
    basis = SelectField(_l("Basis"), choices=[SelectChoice(b, BASIS_LABELS[b]) for b in BASES],
                        validators=[DataRequired()])
    source = StringField(
        _l("Source"), description=_l("Where and how it was given, e.g. offer call 2025-10-12."),
        validators=[DataRequired(message=_l("Say where the consent comes from.")),
                    Length(max=300)])
    wording = TextAreaField(_l("Wording shown"), validators=[Optional(), Length(max=2000)],
                            description=_l("What the candidate was told when they agreed."))
    given_on = DateField(_l("Given on"), validators=[DataRequired(message=_l("Enter a date."))])
    given_time = TimeField(_l("Time"), validators=[DataRequired(message=_l("Enter a time."))])
    expires_on = DateField(_l("Expires on"), validators=[Optional()],
                           description=_l("Leave empty when it does not expire."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel.choices = _channel_choices()
        # Own element ids: the candidate page has other forms with a "channel" field.
        for field in self:
            if field.name != "csrf_token":
                field.id = field.label.field_id = f"consent-{field.name}"
        if not self.is_submitted() and self.given_on.data is None:
            now = utcnow().astimezone(user_zone())
            self.given_on.data = now.date()
            self.given_time.data = now.time().replace(second=0, microsecond=0)

    def given_at(self) -> dt.datetime:
        return dt.datetime.combine(self.given_on.data, self.given_time.data,
                                   tzinfo=user_zone()).astimezone(dt.UTC)

    def expires_at(self) -> dt.datetime | None:
        if self.expires_on.data is None:
            return None
        return dt.datetime.combine(self.expires_on.data, dt.time(23, 59, 59),
                                   tzinfo=user_zone()).astimezone(dt.UTC)

    def validate_given_time(self, field: Any) -> None:
        if self.given_on.data and field.data and \
                (self.given_at() - utcnow()).total_seconds() > 600:
            raise ValidationError(str(_l("Consent cannot be given in the future.")))

    def validate_expires_on(self, field: Any) -> None:
        if field.data and self.given_on.data and field.data < self.given_on.data:
            raise ValidationError(str(_l("It cannot expire before it was given.")))


class WithdrawForm(FlaskForm):  # type: ignore[misc]
    channel = SelectField(_l("Channel"), validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel.choices = _channel_choices()


class LegalHoldForm(FlaskForm):  # type: ignore[misc]
    reason = StringField(
        _l("Reason for the hold"),
        description=_l("E.g. the case or request it is kept for. Only your team sees it."),
        validators=[DataRequired(message=_l("Say why the candidate is on hold.")),
                    Length(max=300)])


class RetentionForm(FlaskForm):  # type: ignore[misc]
    retention_months = IntegerField(
        _l("Erase candidates after this many months without contact"),
        description=_l("Counted from the last conversation (or from when they were added). "
                       "Leave empty to keep candidates until someone erases them."),
        validators=[Optional(), NumberRange(
            min=MIN_MONTHS, max=MAX_MONTHS,
            message=_l("Enter a number of months from %(min)d to %(max)d.",
                       min=MIN_MONTHS, max=MAX_MONTHS))])
