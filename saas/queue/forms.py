"""The queue page's forms: snooze for a while, or dismiss with a reason."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from saas.queue.decisions import REASON_MAX

SNOOZE_DAYS = {"week": 7, "month": 30, "quarter": 90}


class SnoozeForm(FlaskForm):  # type: ignore[misc]
    period = SelectField(
        _l("Snooze for"),
        choices=[SelectChoice("week", _l("1 week")), SelectChoice("month", _l("1 month")),
                 SelectChoice("quarter", _l("3 months"))],
        validators=[DataRequired()],
    )
    reason = StringField(_l("Why (optional)"), validators=[Length(max=REASON_MAX)])

    def until(self, today: dt.date) -> dt.date:
        return today + dt.timedelta(days=SNOOZE_DAYS[self.period.data])


class DismissForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(
        _l("Why dismiss"),
        validators=[DataRequired(message=_l("Say why you dismiss this person.")),
                    Length(max=REASON_MAX,
                           message=_l("Keep the reason to %(max)d characters.", max=REASON_MAX))],
    )
