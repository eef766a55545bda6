"""Openings and change events in a seed file (demo data, trials).

A seed file line (see :mod:`saas.candidates.seed`) with ``"type": "opening"`` is an
opening as the API takes it: ``"status": "open"`` publishes it, and its first
publication becomes a change event like any other. A line with ``"type":
"change_event"`` is a change event as the API takes it, with ``days_ago`` instead
of ``occurred_on``: it happened and was published that many days before loading,
so demo news stays recent however old the file is. Lines cannot name an
``opening_id`` (ids differ in every workspace).

Both go through :mod:`saas.openings.service`. Loading twice adds nothing: an
opening whose title is already there is skipped, and so is a change event of the
same kind and title.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from saas.extensions import db
from saas.openings.models import ChangeEvent, Opening
from saas.openings.schemas import ChangeEventSchema, OpeningSchema
from saas.openings.service import create_event, create_opening

SEED_TYPES = ("opening", "change_event")
MAX_DAYS_AGO = 3650


@dataclass(frozen=True)
class CompanyEntry:
    """One checked opening or change event line, ready to be written."""

    line: int
    type: str
    data: dict[str, Any]
    published_at: dt.datetime | None = None


@dataclass
class CompanyResult:
    openings: int = 0
    change_events: int = 0
    skipped: int = 0
    # An open opening was added: match scores need the tenant-wide refresh.
    scores_changed: bool = False


def _days_ago(raw: dict[str, Any]) -> int:
    days = raw.pop("days_ago", None)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS_AGO:
        raise ma.ValidationError({"days_ago": [
            f"A whole number of days from 0 to {MAX_DAYS_AGO} is required."]})
    return days


def parse_company_line(kind: str, raw: dict[str, Any], line: int,
                       now: dt.datetime) -> CompanyEntry:
    """Check one line of ``kind`` (one of :data:`SEED_TYPES`), its ``type`` key removed;
    raises :class:`marshmallow.ValidationError` naming the field."""
    raw = dict(raw)
    if "opening_id" in raw:
        raise ma.ValidationError({"opening_id": [
            "Not allowed in a seed file: ids differ in every workspace."]})
    if kind == "opening":
        return CompanyEntry(line, kind, OpeningSchema().load(raw))
    published = now - dt.timedelta(days=_days_ago(raw))
    data = ChangeEventSchema().load({**raw, "occurred_on": published.date().isoformat()})
    return CompanyEntry(line, kind, data, published)


def _opening_exists(title: str) -> bool:
    return db.session.scalar(sa.select(Opening.id).where(Opening.title == title).limit(1)) \
        is not None


def _event_exists(kind: str, title: str) -> bool:
    return db.session.scalar(sa.select(ChangeEvent.id).where(
        ChangeEvent.kind == kind, ChangeEvent.title == title).limit(1)) is not None


def load_company_entries(entries: Sequence[CompanyEntry]) -> CompanyResult:
    """Write the openings, then the change events, that are not there yet (the caller
    commits, then refreshes match scores when ``scores_changed``)."""
    result = CompanyResult()
    for entry in sorted(entries, key=lambda e: (e.type != "opening", e.line)):
        data = entry.data
        if entry.type == "opening":
            if _opening_exists(data["title"]):
                result.skipped += 1
                continue
            _opening, scoring = create_opening(data)
            result.openings += 1
            result.scores_changed = result.scores_changed or scoring
            continue
        if _event_exists(data["kind"], data["title"]):
            result.skipped += 1
            continue
        event = create_event(data)
        event.published_at = entry.published_at
        result.change_events += 1
    db.session.flush()
    return result
