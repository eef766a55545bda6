"""Web forms of openings and change events (CSRF by Flask-WTF)."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from saas.candidates.forms import CheckboxesField
from saas.openings.service import clean_skills
from saas.tags.labels import code_label, codes_of

OPENING_STATUS_LABELS: dict[str, LazyString] = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}
EVENT_KIND_LABELS: dict[str, LazyString] = {
    "benefit": _l("New benefit"),
    "policy": _l("Policy (remote or flexible work)"),
    "training_program": _l("Training programme"),
    "funding": _l("Funding"),
    "business_line": _l("New business line"),
    "award": _l("Award"),
    "opening": _l("Opening"),
    "role_change": _l("Role change"),
}


def value_choices() -> list[tuple[str, str]]:
    """Value codes with their labels in the request's language."""
    return [(code, code_label("value", code)) for code in codes_of("value")]


def split_skills(text: str | None) -> list[str]:
    return clean_skills((text or "").replace("，", ",").split(","))


class SaveAudienceForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Segment name"), validators=[DataRequired(), Length(max=100)])


class OpeningForm(FlaskForm):  # type: ignore[misc]
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    level = StringField(_l("Level"), validators=[Optional(), Length(max=60)])
    team = StringField(_l("Team"), validators=[Optional(), Length(max=120)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    skills = CheckboxesField(_l("Skills"), choices=[], validate_choice=False)
    more_skills = StringField(
        _l("More skills"), validators=[Optional(), Length(max=1000)],
        description=_l("Separated by commas, e.g. python, pmp."))
    values = CheckboxesField(_l("Values its perks speak to"), choices=[])
    status = SelectField(_l("Status"), default="draft", choices=[],
                         description=_l("Opening it announces it to the candidates who care."))

    def __init__(self, *args: Any, known_skills: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.skills.choices = [(s, s) for s in known_skills or []]
        self.values.choices = value_choices()
        self.status.choices = [(k, str(v)) for k, v in OPENING_STATUS_LABELS.items()]

    def payload(self) -> dict[str, Any]:
        """The typed fields for the opening service."""
        return {
            "title": self.title.data.strip(),
            "level": (self.level.data or "").strip() or None,
            "team": (self.team.data or "").strip() or None,
            "location": (self.location.data or "").strip() or None,
            "description": (self.description.data or "").strip() or None,
            "skills": clean_skills([*(self.skills.data or []),
                                    *split_skills(self.more_skills.data)]),
            "values": list(self.values.data or []),
            "status": self.status.data,
        }


class ChangeEventForm(FlaskForm):  # type: ignore[misc]
    kind = SelectField(_l("Kind"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)])
    text_zh = TextAreaField(_l("Message sentence in Chinese"),
                            validators=[Optional(), Length(max=1000)],
                            description=_l("What a message to the candidate would say."))
    text_en = TextAreaField(_l("Message sentence in English"),
                            validators=[Optional(), Length(max=1000)])
    values = CheckboxesField(_l("Values it speaks to"), choices=[])
    occurred_on = DateField(_l("Date"), validators=[DataRequired()])
    opening_id = SelectField(_l("Opening"), choices=[], validators=[Optional()])

    def __init__(self, *args: Any, openings: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, str(v)) for k, v in EVENT_KIND_LABELS.items()]
        self.values.choices = value_choices()
        self.opening_id.choices = [("", str(_l("None")))] + (openings or [])

    def payload(self) -> dict[str, Any]:
        texts = {"zh-CN": (self.text_zh.data or "").strip(),
                 "en": (self.text_en.data or "").strip()}
        return {
            "kind": self.kind.data,
            "title": self.title.data.strip(),
            "summary": (self.summary.data or "").strip() or None,
            "texts": {k: v for k, v in texts.items() if v},
            "values": list(self.values.data or []),
            "occurred_on": self.occurred_on.data,
            "opening_id": uuid.UUID(self.opening_id.data) if self.opening_id.data else None,
        }
