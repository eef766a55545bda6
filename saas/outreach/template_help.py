"""The variable help on the template pages: what each variable says, with an example."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from saas.outreach.template_context import sample_context
from saas.outreach.template_sandbox import RenderError, render_source

# (expression, meaning): the example is the expression rendered with the example data.
VARIABLE_HELP: tuple[tuple[str, Any], ...] = (
    ("candidate.name", _l("Full name")),
    ("candidate.first_name", _l("Given name of a Latin-script name; a Chinese name in full "
                                "(Chinese messages address people by full name)")),
    ("candidate.title", _l("Current title")),
    ("candidate.company", _l("Current company")),
    ("candidate.city", _l("City")),
    ("candidate.values|join(\", \")", _l("What they value, in the message's language "
                                         "(candidate.value_codes gives the codes)")),
    ("last_conversation.date|ago", _l("When you last talked, as a person says it")),
    ("last_conversation.date|date", _l("The date of the last conversation")),
    ("last_conversation.channel_label", _l("Where you talked")),
    ("last_conversation.summary", _l("What the last conversation was about")),
    ("last_conversation.quote", _l("Their own words from it")),
    ("open_questions|join(\"; \")", _l("Their questions nobody answered yet")),
    ("changes[0].text", _l("Changes since you last talked that speak to their values "
                           "(each: kind_label, title, text, values, occurred_on)")),
    ("openings[0].title", _l("Open openings that fit them, best first (each: title, team, "
                             "location, level)")),
    ("sender.name", _l("You, the sender")),
    ("company", _l("Your company's name")),
    ("unsubscribe_url", _l("Their link to stop receiving messages")),
)


@dataclass(frozen=True)
class VariableExample:
    expression: str
    meaning: str
    example: str

    @property
    def written(self) -> str:
        """How it is written in a template."""
        return "{{ " + self.expression + " }}"


def variable_help(locale: str) -> list[VariableExample]:
    """Every variable with its example in ``locale`` (the template's language)."""
    now = dt.datetime.now(dt.UTC)
    context = sample_context(locale, now)
    rows = []
    for expression, meaning in VARIABLE_HELP:
        try:
            example = render_source("{{ " + expression + " }}", context, locale=locale,
                                    now=now, tz=dt.UTC)
        except RenderError:
            example = ""
        rows.append(VariableExample(expression, str(meaning), example))
    return rows
