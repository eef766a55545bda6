"""Web forms of the tag page and the candidate's tag chips (CSRF by Flask-WTF).

Tag choices are ``dimension:code`` strings (``reason:health``, ``custom:vip``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from saas.tags.candidate_tags import EDITABLE_DIMENSIONS
from saas.tags.catalog import custom_tags
from saas.tags.labels import codes_of, tag_label


def tag_choices() -> list[tuple[str, str]]:
    """Every tag a person can put on a candidate, labelled in the request's language."""
    choices = [
        (f"{dimension}:{code}", tag_label(dimension, code))
        for dimension in EDITABLE_DIMENSIONS
        if dimension != "custom"
        for code in codes_of(dimension)
    ]
    choices += [(f"custom:{tag.code}", tag.label) for tag in custom_tags()]
    return choices


def split_choice(choice: str) -> tuple[str, str]:
    dimension, _, code = choice.partition(":")
    return dimension, code


class CustomTagForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Regexp(r"^[a-z0-9_-]{1,40}$",
                   message=_l("Use 1-40 lower-case letters, digits, '_' or '-'.")),
        ],
        description=_l("Used in segment queries, e.g. tag:vip."),
    )
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=60)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])


class SegmentTagForm(FlaskForm):  # type: ignore[misc]
    q = StringField(
        _l("Segment query"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("e.g. reason:project_wrapup last_contact:>180d -status:do_not_contact"),
    )
    tag = SelectField(_l("Tag"), validators=[DataRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.tag.choices = tag_choices()


class AddTagForm(FlaskForm):  # type: ignore[misc]
    tag = SelectField(_l("Add a tag"), validators=[DataRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.tag.choices = tag_choices()


class CorrectTagForm(FlaskForm):  # type: ignore[misc]
    code = SelectField(_l("Correct code"), validators=[DataRequired()])

    def __init__(self, dimension: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.code.choices = [(code, tag_label(dimension, code)) for code in codes_of(dimension)]
