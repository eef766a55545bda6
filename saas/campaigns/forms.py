"""Web form of a new campaign (CSRF by Flask-WTF): name, segment, holdout, steps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms import Form as PlainForm
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from saas.campaigns.service import MAX_HOLDOUT, MAX_STEPS

FORM_STEPS = 5


class StepForm(PlainForm):  # type: ignore[misc]
    """One step; a row without a template is left out."""

    template_name = SelectField(_l("Template"), choices=[], validate_choice=False)
    delay_days = IntegerField(_l("Days after the previous step"), default=0,
                              validators=[Optional(), NumberRange(min=0, max=365)])
    channel = SelectField(_l("Channel"), choices=[], validate_choice=False)


class CampaignForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Campaign name"), validators=[DataRequired(), Length(max=120)])
    segment_query = TextAreaField(
        _l("Segment query"), validators=[Length(max=2000)],
        description=_l("Who the campaign is for, in the segment language. "
                       "Leave it empty for every candidate."))
    holdout_percent = IntegerField(
        _l("Holdout (%)"), default=10,
        validators=[Optional(), NumberRange(min=0, max=MAX_HOLDOUT)],
        description=_l("This share is never contacted, so the reply rate can be compared."))
    steps = FieldList(FormField(StepForm), min_entries=FORM_STEPS, max_entries=MAX_STEPS)
