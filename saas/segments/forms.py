"""Web forms of saved segments (CSRF by Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class SaveSegmentForm(FlaskForm):  # type: ignore[misc]
    """Save the query in the bar under a name."""

    query = HiddenField()
    name = StringField(_l("Segment name"), validators=[DataRequired(), Length(max=100)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])


class EditSegmentForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Segment name"), validators=[DataRequired(), Length(max=100)])
    query = TextAreaField(
        _l("Query"),
        description=_l("Leave it empty to select every candidate."),
    )
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])
