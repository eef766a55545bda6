"""The audit page's filter form (read from the query string, or from the export's POST)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from typing import Any

import sqlalchemy as sa
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from saas.audit.display import SHORT_ID_LENGTH
from saas.audit.labels import OUTCOME_LABELS, action_choices
from saas.audit.schemas import TARGET_ID
from saas.audit.search import AuditFilter
from saas.auth.models import User
from saas.extensions import db

SHORT_ID = re.compile(rf"[0-9a-fA-F]{{{SHORT_ID_LENGTH}}}")


def _local_midnight(day: dt.date) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(str(get_timezone()))
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone).astimezone(dt.UTC)


class AuditFilterForm(FlaskForm):  # type: ignore[misc]
    """Filters of the audit page. No CSRF token of its own: it only reads."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), default="")
    actor = SelectField(_l("Who"), default="")
    outcome = SelectField(_l("Outcome"), default="")
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()],
                      description=_l("Both days included, in your time zone."))
    target = StringField(_l("Target id"), validators=[
        Optional(), Length(max=64),
        Regexp(TARGET_ID, message=_l("Use an id or code: letters, digits and . : @ _ -")),
    ], description=_l("The full id of a candidate, user, offer…, or the last 8 "
                      "characters shown in the list."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [("", str(_l("Any action"))), *action_choices()]
        people = db.session.execute(sa.select(User.id, User.name).order_by(User.name)).all()
        self.actor.choices = [("", str(_l("Anyone"))),
                              *((str(person.id), person.name) for person in people)]
        self.outcome.choices = [("", str(_l("Any outcome"))),
                                *((code, str(label)) for code, label in OUTCOME_LABELS.items())]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("Pick a day on or after the first day."))

    def to_filter(self) -> AuditFilter:
        """The validated form as a search (local days become UTC moments).

        An id as short as the list shows it (its last eight hex digits) finds the ids
        that end with it; anything else must match a target id exactly.
        """
        target = (self.target.data or "").strip()
        short = bool(SHORT_ID.fullmatch(target))
        return AuditFilter(
            action=self.action.data or None,
            actor_id=uuid.UUID(self.actor.data) if self.actor.data else None,
            outcome=self.outcome.data or None,
            since=_local_midnight(self.since.data) if self.since.data else None,
            until=_local_midnight(self.until.data + dt.timedelta(days=1))
            if self.until.data else None,
            target_id=(target.lower() if short else target) or None,
            target_suffix=short,
        )

    def query_args(self) -> dict[str, str]:
        """The filters in use, for links to the next page."""
        return {f.name: f._value() if f.type == "DateField" else str(f.data)
                for f in self if f.data not in (None, "")}
