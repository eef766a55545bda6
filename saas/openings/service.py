"""Openings and change events: create, change, publish, delete (the caller commits).

Publishing an opening (status ``open``) stamps ``published_at`` and, the first
time, writes a change event of kind ``opening`` with the opening's values, so
the candidates who care hear about it like any other company news. Any change
that can move match scores (an opening opened, closed, deleted, or its skills
or values edited while open) returns ``True`` from the service call; the
caller commits and then calls :func:`saas.openings.matching.schedule_match_refresh`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from saas import audit
from saas.auth.current import actor
from saas.extensions import db
from saas.openings.models import ChangeEvent, Opening
from saas.timeutil import utcnow

OPENING_FIELDS = ("title", "level", "team", "location", "description", "skills", "values",
                  "status")
EVENT_FIELDS = ("kind", "title", "summary", "texts", "values", "occurred_on", "opening_id")
SCORING_FIELDS = ("skills", "values")


class OpeningError(ValueError):
    """Bad input that names the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def clean_skills(skills: Iterable[str]) -> list[str]:
    """Lower-cased, trimmed, de-duplicated, in the order given (as candidate skills are)."""
    seen: dict[str, None] = {}
    for skill in skills:
        cleaned = skill.strip().lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def clean_values(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _record(action: str, kind: str, target_id: uuid.UUID, detail: dict[str, Any]) -> None:
    actor_kind, actor_id = actor()
    audit.record(action, actor_kind=actor_kind, actor_id=actor_id, target_kind=kind,
                 target_id=target_id, detail=detail)


def get_opening(opening_id: uuid.UUID) -> Opening | None:
    return db.session.scalars(sa.select(Opening).where(Opening.id == opening_id)).first()


def get_event(event_id: uuid.UUID) -> ChangeEvent | None:
    return db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.id == event_id)).first()


def open_openings() -> list[Opening]:
    return list(db.session.scalars(
        sa.select(Opening).where(Opening.status == "open").order_by(Opening.id)))


def _opening_texts(title: str) -> dict[str, str]:
    """What a message says about a newly opened role, in each language."""
    return {"zh-CN": f"我们新开放了「{title}」职位", "en": f"We have opened a new role: {title}"}


def _publish(opening: Opening) -> None:
    """Open the opening; its first publication becomes a change event."""
    now = utcnow()
    opening.published_at = opening.published_at or now
    announced = db.session.scalar(sa.select(ChangeEvent.id).where(
        ChangeEvent.opening_id == opening.id, ChangeEvent.kind == "opening").limit(1))
    if announced is not None:
        return
    event = ChangeEvent(kind="opening", title=opening.title, texts=_opening_texts(opening.title),
                        values=list(opening.values or []), opening_id=opening.id,
                        occurred_on=now.date(), published_at=now, created_by=actor()[1])
    db.session.add(event)
    db.session.flush()
    _record("change_event.created", "change_event", event.id,
            {"kind": "opening", "opening_id": str(opening.id)})


def _apply(opening: Opening, changes: Mapping[str, Any]) -> list[str]:
    changed = []
    for key in OPENING_FIELDS:
        if key not in changes:
            continue
        value = changes[key]
        if key == "skills":
            value = clean_skills(value)
        elif key == "values":
            value = clean_values(value)
        if getattr(opening, key) != value:
            setattr(opening, key, value)
            changed.append(key)
    return changed


def create_opening(data: Mapping[str, Any]) -> tuple[Opening, bool]:
    """A new opening; returns it and whether match scores need a refresh."""
    opening = Opening(title="", skills=[], values=[], status="draft", created_by=actor()[1])
    _apply(opening, {"status": "draft", **data})
    db.session.add(opening)
    db.session.flush()
    if opening.status == "open":
        _publish(opening)
    _record("opening.created", "opening", opening.id, {"status": opening.status})
    return opening, opening.status == "open"


def update_opening(opening: Opening, changes: Mapping[str, Any]) -> tuple[list[str], bool]:
    """Apply ``changes``; returns the changed fields and whether scores need a refresh."""
    was_open = opening.status == "open"
    changed = _apply(opening, changes)
    if not changed:
        return [], False
    db.session.flush()
    if opening.status == "open" and not was_open:
        _publish(opening)
    _record("opening.updated", "opening", opening.id, {"fields": sorted(changed)})
    scoring = "status" in changed or (
        opening.status == "open" and bool(set(SCORING_FIELDS) & set(changed)))
    return changed, scoring


def delete_opening(opening: Opening) -> bool:
    """Delete it (its events stay, unlinked); returns whether scores need a refresh."""
    was_open = opening.status == "open"
    db.session.execute(sa.update(ChangeEvent).where(ChangeEvent.opening_id == opening.id)
                       .values(opening_id=None))
    opening_id = opening.id
    db.session.delete(opening)
    db.session.flush()
    _record("opening.deleted", "opening", opening_id, {})
    return was_open


def _check_opening_link(opening_id: uuid.UUID | None) -> None:
    if opening_id is not None and get_opening(opening_id) is None:
        raise OpeningError("opening_id", "No opening with this id in this workspace.")


def _clean_event(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {key: data[key] for key in EVENT_FIELDS if key in data}
    if "values" in cleaned:
        cleaned["values"] = clean_values(cleaned["values"])
    if "texts" in cleaned:
        cleaned["texts"] = {k: v.strip() for k, v in (cleaned["texts"] or {}).items()
                            if v and v.strip()}
    if "opening_id" in cleaned:
        _check_opening_link(cleaned["opening_id"])
    return cleaned


def create_event(data: Mapping[str, Any]) -> ChangeEvent:
    """A new change event, published now (raises :class:`OpeningError`)."""
    cleaned = _clean_event(data)
    event = ChangeEvent(**{"texts": {}, "values": [], **cleaned},
                        published_at=utcnow(), created_by=actor()[1])
    db.session.add(event)
    db.session.flush()
    _record("change_event.created", "change_event", event.id, {"kind": event.kind})
    return event


def update_event(event: ChangeEvent, changes: Mapping[str, Any]) -> list[str]:
    cleaned = _clean_event(changes)
    changed = [key for key, value in cleaned.items() if getattr(event, key) != value]
    for key in changed:
        setattr(event, key, cleaned[key])
    if changed:
        db.session.flush()
        _record("change_event.updated", "change_event", event.id, {"fields": sorted(changed)})
    return changed


def delete_event(event: ChangeEvent) -> None:
    event_id = event.id
    db.session.delete(event)
    db.session.flush()
    _record("change_event.deleted", "change_event", event_id, {})
