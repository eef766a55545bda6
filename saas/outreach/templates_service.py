"""Message templates: create, change, delete, preview and the starter templates.

The API and the pages share these operations. Every save is validated first
(:func:`saas.outreach.template_checks.validate_template`): nothing is written
when anything is wrong. A template is unique by (name, channel, locale): the
same name groups one message's versions for several channels and languages.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas import audit
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.ids import new_id
from saas.outreach.models import Template
from saas.outreach.rendering import RenderedMessage, render_message, render_with
from saas.outreach.template_checks import FieldProblem, validate_template
from saas.outreach.template_context import sample_context
from saas.outreach.template_syntax import Problem

# The situations a template is written for, in the order the list page shows them.
PURPOSES: dict[str, Any] = {
    "project_wrapup": _l("Project wrap-up follow-up"),
    "flexible_work": _l("New flexible-work policy"),
    "manager_opening": _l("Manager opening"),
    "training_program": _l("Training programme"),
    "family_friendly": _l("Family-friendly policy"),
    "birthday": _l("Birthday wishes"),
    "company_news": _l("Company news"),
    "follow_up": _l("General follow-up"),
}
FIELDS = ("name", "channel", "locale", "subject", "body", "purpose")
NAME_MAX = 100


class TemplateInvalid(Exception):
    """The template cannot be saved; ``problems`` say what and where."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems

    def errors(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for p in self.problems:
            found.setdefault(p.field, []).append(p.message)
        return found

    def details(self) -> list[dict[str, Any]]:
        return [{"field": p.field, "code": p.problem.code, "line": p.problem.line,
                 "message": p.message} for p in self.problems]


class TemplateNameTaken(Exception):
    """Another template already has this name for this channel and language."""

    def __init__(self, name: str, channel: str, locale: str) -> None:
        super().__init__(f"A {channel} template named '{name}' in {locale} already exists")


def get_template(template_id: uuid.UUID) -> Template | None:
    return db.session.scalars(sa.select(Template).where(Template.id == template_id)).first()


def templates_in_order() -> sa.Select[Any]:
    return sa.select(Template).order_by(Template.name, Template.channel, Template.locale)


def _basic_problems(data: Mapping[str, Any]) -> list[FieldProblem]:
    found = []
    name = str(data.get("name") or "").strip()
    if not name:
        found.append(FieldProblem("name", Problem("name", _("Give the template a name."))))
    elif len(name) > NAME_MAX:
        found.append(FieldProblem("name", Problem("name", _(
            "At most %(max)d characters.", max=NAME_MAX))))
    purpose = data.get("purpose")
    if purpose not in (None, "") and purpose not in PURPOSES:
        found.append(FieldProblem("purpose", Problem("purpose", _(
            "Choose one of: %(purposes)s.", purposes=", ".join(PURPOSES)))))
    return found


def _checked(data: Mapping[str, Any]) -> dict[str, Any]:
    """The template's fields, cleaned; raises :class:`TemplateInvalid`."""
    channel, locale = str(data.get("channel") or ""), str(data.get("locale") or "")
    subject = str(data.get("subject") or "").strip() or None
    body = str(data.get("body") or "").replace("\r\n", "\n")
    clean = {"name": str(data.get("name") or "").strip(), "channel": channel,
             "locale": locale, "subject": subject, "body": body,
             "purpose": data.get("purpose") or None}
    problems = _basic_problems(clean) + validate_template(channel, locale, subject, body)
    if problems:
        raise TemplateInvalid(problems)
    return clean


def _ensure_free(name: str, channel: str, locale: str, own_id: uuid.UUID | None) -> None:
    taken = db.session.scalar(sa.select(Template.id).where(
        Template.name == name, Template.channel == channel, Template.locale == locale))
    if taken is not None and taken != own_id:
        raise TemplateNameTaken(name, channel, locale)


def create_template(data: Mapping[str, Any], *, actor_kind: audit.service.ActorKind = "system",
                    actor_id: uuid.UUID | None = None) -> Template:
    """A new template (raises :class:`TemplateInvalid` or :class:`TemplateNameTaken`)."""
    clean = _checked(data)
    _ensure_free(clean["name"], clean["channel"], clean["locale"], None)
    template = Template(id=new_id(), created_by=actor_id if actor_kind == "user" else None,
                        **clean)
    db.session.add(template)
    db.session.flush()
    audit.record("template.created", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="template", target_id=template.id,
                 detail={"channel": template.channel, "locale": template.locale})
    return template


def update_template(template: Template, changes: Mapping[str, Any], *,
                    actor_kind: audit.service.ActorKind = "system",
                    actor_id: uuid.UUID | None = None) -> list[str]:
    """Apply ``changes`` (any of the fields); returns the changed field names."""
    merged = {name: getattr(template, name) for name in FIELDS}
    merged.update({k: v for k, v in changes.items() if k in FIELDS})
    clean = _checked(merged)
    _ensure_free(clean["name"], clean["channel"], clean["locale"], template.id)
    changed = [name for name in FIELDS if getattr(template, name) != clean[name]]
    for name in changed:
        setattr(template, name, clean[name])
    if changed:
        db.session.flush()
        audit.record("template.updated", actor_kind=actor_kind, actor_id=actor_id,
                     target_kind="template", target_id=template.id,
                     detail={"fields": sorted(changed)})
    return changed


def delete_template(template: Template, *, actor_kind: audit.service.ActorKind = "system",
                    actor_id: uuid.UUID | None = None) -> None:
    """Delete it; messages already written keep their own copy of the text."""
    template_id = template.id
    db.session.delete(template)
    db.session.flush()
    audit.record("template.deleted", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="template", target_id=template_id)


def preview_for(template: Template, candidate: Candidate | None, *, sender: Any,
                now: dt.datetime) -> RenderedMessage:
    """The message for ``candidate``; with the example data when there is none."""
    if candidate is not None:
        return render_message(template, candidate, sender=sender, now=now)
    return render_with(template, sample_context(template.locale, now), now=now, tz=dt.UTC)


def recent_candidates(limit: int = 50) -> list[Candidate]:
    """Candidates to preview with: the most recently contacted, then the newest."""
    return list(db.session.scalars(sa.select(Candidate).where(
        Candidate.status != "erased").order_by(
        Candidate.last_contact_at.desc().nulls_last(), Candidate.created_at.desc(),
    ).limit(limit)))


# --- starter templates ------------------------------------------------------------------


@dataclass(frozen=True)
class StarterResult:
    created: int
    kept: int


def starter_templates() -> list[dict[str, Any]]:
    """The starter templates shipped in ``saas/outreach/starters/`` (one TOML file each)."""
    folder = resources.files("saas.outreach.starters")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            data["file"] = entry.name
            found.append(data)
    return found


def install_starters(*, actor_kind: audit.service.ActorKind = "system",
                     actor_id: uuid.UUID | None = None) -> StarterResult:
    """Add every starter template the tenant does not have yet (by name, channel and
    language); one already there is kept as it is, edited or not. Idempotent."""
    created = kept = 0
    for starter in starter_templates():
        fields = {k: starter.get(k) for k in FIELDS}
        exists = db.session.scalar(sa.select(Template.id).where(
            Template.name == fields["name"], Template.channel == fields["channel"],
            Template.locale == fields["locale"]))
        if exists is not None:
            kept += 1
            continue
        create_template(fields, actor_kind=actor_kind, actor_id=actor_id)
        created += 1
    return StarterResult(created, kept)
