"""The offer forms on the candidate page: record an offer, its answer, its reason."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from saas.segments.codes import REASON_CODES


class OfferForm(FlaskForm):  # type: ignore[misc]
    sent_on = DateField(_l("Sent on"), validators=[DataRequired(message=_l("Enter a date."))])
    respond_by_on = DateField(_l("Respond by"),
                              validators=[DataRequired(message=_l("Enter a date."))])

    def validate_respond_by_on(self, field: Any) -> None:
        if self.sent_on.data and field.data and field.data < self.sent_on.data:
            raise ValidationError(_l("The answer can't be due before the offer was sent."))


class OfferResponseForm(FlaskForm):  # type: ignore[misc]
    outcome = SelectField(
        _l("Answer"),
        choices=[SelectChoice("accepted", _l("Accepted")),
                 SelectChoice("declined", _l("Declined"))],
        validators=[DataRequired()],
    )


class OfferReasonForm(FlaskForm):  # type: ignore[misc]
    reason = SelectField(_l("Reason"), choices=sorted(REASON_CODES), validators=[DataRequired()])
