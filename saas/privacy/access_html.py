"""The readable page of an access export: field names in words, values formatted.

The JSON keeps codes and ISO times; the HTML shows the same data in the
reader's language (labels here, dates and numbers through Flask-Babel).
Unknown keys (sections added by other packages) are shown humanised.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.audit.labels import action_label
from saas.candidates.forms import DIRECTION_LABELS, PERIOD_LABELS, STATUS_LABELS
from saas.tags.labels import code_label, dimension_label

FIELD_LABELS = {
    "id": _l("Id"), "name": _l("Name"), "emails": _l("Emails"), "phones": _l("Phones"),
    "wechat_id": _l("WeChat id"), "linkedin_url": _l("LinkedIn profile"),
    "current_company": _l("Company"), "title": _l("Title"), "city": _l("City"),
    "skills": _l("Skills"), "preferred_channel": _l("Preferred channel"),
    "values": _l("Values"), "career_goal": _l("Career goal"),
    "contract_end_date": _l("Contract ends on"), "birthday": _l("Birthday"),
    "locale": _l("Language"), "timezone": _l("Time zone"), "status": _l("Status"),
    "expected_salary": _l("Expected salary"), "current_salary": _l("Current salary"),
    "tags": _l("Tags"), "next_follow_up_on": _l("Follow up on"), "owner": _l("Owner"),
    "last_contact_at": _l("Last contact"), "created_at": _l("Recorded"),
    "updated_at": _l("Last changed"), "legal_hold_at": _l("Legal hold since"),
    "legal_hold_reason": _l("Legal hold reason"), "dimension": _l("Kind"), "code": _l("Code"),
    "label": _l("Label"), "source": _l("Source"), "confidence": _l("Confidence"),
    "from_interaction": _l("Read from timeline entry"), "set_by": _l("Set by"),
    "action": _l("Action"), "inferred_code": _l("Inferred"), "correct_code": _l("Corrected to"),
    "occurred_at": _l("When"), "channel": _l("Channel"), "direction": _l("Direction"),
    "summary": _l("Summary"), "quote": _l("Quote"), "open_questions": _l("Open questions"),
    "text": _l("Question"), "answered_at": _l("Answered"), "author": _l("Written by"),
    "version": _l("Version"), "edited_at": _l("Edited"), "revisions": _l("Earlier versions"),
    "replaced_at": _l("Replaced"), "replaced_by": _l("Replaced by"),
    "opening_id": _l("Opening"), "sent_at": _l("Sent"), "respond_by": _l("Respond by"),
    "responded_at": _l("Answered"), "stalled_at": _l("Stalled since"), "reason": _l("Reason"),
    "reason_source": _l("Reason from"), "basis": _l("Basis"), "wording": _l("Wording shown"),
    "given_at": _l("Given"), "expires_at": _l("Expires"), "withdrawn": _l("Withdrawn"),
    "withdrawn_via": _l("Withdrawn through"), "recorded_by": _l("Recorded by"),
    "decision": _l("Decision"), "active_until": _l("Until"), "decided_by": _l("Decided by"),
    "warned_at": _l("Warned"), "erase_on": _l("To be erased on"), "outcome": _l("Outcome"),
    "actor_kind": _l("Who (kind)"), "actor": _l("Who"), "target_kind": _l("Concerning"),
    "target_id": _l("Concerning (id)"), "detail": _l("Detail"), "via": _l("Through"),
    "omitted_fields": _l("Left out"), "fields": _l("Fields"),
}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def _coded(key: str, value: str) -> str | None:
    """A code shown as its label, where the key says what kind of code it is."""
    if key == "status":
        return str(STATUS_LABELS.get(value, value))
    if key == "direction":
        return str(DIRECTION_LABELS.get(value, value))
    if key in ("channel", "preferred_channel"):
        return code_label("channel", value)
    if key == "action":
        return action_label(value)
    if key == "values":
        return code_label("value", value)
    if key == "dimension":
        return dimension_label(value)
    return None


def _is_person_or_amount(value: dict[str, Any]) -> bool:
    return {"amount", "currency", "period"} <= set(value) or set(value) == {"id", "name"}


def shape(value: Any) -> str:
    """How the page lays a value out: ``record`` (a list of facts), ``records``, ``scalar``."""
    if isinstance(value, dict) and value and not _is_person_or_amount(value):
        return "record"
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return "records"
    return "scalar"


def shown_value(key: str, value: Any) -> str:
    """One scalar (or a list of scalars, or an amount) as text for the page."""
    if value is None or value in ([], "", {}):
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, int | float):
        return str(format_decimal(value))
    if isinstance(value, list):
        return ", ".join(shown_value(key, v) for v in value)
    if isinstance(value, dict):
        if {"amount", "currency", "period"} <= set(value):
            period = PERIOD_LABELS.get(value["period"], value["period"])
            return f"{format_decimal(value['amount'])} {value['currency']} {period}"
        if "name" in value:
            return str(value["name"])
        return ", ".join(f"{field_label(k)}: {shown_value(k, v)}" for k, v in value.items())
    text = str(value)
    coded = _coded(key, text)
    if coded is not None:
        return coded
    if _DATETIME.match(text):
        try:
            return str(format_datetime(dt.datetime.fromisoformat(text), "medium"))
        except ValueError:
            return text
    if _DATE.match(text):
        return str(format_date(dt.date.fromisoformat(text), "medium"))
    return text
