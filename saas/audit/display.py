"""Audit events in the reader's words: object kinds, short ids and detail entries.

Only the page uses this; the API and the exports keep the stored codes and full
ids. A code or key with no label here is shown as it is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from saas.auth.forms import ROLE_LABELS
from saas.auth.models import User
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.privacy.consent_forms import BASIS_LABELS, VIA_LABELS, channel_heading
from saas.tags.labels import code_label

SHORT_ID_LENGTH = 8

KIND_LABELS: dict[str, LazyString] = {
    "api_token": _l("API token"),
    "backup": _l("Backup"),
    "campaign": _l("Campaign"),
    "candidate": _l("Candidate"),
    "change_event": _l("Company change"),
    "consent": _l("Consent"),
    "endpoint": _l("Page or endpoint"),
    "field": _l("Field"),
    "inbound": _l("Reply"),
    "interaction": _l("Interaction"),
    "key_rotation": _l("Key rotation"),
    "offer": _l("Offer"),
    "opening": _l("Opening"),
    "outbound_message": _l("Outgoing message"),
    "plugin": _l("Plugin"),
    "segment": _l("Segment"),
    "staff": _l("Rekindle staff"),
    "tag": _l("Tag"),
    "template": _l("Message template"),
    "tenant": _l("Workspace"),
    "user": _l("User"),
}

DETAIL_KEY_LABELS: dict[str, LazyString] = {
    "basis": _l("Basis"),
    "candidate_id": _l("Candidate"),
    "campaign_id": _l("Campaign"),
    "changed": _l("Changed fields"),
    "changed_keys": _l("Changed settings"),
    "changes": _l("Changed settings"),
    "channel": _l("Channel"),
    "channels": _l("Channels"),
    "code": _l("Code"),
    "count": _l("Count"),
    "created": _l("Newly created"),
    "enabled": _l("Enabled"),
    "events": _l("Events"),
    "expires": _l("Has an expiry date"),
    "fields": _l("Changed fields"),
    "filters": _l("Filters used"),
    "for_user": _l("For user"),
    "format": _l("Format"),
    "inbound_id": _l("Reply"),
    "ip": _l("IP"),
    "kind": _l("Kind"),
    "locale": _l("Language"),
    "messages": _l("Messages"),
    "ok": _l("Intact"),
    "outcome": _l("Outcome"),
    "permission": _l("Permission"),
    "problems": _l("Problems"),
    "reason": _l("Reason"),
    "record_id": _l("Record"),
    "role": _l("Role"),
    "status": _l("Status"),
    "until": _l("Until"),
    "via": _l("Via"),
}


def _mapping_label(labels: Mapping[str, LazyString]) -> Callable[[Any], str]:
    return lambda value: str(labels.get(str(value), value))


# How a known key's (non-boolean, non-list) value reads; other values are shown as stored.
VALUE_LABELS: dict[str, Callable[[Any], str]] = {
    "basis": _mapping_label(BASIS_LABELS),
    "channel": lambda value: channel_heading(str(value)),
    "reason": lambda value: code_label("reason", str(value)),
    "role": _mapping_label(ROLE_LABELS),
    "via": _mapping_label(VIA_LABELS),
}


@dataclass(frozen=True)
class DetailValue:
    """One shown value: ``full`` is set when ``text`` is an id's short form."""

    text: str
    full: str | None = None


@dataclass(frozen=True)
class DetailEntry:
    key: str
    label: str
    values: list[DetailValue]


def kind_label(kind: str | None) -> str:
    return str(KIND_LABELS.get(kind, kind)) if kind else ""


def short_id(value: object) -> str | None:
    """A UUID's last characters, as the page shows it; None for anything else.

    The tail, not the head: ids are UUIDv7, whose first characters are a timestamp
    shared by everything made in the same minute, while the last ones are random.
    """
    try:
        uuid.UUID(str(value))
    except ValueError:
        return None
    return str(value)[-SHORT_ID_LENGTH:]


def _value(key: str, value: Any) -> list[DetailValue]:
    if isinstance(value, bool):
        return [DetailValue(str(_l("Yes") if value else _l("No")))]
    if value is None:
        return [DetailValue("—")]
    if isinstance(value, Mapping):
        return [DetailValue(f"{_one(key, k)} {v}") for k, v in sorted(value.items())]
    if isinstance(value, list | tuple):
        return [part for item in value for part in _value(key, item)] or [DetailValue("—")]
    short = short_id(value)
    if short is not None:
        return [DetailValue(short, str(value))]
    return [DetailValue(_one(key, value))]


def _one(key: str, value: Any) -> str:
    label = VALUE_LABELS.get(key.removesuffix("s"), VALUE_LABELS.get(key))
    return label(value) if label else str(value)


def detail_entries(detail: Mapping[str, Any] | None) -> list[DetailEntry]:
    """An event's detail, sorted by key, with labels where known."""
    return [DetailEntry(key, str(DETAIL_KEY_LABELS.get(key, key)), _value(key, value))
            for key, value in sorted((detail or {}).items())]


def _existing(events: list[Any], kind: str, model: Any) -> list[uuid.UUID]:
    """The ids of the events' targets of that kind that are still there (one query)."""
    ids = set()
    for event in events:
        if event.target_kind == kind and event.target_id:
            try:
                ids.add(uuid.UUID(event.target_id))
            except ValueError:
                continue
    if not ids:
        return []
    return list(db.session.scalars(sa.select(model.id).where(model.id.in_(ids))))


def openable_targets(events: Iterable[Any], *, candidates: bool, users: bool
                     ) -> dict[str, str]:
    """Target id → the address of its page, for the candidates and users that still exist.

    One query per kind for the whole page; a kind the reader may not open is skipped.
    """
    events = list(events)
    found: dict[str, str] = {}
    if candidates:
        found.update((str(found_id), url_for("candidates.show", candidate_id=found_id))
                     for found_id in _existing(events, "candidate", Candidate))
    if users:
        found.update((str(found_id), url_for("settings.user", user_id=found_id))
                     for found_id in _existing(events, "user", User))
    return found
