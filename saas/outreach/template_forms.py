"""The template editor's form (CSRF by Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from saas.outreach.template_context import TEMPLATE_CHANNELS
from saas.tags.labels import code_label
from saas.web.i18n import LANGUAGE_NAMES


class TemplateForm(FlaskForm):  # type: ignore[misc]
    """Name, situation, channel, language, subject (email) and body; the candidate to
    preview with is part of the same form, so *Preview* shows what is typed."""

    name = StringField(_l("Template name"), validators=[DataRequired(), Length(max=100)])
    purpose = SelectField(_l("Situation"), validators=[Optional()])
    channel = SelectField(_l("Channel"), validators=[DataRequired()])
    locale = SelectField(_l("Language of the message"), validators=[DataRequired()])
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=300)],
                          description=_l("Email only; it is a template too."))
    body = TextAreaField(
        _l("Message"), validators=[DataRequired(), Length(max=10_000)],
        description=_l("Jinja text: {{ candidate.name }} prints a variable; if and for "
                       "blocks choose what to say. The variables are listed below."))
    candidate_id = SelectField(_l("Preview for"), validate_choice=False)

    def fill_choices(self, purposes: dict[str, object],
                     candidates: list[tuple[str, str]]) -> None:
        self.purpose.choices = [("", str(_l("Other")))] + [
            (code, str(label)) for code, label in purposes.items()]
        self.channel.choices = [(c, code_label("channel", c)) for c in TEMPLATE_CHANNELS]
        self.locale.choices = list(LANGUAGE_NAMES.items())
        self.candidate_id.choices = [("", str(_l("Example data"))), *candidates]
